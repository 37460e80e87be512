"""Read stated preferences from one user message: genres, exclusions, era,
people, reference titles and the free-text wish that remains.

The dialogue engine's entities are hints; the text is always parsed too, so the
core works the same from the CLI and the benchmark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.genres import GENRE_PATTERN, genres_for

NEGATORS = {
    "no", "not", "nothing", "without", "less", "don't", "dont", "hate", "avoid", "except",
    "never", "isn't", "isnt", "aren't", "nor", "skip", "dislike", "too", "zero", "non",
}
# "too" covers "nothing too scary"; "less" covers "less scary".

DECADE_WORDS = {
    "seventies": 1970, "eighties": 1980, "nineties": 1990, "sixties": 1960, "fifties": 1950,
    "forties": 1940, "thirties": 1930, "twenties": 2020,
}

FILLER_WORDS = {
    "a", "an", "the", "i", "me", "my", "we", "us", "you", "your", "is", "are", "was", "be", "am",
    "some", "something", "anything", "any", "movie", "movies", "film", "films", "flick", "flicks",
    "recommend", "recommendation", "recommendations", "suggest", "suggestion", "show", "give",
    "want", "wanna", "would", "like", "love", "please", "can", "could", "maybe", "perhaps",
    "to", "watch", "see", "in", "of", "for", "and", "or", "but", "from", "with", "that", "this",
    "it", "mood", "feel", "feeling", "looking", "find", "get", "good", "great", "one", "ones",
    "kind", "sort", "type", "similar", "else", "more", "other", "another", "new", "tonight",
    "today", "now", "just", "really", "very", "so", "some", "what", "about", "how", "something's",
    "im", "i'm", "id", "i'd", "lets", "let's", "hi", "hey", "hello", "thanks", "thank", "ok", "okay",
}

_YEAR = r"(1[89]\d\d|20\d\d)"


@dataclass
class PreferenceUpdate:
    """Preferences found in one message."""

    genres: list[str] = field(default_factory=list)
    excluded_genres: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    year_min: int | None = None
    year_max: int | None = None
    # Title text the user referred to ("Alien"), to be resolved against the catalog.
    title_texts: list[str] = field(default_factory=list)
    description: str = ""

    def is_empty(self) -> bool:
        return not (
            self.genres or self.excluded_genres or self.people or self.title_texts or self.description
            or self.year_min is not None or self.year_max is not None
        )


def _negation_start(text: str, start: int) -> int | None:
    """Return where a negation word within the three words before ``start`` begins, or None."""
    words = list(re.finditer(r"[\w']+", text[:start]))[-3:]
    for word in words:
        if word.group(0).lower() in NEGATORS:
            return word.start()
    return None


def parse_genres(text: str) -> tuple[list[str], list[str], list[tuple[int, int]]]:
    """Return (wanted genres, excluded genres, spans of excluded phrases)."""
    wanted: list[str] = []
    excluded: list[str] = []
    negated_spans: list[tuple[int, int]] = []
    for match in GENRE_PATTERN.finditer(text):
        labels = genres_for(match.group(1))
        negation_start = _negation_start(text, match.start())
        if negation_start is not None:
            excluded.extend(label for label in labels if label not in excluded)
            negated_spans.append((negation_start, match.end()))
        else:
            wanted.extend(label for label in labels if label not in wanted)
    wanted = [genre for genre in wanted if genre not in excluded]
    return wanted, excluded, negated_spans


def parse_era(text: str, latest_year: int = 2024) -> tuple[int | None, int | None]:
    """Return (year_min, year_max) from phrases like "80s", "from 1995", "before 2000", "recent"."""
    lowered = text.lower()
    match = re.search(r"between\s+" + _YEAR + r"\s+and\s+" + _YEAR, lowered)
    if match:
        low, high = sorted((int(match.group(1)), int(match.group(2))))
        return low, high
    match = re.search(r"(?:after|since|newer than|later than|post)\s+" + _YEAR, lowered)
    if match:
        return int(match.group(1)), None
    match = re.search(r"(?:before|older than|earlier than|pre|prior to)\s+" + _YEAR, lowered)
    if match:
        return None, int(match.group(1))
    match = re.search(r"(?<!\d)(?:(1[89]|20)(\d)0|'?(\d)0)'?s\b", lowered)
    if match:
        if match.group(1):
            start = int(match.group(1) + match.group(2) + "0")
        else:
            digit = int(match.group(3))
            start = (2000 if digit <= 2 else 1900) + digit * 10
        return start, start + 9
    for word, start in DECADE_WORDS.items():
        if re.search(rf"\b{word}\b", lowered):
            return start, start + 9
    match = re.search(r"(?:from|in|of|made in|released in)\s+" + _YEAR + r"\b", lowered)
    if match:
        year = int(match.group(1))
        return year, year
    if re.search(r"\b(recent|new release|newer|latest|modern|lately)\b", lowered):
        return latest_year - 6, None
    if re.search(r"\b(classic|old school|old-school|older|oldies)\b", lowered):
        return None, 1989
    return None, None


TITLE_CUE = re.compile(
    r"\b(?:like|similar to|such as|as good as|in the vein of|loved|enjoyed|liked|a fan of|fan of|reminds me of)\s+"
    r"(?P<title>\"[^\"]+\"|'[^']+'|(?:[A-Z0-9][\w:'&.-]*)(?:\s+(?:[A-Z0-9][\w:'&.-]*|of|the|and|in|on|a|to|&))*)"
)


def parse_title_texts(text: str) -> list[str]:
    """Return title-like spans after cue words ("like Alien", "loved 'the matrix'")."""
    titles: list[str] = []
    for match in TITLE_CUE.finditer(text):
        title = match.group("title").strip("\"' ")
        title = re.sub(r"\s+(?:of|the|and|in|on|a|to|&)$", "", title)
        if title and title.lower() not in FILLER_WORDS and title not in titles:
            titles.append(title)
    return titles


def residual_description(text: str, removed_spans: list[tuple[int, int]]) -> str:
    """Return what remains of the wish once negated phrases are cut out, or "" if only filler remains."""
    kept = list(text)
    for start, end in removed_spans:
        for position in range(start, min(end, len(kept))):
            kept[position] = " "
    remaining = re.sub(r"\s+", " ", "".join(kept)).strip(" ,.;!?")
    words = re.findall(r"[a-z0-9']+", remaining.lower())
    content = [word for word in words if word not in FILLER_WORDS and word not in NEGATORS]
    return remaining if content else ""


def entity_values(entities: list[dict[str, Any]] | None, name: str) -> list[str]:
    """Return the string values of the dialogue engine's entities called ``name``."""
    values: list[str] = []
    for entity in entities or []:
        if entity.get("entity") == name and isinstance(entity.get("value"), str):
            value = entity["value"].strip()
            if value and value not in values:
                values.append(value)
    return values


def parse_preferences(
    text: str, entities: list[dict[str, Any]] | None = None, latest_year: int = 2024
) -> PreferenceUpdate:
    """Parse one message into a :class:`PreferenceUpdate`; people are matched separately."""
    wanted, excluded, negated_spans = parse_genres(text)
    for value in entity_values(entities, "genre"):
        for label in genres_for(value):
            if label not in wanted and label not in excluded:
                wanted.append(label)
    text_wanted = set(wanted)
    for value in entity_values(entities, "exclusion"):
        for label in genres_for(re.sub(r"^(no|not|without|nothing)\s+", "", value.lower())):
            # The text parse outranks an entity: "I want a scary movie" stays a horror request.
            if label in text_wanted:
                continue
            if label not in excluded:
                excluded.append(label)
            if label in wanted:
                wanted.remove(label)
    year_min, year_max = parse_era(text, latest_year)
    titles = parse_title_texts(text)
    for value in entity_values(entities, "title"):
        if value.lower() not in (title.lower() for title in titles):
            titles.append(value)
    return PreferenceUpdate(
        genres=wanted,
        excluded_genres=excluded,
        year_min=year_min,
        year_max=year_max,
        title_texts=titles,
        description=residual_description(text, negated_spans),
    )
