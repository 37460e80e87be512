"""Facade the dialogue engine's actions call: one method per kind of turn.

Models load on first use, never at import, because rasa-sdk's worker start-up
breaks when torch is initialised at import time. No method raises on user text:
every problem becomes a polite reply, and the stored profile is left unchanged
by a failed turn.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from bot import messages
from bot.conversation import update_profile
from bot.engine import Engine, LazyEngine
from bot.feedback import FeedbackEvent, FeedbackStoreError
from bot.feedback_parse import FeedbackParse, Signal, parse_feedback, referenced_positions
from bot.items import Item
from bot.profile import SessionProfile
from bot.reasons import explain
from bot.replies.base import FeedbackAck, RecommendationRequest, ShownItem
from bot.replies.templates import join_titles
from bot.settings import Settings
from bot.textcheck import MAX_CHARS, check_text

logger = logging.getLogger(__name__)


@dataclass
class TurnResult:
    """Outcome of one turn.

    ``profile`` is the updated session profile to store back in the dialogue
    state. ``items`` describes the items shown this turn, for buttons:
    ``{"id", "title", "year", "genres", "position", "reasons"}``.
    ``needs_preference`` is True when nothing was stated to build a query from,
    so the dialogue should ask for a preference.
    """

    text: str
    profile: dict[str, Any]
    items: list[dict[str, Any]] = field(default_factory=list)
    needs_preference: bool = False
    signals: list[dict[str, Any]] = field(default_factory=list)


def preference_summary(profile: SessionProfile, engine: Engine) -> str:
    """Short description of the stated preferences, e.g. "like Alien (1979), 1980-1989, no horror"."""
    parts: list[str] = []
    references = [engine.catalog.get(item_id) for item_id in profile.references[-2:]]
    labels = [item.label for item in references if item is not None]
    if labels:
        parts.append("like " + " and ".join(labels))
    if profile.genres:
        parts.append(" or ".join(genre.lower() for genre in profile.genres))
    if profile.people:
        parts.append("with " + " and ".join(profile.people))
    if profile.year_min is not None and profile.year_max is not None:
        years = str(profile.year_min) if profile.year_min == profile.year_max else f"{profile.year_min}-{profile.year_max}"
        parts.append(years)
    elif profile.year_min is not None:
        parts.append(f"from {profile.year_min} on")
    elif profile.year_max is not None:
        parts.append(f"up to {profile.year_max}")
    if profile.excluded_genres:
        parts.append("no " + " or ".join(genre.lower() for genre in profile.excluded_genres))
    return ", ".join(parts)


def _quoted(texts: list[str]) -> str:
    return " or ".join(f"\"{text}\"" for text in texts)


class RecommenderService:
    """Turn handlers over a lazily loaded :class:`Engine`."""

    def __init__(self, settings: Settings | None = None, engine: Engine | None = None) -> None:
        self.settings = settings or Settings()
        self._lazy = LazyEngine(self.settings)
        if engine is not None:
            self._lazy._engine = engine

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> "RecommenderService":
        return cls(settings)

    @property
    def engine(self) -> Engine:
        return self._lazy.get()

    # -- turns --------------------------------------------------------------

    def recommend(
        self,
        profile: dict[str, Any] | None,
        message: str,
        entities: list[dict[str, Any]] | None = None,
        conversation_id: str = "",
    ) -> TurnResult:
        """Read preferences from ``message`` and recommend new items for the whole profile."""
        state = SessionProfile.from_dict(profile)
        checked = check_text(message)
        if checked.problem is not None and not (checked.problem == "empty" and state.has_preferences()):
            return self._problem_reply(checked.problem, state)
        prefix = messages.TRUNCATED.format(limit=MAX_CHARS) if checked.truncated else ""
        if checked.truncated:
            # The dialogue engine's entities come from the whole text, beyond what the core reads.
            entities = []
        try:
            engine = self.engine
            missing = update_profile(state, checked.text, engine.resolver, engine.people, engine.latest_year, entities)
        except Exception:
            logger.exception("Engine failed while reading preferences (conversation %s)", conversation_id)
            return TurnResult(text=messages.ENGINE_DOWN, profile=SessionProfile.from_dict(profile).to_dict())
        if missing:
            titles = _quoted(missing)
            if not state.has_preferences():
                text = prefix + messages.TITLE_NOT_FOUND_ONLY.format(titles=titles)
                return TurnResult(text=text, profile=state.to_dict(), needs_preference=True)
            prefix += messages.TITLE_NOT_FOUND.format(titles=titles)
        if not state.has_preferences():
            return TurnResult(text=prefix + messages.ASK_PREFERENCE, profile=state.to_dict(), needs_preference=True)
        if not state.last_shown and refers_to_shown_item(checked.text) and not states_more_than_text(profile, state):
            # "I like the first one" with nothing shown yet is feedback, not a wish to search for.
            return TurnResult(text=messages.NOTHING_SHOWN, profile=SessionProfile.from_dict(profile).to_dict(), needs_preference=True)
        return self._recommend_for(state, checked.text, prefix, is_refill=False, conversation_id=conversation_id)

    def _recommend_for(
        self, state: SessionProfile, user_message: str, prefix: str, is_refill: bool, conversation_id: str
    ) -> TurnResult:
        engine = self.engine
        try:
            candidates = engine.ranker.recommend(state, self.settings.recommendations_per_turn)
        except Exception:
            logger.exception("Ranking failed (conversation %s)", conversation_id)
            return TurnResult(text=messages.ENGINE_DOWN, profile=state.to_dict())
        if not candidates:
            return TurnResult(text=prefix + messages.NO_MATCHES, profile=state.to_dict())
        shown = tuple(
            ShownItem(item=candidate.item, position=position, reasons=tuple(explain(engine.ranker, state, candidate.item)))
            for position, candidate in enumerate(candidates, start=1)
        )
        state.last_shown = [entry.item.id for entry in shown]
        state.add_unique("shown", state.last_shown)
        state.reasons = {entry.item.id: list(entry.reasons) for entry in shown}
        request = RecommendationRequest(
            items=shown,
            user_message=user_message,
            preference_summary=preference_summary(state, engine),
            is_refill=is_refill,
        )
        text = engine.writer.write_recommendations(request)
        items = [
            {
                "id": entry.item.id,
                "title": entry.item.title,
                "year": entry.item.year,
                "genres": list(entry.item.genres),
                "position": entry.position,
                "reasons": list(entry.reasons),
            }
            for entry in shown
        ]
        return TurnResult(text=prefix + text, profile=state.to_dict(), items=items)

    def _problem_reply(self, problem: str, state: SessionProfile) -> TurnResult:
        text = {"empty": messages.EMPTY, "no_words": messages.NO_WORDS, "not_english": messages.NOT_ENGLISH}[problem]
        return TurnResult(text=text, profile=state.to_dict(), needs_preference=not state.has_preferences())

    def _last_shown(self, state: SessionProfile) -> list[Item]:
        engine = self.engine
        return [item for item in (engine.catalog.get(item_id) for item_id in state.last_shown) if item is not None]

    def feedback(
        self,
        profile: dict[str, Any] | None,
        message: str,
        entities: list[dict[str, Any]] | None = None,
        conversation_id: str = "",
    ) -> TurnResult:
        """Map feedback to shown items, store it durably, then acknowledge and refill if needed."""
        state = SessionProfile.from_dict(profile)
        # A quick-action button names its item in the entities, and its text is
        # a payload such as /give_feedback{"item_id": ...}, not words to check or parse.
        pressed = any(entity.get("entity") == "item_id" for entity in entities or [])
        checked = check_text(message)
        if checked.problem is not None and not pressed:
            return self._problem_reply(checked.problem, state)
        try:
            shown = self._last_shown(state)
        except Exception:
            logger.exception("Engine failed while reading feedback (conversation %s)", conversation_id)
            return TurnResult(text=messages.ENGINE_DOWN, profile=state.to_dict())
        if not shown:
            return TurnResult(text=messages.NOTHING_SHOWN, profile=state.to_dict(), needs_preference=not state.has_preferences())
        parsed = FeedbackParse() if pressed else parse_feedback(checked.text, shown)
        parsed_signals = list(parsed.signals)
        parsed_signals.extend(button_signals(entities, shown))
        if not parsed_signals:
            if parsed.out_of_range:
                ordinals = " or ".join(messages.ORDINAL_NAMES.get(n, f"number {n}") for n in parsed.out_of_range)
                text = messages.OUT_OF_RANGE.format(count=len(shown), plural="" if len(shown) == 1 else "s", ordinals=ordinals)
            elif parsed.ambiguous:
                text = messages.AMBIGUOUS
            else:
                text = messages.NO_SIGNAL
            return TurnResult(text=text, profile=state.to_dict())
        events = [
            FeedbackEvent(
                conversation_id=conversation_id,
                item_id=signal.item.id,
                signal=signal.signal,
                position=signal.position,
                message=message,
            )
            for signal in parsed_signals
        ]
        try:
            self.engine.feedback.record(events)
        except FeedbackStoreError:
            return TurnResult(text=messages.STORE_FAILED, profile=state.to_dict())
        for signal in parsed_signals:
            state.record_signal(signal.item.id, signal.signal)
        ack = FeedbackAck(
            liked=tuple(s.item for s in parsed_signals if s.signal == "like"),
            disliked=tuple(s.item for s in parsed_signals if s.signal == "dislike"),
            seen=tuple(s.item for s in parsed_signals if s.signal == "seen"),
            user_message=checked.text,
        )
        text = self.engine.writer.write_feedback_ack(ack)
        if parsed.out_of_range:
            ordinals = " or ".join(messages.ORDINAL_NAMES.get(n, f"number {n}") for n in parsed.out_of_range)
            text += " " + messages.OUT_OF_RANGE.format(count=len(shown), plural="" if len(shown) == 1 else "s", ordinals=ordinals)
        signals = [{"item_id": s.item.id, "title": s.item.label, "signal": s.signal, "position": s.position} for s in parsed_signals]
        if ack.disliked or ack.seen:
            refill = self._recommend_for(state, checked.text, text + "\n", is_refill=True, conversation_id=conversation_id)
            refill.signals = signals
            return refill
        return TurnResult(text=text, profile=state.to_dict(), signals=signals)

    def explain(
        self,
        profile: dict[str, Any] | None,
        message: str,
        entities: list[dict[str, Any]] | None = None,
        conversation_id: str = "",
    ) -> TurnResult:
        """Say why the referenced shown item (or each shown item) was chosen."""
        state = SessionProfile.from_dict(profile)
        try:
            shown = self._last_shown(state)
        except Exception:
            logger.exception("Engine failed while explaining (conversation %s)", conversation_id)
            return TurnResult(text=messages.ENGINE_DOWN, profile=state.to_dict())
        if not shown:
            return TurnResult(text=messages.WHY_NOTHING, profile=state.to_dict(), needs_preference=True)
        positions = referenced_positions(check_text(message).text, shown)
        out_of_range = [position for position in positions if not 1 <= position <= len(shown)]
        if out_of_range and len(out_of_range) == len(positions):
            ordinals = " or ".join(messages.ORDINAL_NAMES.get(n, f"number {n}") for n in out_of_range)
            text = messages.OUT_OF_RANGE.format(count=len(shown), plural="" if len(shown) == 1 else "s", ordinals=ordinals)
            return TurnResult(text=text, profile=state.to_dict())
        chosen = [shown[position - 1] for position in positions if 1 <= position <= len(shown)] or shown
        lines = []
        for item in chosen:
            reasons = state.reasons.get(item.id) or explain(self.engine.ranker, state, item)
            lines.append(messages.WHY_ITEM.format(title=item.label, reasons=join_reasons(reasons)))
        return TurnResult(text="\n".join(lines), profile=state.to_dict())

    def reset(self, profile: dict[str, Any] | None, conversation_id: str = "") -> TurnResult:
        """Forget stated preferences; rejected and already shown items stay blocked."""
        old = SessionProfile.from_dict(profile)
        fresh = SessionProfile(liked=old.liked, disliked=old.disliked, seen=old.seen, shown=old.shown)
        return TurnResult(text=messages.RESET, profile=fresh.to_dict(), needs_preference=True)


SHOWN_ITEM_REFERENCE = re.compile(
    r"\b(?:first|second|third|fourth|fifth|last|1st|2nd|3rd|4th|5th)\s+(?:one|movie|film|pick|suggestion)\b|#\d",
    re.IGNORECASE,
)


def refers_to_shown_item(text: str) -> bool:
    """Return whether ``text`` points at a shown item ("the second one", "#2")."""
    return bool(SHOWN_ITEM_REFERENCE.search(text))


def states_more_than_text(before: dict[str, Any] | None, after: SessionProfile) -> bool:
    """Return whether a turn added references, genres, people or years, not only a description."""
    old = SessionProfile.from_dict(before)
    return (
        old.references != after.references
        or old.genres != after.genres
        or old.excluded_genres != after.excluded_genres
        or old.people != after.people
        or (old.year_min, old.year_max) != (after.year_min, after.year_max)
    )


def button_signals(entities: list[dict[str, Any]] | None, shown: list[Item]) -> list[Signal]:
    """Return the signals that quick-action buttons send as entities.

    A button payload such as ``/give_feedback{"item_id": "wiki:Alien_(film)",
    "feedback_signal": "dislike"}`` names the item directly. Items that are not
    among the last shown ones are ignored, because their position is unknown.
    """
    item_ids = [entity.get("value") for entity in entities or [] if entity.get("entity") == "item_id"]
    signal_values = [entity.get("value") for entity in entities or [] if entity.get("entity") == "feedback_signal"]
    if not item_ids or len(signal_values) != 1 or signal_values[0] not in ("like", "dislike", "seen"):
        return []
    signals = []
    for position, item in enumerate(shown, start=1):
        if item.id in item_ids:
            signals.append(Signal(item=item, position=position, signal=signal_values[0]))
    return signals


def join_reasons(reasons: list[str]) -> str:
    if len(reasons) <= 1:
        return "".join(reasons)
    return ", ".join(reasons[:-1]) + " and " + reasons[-1]
