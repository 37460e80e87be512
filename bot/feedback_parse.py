"""Map a feedback message to the items shown in the last recommendation turn.

"I've seen the first one, and the second sounds boring" gives
``[(1, seen), (2, dislike)]``. References are ordinals ("the second", "#2",
"the last one"), titles of shown items, or "that one"/"it" when exactly one
item was shown. A clause with references but no sentiment takes the sentiment
of the next clause ("the first and the third look great").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from bot.items import Item

ORDINAL_WORDS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "7th": 7, "eighth": 8, "8th": 8,
    "ninth": 9, "9th": 9, "tenth": 10, "10th": 10, "top": 1,
}
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
LAST_WORDS = ("last", "final", "bottom")
ALL_PATTERN = re.compile(r"\b(all of them|all three|all 3|all of those|both|none of them|neither|all)\b", re.I)
SINGLE_PATTERN = re.compile(r"\b(that one|this one|that|it|this)\b", re.I)

SEEN_PATTERN = re.compile(
    r"\b(seen|saw|watched|already|have watched|'ve watched|viewed|watched it|seen it)\b", re.I
)
NEGATIVE_PATTERN = re.compile(
    r"\b(boring|hate|hated|dull|meh|nah|awful|terrible|bad|worst|pass|skip|not for me|not interested|"
    r"dislike|disliked|don't like|dont like|didn't like|didnt like|not really|no thanks|no thank you|"
    r"not into|not a fan|doesn't appeal|doesnt appeal|uninteresting|lame|stupid|silly|overrated|nope|"
    r"not my thing|not my style|rather not|sucks|sucked|wasn't good|wasnt good|not great|not good)\b|👎",
    re.I,
)
POSITIVE_PATTERN = re.compile(
    r"\b(love|loved|like|liked|great|awesome|perfect|good|interesting|fun|cool|nice|amazing|excellent|"
    r"fantastic|intriguing|brilliant|wonderful|sounds good|will watch|i'll watch|gonna watch|add|yes|"
    r"favorite|favourite|enjoyed|promising|right up my alley|exciting|appealing|yeah|yep)\b|👍|❤|😍",
    re.I,
)
CLAUSE_SPLIT = re.compile(r"[,;.!?]|\b(?:and|but|while|although|though|whereas|also)\b", re.I)


@dataclass(frozen=True)
class Signal:
    """Feedback on one shown item; ``position`` is 1-based."""

    item: Item
    position: int
    signal: str


@dataclass
class FeedbackParse:
    signals: list[Signal] = field(default_factory=list)
    # Ordinals the user named that were not shown ("the fifth one" of three).
    out_of_range: list[int] = field(default_factory=list)
    # Sentiment was given but it is unclear which item it is about.
    ambiguous: bool = False


def clause_signal(clause: str) -> str | None:
    """Return "seen", "like" or "dislike" for a clause, or None when it carries no sentiment.

    Seen with a sentiment counts as that sentiment, since both block the item.
    """
    negative = bool(NEGATIVE_PATTERN.search(clause))
    positive = bool(POSITIVE_PATTERN.search(clause))
    seen = bool(SEEN_PATTERN.search(clause))
    if negative:
        return "dislike"
    if positive:
        return "like"
    if seen:
        return "seen"
    return None


def _ordinal_positions(clause: str, shown_count: int) -> list[int]:
    positions: list[int] = []
    lowered = clause.lower()
    for word, position in ORDINAL_WORDS.items():
        if re.search(rf"\b{word}\b", lowered):
            positions.append(position)
    for match in re.finditer(r"(?:#|number|no\.?|option|item)\s*(\d{1,2})\b", lowered):
        positions.append(int(match.group(1)))
    for word, position in NUMBER_WORDS.items():
        if re.search(rf"\b(?:number|#)\s*{word}\b", lowered):
            positions.append(position)
    if any(re.search(rf"\b{word}\b", lowered) for word in LAST_WORDS) and shown_count:
        positions.append(shown_count)
    if re.search(r"\bmiddle\b", lowered) and shown_count == 3:
        positions.append(2)
    return sorted(set(positions))


def _title_positions(clause: str, shown: list[Item]) -> list[int]:
    lowered = clause.lower()
    positions = []
    for position, item in enumerate(shown, start=1):
        title = re.sub(r"^(the|a|an)\s+", "", item.title.lower())
        if len(title) >= 3 and (title in lowered or fuzz.partial_ratio(title, lowered) >= 90):
            positions.append(position)
    return positions


def referenced_positions(text: str, shown: list[Item]) -> list[int]:
    """Return the 1-based positions ``text`` refers to by ordinal or title, out-of-range ones included."""
    positions = set(_ordinal_positions(text, len(shown))) | set(_title_positions(text, shown))
    if ALL_PATTERN.search(text):
        positions |= set(range(1, len(shown) + 1))
    return sorted(positions)


def parse_feedback(message: str, shown: list[Item]) -> FeedbackParse:
    """Return the signals in ``message`` about the ``shown`` items (the last turn's, in order)."""
    result = FeedbackParse()
    pending: list[int] = []
    clauses = [clause.strip() for clause in CLAUSE_SPLIT.split(message) if clause and clause.strip()]
    unattached: list[str] = []
    last_targets: list[int] = []
    for clause in clauses:
        positions = _ordinal_positions(clause, len(shown)) + _title_positions(clause, shown)
        signal = clause_signal(clause)
        everything = ALL_PATTERN.search(clause)
        if everything:
            positions = list(range(1, len(shown) + 1))
            if everything.group(1).lower() in ("none of them", "neither"):
                signal = "dislike"
        if signal is None:
            pending.extend(positions)
            continue
        targets = sorted(set(pending + positions))
        pending = []
        if not targets and last_targets and SINGLE_PATTERN.search(clause):
            # "seen the last one, loved it": "it" is the item of the previous clause.
            targets = last_targets
        if not targets:
            unattached.append(signal)
            continue
        _attach(result, targets, signal, shown)
        last_targets = targets
    if pending and unattached:
        _attach(result, sorted(set(pending)), unattached[-1], shown)
        unattached = []
    if unattached and not result.signals and not result.out_of_range:
        if len(shown) == 1 or (SINGLE_PATTERN.search(message) and len(shown) == 1):
            _attach(result, [1], unattached[0], shown)
        else:
            result.ambiguous = True
    return result


def _attach(result: FeedbackParse, positions: list[int], signal: str, shown: list[Item]) -> None:
    for position in positions:
        if 1 <= position <= len(shown):
            item = shown[position - 1]
            result.signals = [existing for existing in result.signals if existing.item.id != item.id]
            result.signals.append(Signal(item=item, position=position, signal=signal))
        elif position not in result.out_of_range:
            result.out_of_range.append(position)
