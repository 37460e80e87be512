"""Template reply writer: varied, fixed phrasing that names exactly the given items."""

from __future__ import annotations

import random
import zlib

from bot.items import Item
from bot.replies.base import FeedbackAck, RecommendationRequest, ShownItem

INTROS = (
    "Here are {count} you might enjoy{summary}:",
    "Try these{summary}:",
    "I picked {count} for you{summary}:",
    "These {count} look like a good fit{summary}:",
    "How about these{summary}?",
)
REFILL_INTROS = (
    "Got it. Here are {count} new ones{summary}:",
    "Noted. Some fresh picks{summary}:",
    "Understood, swapping those out. Try these{summary}:",
    "Thanks, that helps. {count} more{summary}:",
)
CLOSERS = (
    "Tell me which ones you've seen or like, e.g. \"seen the first, the second sounds boring\".",
    "Say \"why the second?\" for details, or tell me what you think of them.",
    "Any of these catch your eye? You can also say which ones you've already seen.",
    "Let me know what you think, and I'll refine the next round.",
)
LIKE_ACKS = (
    "Great choice, I've noted that you like {titles}.",
    "Glad you like {titles}. I'll keep that in mind.",
    "Noted: you like {titles}. I'll steer future picks that way.",
)
DISLIKE_ACKS = (
    "Okay, {titles} won't come up again.",
    "Noted, I'll leave {titles} out from now on.",
)
SEEN_ACKS = (
    "Got it, you've already seen {titles}.",
    "Noted that you've seen {titles}; I won't suggest it again.",
)
FOLLOW_UPS = (
    "Want more suggestions? Just say \"more\" or tell me what else you're in the mood for.",
    "Ask for more any time, or tell me something new you'd like.",
)


def join_titles(items: tuple[Item, ...] | list[Item]) -> str:
    labels = [item.label for item in items]
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def item_line(shown: ShownItem) -> str:
    """Format one item as a line: position, title (year), genres and why it fits."""
    item = shown.item
    genres = ", ".join(item.genres[:3]) if item.genres else "genre unknown"
    line = f"{shown.position}. {item.label} [{genres}]"
    if shown.reasons:
        line += ": " + "; ".join(shown.reasons[:2])
    return line


class TemplateWriter:
    """Reply writer from fixed phrase lists; the choice of phrasing varies per request."""

    name = "template"

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed

    def _rng(self, key: str) -> random.Random:
        base = zlib.crc32(key.encode("utf-8"))
        return random.Random(base if self.seed is None else base ^ self.seed)

    def write_recommendations(self, request: RecommendationRequest) -> str:
        if not request.items:
            return "I couldn't find anything that fits all of that. Could you loosen one of the conditions?"
        rng = self._rng(request.user_message + "|".join(shown.item.id for shown in request.items))
        summary = f" ({request.preference_summary})" if request.preference_summary else ""
        intro = rng.choice(REFILL_INTROS if request.is_refill else INTROS)
        lines = [intro.format(count=len(request.items), summary=summary)]
        lines.extend(item_line(shown) for shown in request.items)
        lines.append(rng.choice(CLOSERS))
        return "\n".join(lines)

    def write_feedback_ack(self, ack: FeedbackAck) -> str:
        rng = self._rng(ack.user_message + "|".join(item.id for item in ack.liked + ack.disliked + ack.seen))
        parts = []
        if ack.liked:
            parts.append(rng.choice(LIKE_ACKS).format(titles=join_titles(ack.liked)))
        if ack.disliked:
            parts.append(rng.choice(DISLIKE_ACKS).format(titles=join_titles(ack.disliked)))
        if ack.seen:
            parts.append(rng.choice(SEEN_ACKS).format(titles=join_titles(ack.seen)))
        if not parts:
            return "Thanks for the feedback."
        if ack.liked and not (ack.disliked or ack.seen):
            parts.append(rng.choice(FOLLOW_UPS))
        return " ".join(parts)
