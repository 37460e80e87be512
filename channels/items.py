"""Recommendation items as the channels see them, and the payloads of their buttons.

The custom actions attach ``{"items": [...]}`` to every recommendation reply,
each item being ``{"id", "title", "year", "genres", "position", "reasons"}``.
Each channel shows three quick actions per item. Pressing one sends the user
message ``/give_feedback{"item_id": "<catalog id>", "feedback_signal": "<signal>"}``,
which Rasa parses into the intent ``give_feedback`` with the entities
``item_id`` and ``feedback_signal``, so a press is stored like typed feedback.

This module imports nothing from Rasa, so the project's test environment can
test it directly.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

FEEDBACK_INTENT = "give_feedback"
ITEM_ENTITY = "item_id"
SIGNAL_ENTITY = "feedback_signal"
SIGNALS = ("like", "dislike", "seen")
BUTTON_TEXT = {"like": "👍 Like", "dislike": "👎 Dislike", "seen": "Seen it"}
# Telegram shows three buttons per row in a narrow chat, so its labels are shorter.
SHORT_BUTTON_TEXT = {"like": "👍", "dislike": "👎", "seen": "Seen it"}
# Spoken names for screen readers and for the user's side of the transcript.
SIGNAL_NAMES = {"like": "Like", "dislike": "Dislike", "seen": "Seen it"}
# Slack allows 50 blocks per message, and ten items take 21 blocks there (30
# buttons in a Telegram keyboard). More items would make the messages unwieldy.
MAX_ITEMS_WITH_BUTTONS = 10

# Telegram limits callback_data to 64 bytes, and catalog ids reach 86 bytes
# ("wiki:Wild_West_Comedy_Show:_30_Days_..."), so Telegram buttons carry a
# short token: CALLBACK_PREFIX, one signal letter and a hash of the item id.
CALLBACK_PREFIX = "fb"
CALLBACK_TOKEN_CHARS = 12
SIGNAL_LETTERS = {"like": "l", "dislike": "d", "seen": "s"}
LETTER_SIGNALS = {letter: signal for signal, letter in SIGNAL_LETTERS.items()}


@dataclass(frozen=True)
class ShownItem:
    """One recommended item that gets quick-action buttons."""

    id: str
    title: str
    year: int | None
    position: int

    @property
    def label(self) -> str:
        """Position, title and year, e.g. "2. Aliens (1986)"."""
        year = f" ({self.year})" if self.year else ""
        return f"{self.position}. {self.title}{year}"


def shown_items(custom: Any) -> list[ShownItem]:
    """Read the items of a custom payload; return [] when it carries none.

    An item without a string ``id`` and ``title`` or an integer ``position``
    is skipped with a warning, because its button could not name it. Items
    beyond MAX_ITEMS_WITH_BUTTONS are dropped with a warning.
    """
    if not isinstance(custom, dict) or not isinstance(custom.get("items"), list):
        return []
    items: list[ShownItem] = []
    for raw in custom["items"]:
        item = _shown_item(raw)
        if item is None:
            logger.warning("Skipped an invalid recommendation item in a custom payload: %r", raw)
            continue
        items.append(item)
    if len(items) > MAX_ITEMS_WITH_BUTTONS:
        logger.warning("A reply has %d items; only the first %d get buttons", len(items), MAX_ITEMS_WITH_BUTTONS)
        items = items[:MAX_ITEMS_WITH_BUTTONS]
    return items


def _shown_item(raw: Any) -> ShownItem | None:
    if not isinstance(raw, dict):
        return None
    item_id, title, position, year = raw.get("id"), raw.get("title"), raw.get("position"), raw.get("year")
    if not isinstance(item_id, str) or not item_id or not isinstance(title, str):
        return None
    if not isinstance(position, int) or isinstance(position, bool):
        return None
    if not isinstance(year, int) or isinstance(year, bool):
        year = None
    return ShownItem(id=item_id, title=title, year=year, position=position)


def feedback_payload(item_id: str, signal: str) -> str:
    """Build the message a quick-action button sends.

    json.dumps escapes quotes, backslashes and non-ASCII characters, so any
    catalog id survives Rasa's parsing of ``/intent{json}`` messages.
    """
    _check_signal(signal)
    entities = json.dumps({ITEM_ENTITY: item_id, SIGNAL_ENTITY: signal})
    return f"/{FEEDBACK_INTENT}{entities}"


def parse_feedback_payload(text: str) -> tuple[str, str] | None:
    """Return (item id, signal) from a button message, or None for any other text."""
    prefix = f"/{FEEDBACK_INTENT}"
    if not text.startswith(prefix + "{"):
        return None
    try:
        entities = json.loads(text[len(prefix) :])
    except json.JSONDecodeError:
        return None
    if not isinstance(entities, dict):
        return None
    item_id, signal = entities.get(ITEM_ENTITY), entities.get(SIGNAL_ENTITY)
    if not isinstance(item_id, str) or signal not in SIGNALS:
        return None
    return item_id, signal


def callback_token(item_id: str) -> str:
    """Return a short, URL-safe hash of ``item_id`` (72 bits of SHA-256)."""
    digest = hashlib.sha256(item_id.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:CALLBACK_TOKEN_CHARS]


def callback_data(item_id: str, signal: str) -> str:
    """Build a Telegram button's callback data, e.g. "fb:d:Qx3k9...", 17 bytes for any id."""
    _check_signal(signal)
    return f"{CALLBACK_PREFIX}:{SIGNAL_LETTERS[signal]}:{callback_token(item_id)}"


def parse_callback_data(data: str) -> tuple[str, str] | None:
    """Return (token, signal) from a feedback button's callback data, or None for other data."""
    parts = data.split(":")
    if len(parts) != 3 or parts[0] != CALLBACK_PREFIX or parts[1] not in LETTER_SIGNALS:
        return None
    if len(parts[2]) != CALLBACK_TOKEN_CHARS:
        return None
    return parts[2], LETTER_SIGNALS[parts[1]]


def resolve_callback_token(token: str, item_ids: Iterable[str]) -> str | None:
    """Return the id among ``item_ids`` whose token is ``token``, or None."""
    for item_id in item_ids:
        if callback_token(item_id) == token:
            return item_id
    return None


def _check_signal(signal: str) -> None:
    if signal not in SIGNALS:
        raise ValueError(f"Invalid feedback signal {signal!r}; expected one of {list(SIGNALS)}")
