"""The interface every reply writer implements.

A writer only phrases: it receives the exact items to present and must name
those items and no other catalog title. Ranking happens before a writer runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from bot.items import Item


@dataclass(frozen=True)
class ShownItem:
    """An item chosen for the user, with the reasons the ranker found."""

    item: Item
    position: int  # 1-based position in the reply
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecommendationRequest:
    """The user's request this turn and the items chosen for it."""

    items: tuple[ShownItem, ...]
    user_message: str = ""
    # Short human-readable summary of the stated preferences, e.g.
    # "like Alien (1979), from the 1980s, not horror".
    preference_summary: str = ""
    # Recent turns as (speaker, text), speaker being "user" or "bot", oldest first.
    history: tuple[tuple[str, str], ...] = ()
    # True when this follows feedback that removed earlier items.
    is_refill: bool = False


@dataclass(frozen=True)
class FeedbackAck:
    """Feedback the user just gave, already mapped to items."""

    liked: tuple[Item, ...] = ()
    disliked: tuple[Item, ...] = ()
    seen: tuple[Item, ...] = ()
    user_message: str = ""


class ReplyWriter(Protocol):
    """Phrases replies. Implementations: template, generator."""

    name: str

    def write_recommendations(self, request: RecommendationRequest) -> str:
        """Return a message that presents exactly ``request.items``."""
        ...

    def write_feedback_ack(self, ack: FeedbackAck) -> str:
        """Return a short acknowledgement of the feedback in ``ack``."""
        ...
