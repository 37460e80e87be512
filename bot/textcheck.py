"""Checks on raw user text before it is parsed: empty, no words, too long, not English."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Longer messages are cut to this many characters before parsing; the feedback
# store still keeps the whole message.
MAX_CHARS = 2000

ENGLISH_HINTS = {
    "the", "a", "an", "i", "you", "me", "my", "is", "are", "was", "and", "or", "but", "like", "movie",
    "movies", "film", "films", "something", "want", "watch", "seen", "one", "it", "that", "this", "with",
    "no", "not", "yes", "please", "thanks", "hi", "hello", "hey", "good", "great", "love", "from",
    "of", "to", "in", "for", "some", "any", "recommend", "show", "what", "why", "how", "more", "ok",
}
FOREIGN_HINTS = {
    # Spanish, French, German, Italian, Portuguese, Dutch function words and movie words.
    "el", "la", "los", "las", "una", "uno", "que", "quiero", "película", "pelicula", "películas",
    "por", "favor", "con", "sin", "muy", "algo", "le", "les", "des", "une", "je", "veux", "voir",
    "film", "avec", "pas", "quelque", "chose", "der", "die", "das", "ein", "eine", "ich", "möchte",
    "einen", "nicht", "und", "mit", "etwas", "il", "voglio", "vedere", "qualcosa", "di", "gli",
    "filme", "eu", "quero", "assistir", "um", "het", "een", "wil", "kijken", "graag", "bitte",
    "merci", "gracias", "grazie", "obrigado", "danke", "hola", "bonjour", "hallo", "ciao",
}


@dataclass(frozen=True)
class TextCheck:
    """Outcome of :func:`check_text`: the text to parse and, if set, a problem to reply with."""

    text: str
    problem: str | None = None  # "empty", "no_words" or "not_english"
    truncated: bool = False


def _letters(text: str) -> list[str]:
    return [char for char in text if unicodedata.category(char).startswith("L")]


def looks_non_english(text: str) -> bool:
    """Return whether ``text`` is most likely not English.

    A rough check: mostly non-Latin letters, or at least two foreign function
    words and more of them than English ones. Short or mixed messages pass.
    """
    letters = _letters(text)
    if not letters:
        return False
    latin = sum("LATIN" in unicodedata.name(char, "") for char in letters)
    if latin / len(letters) < 0.5:
        return True
    words = re.findall(r"[^\W\d_]+", text.lower())
    english = sum(word in ENGLISH_HINTS for word in words)
    foreign = sum(word in FOREIGN_HINTS and word not in ENGLISH_HINTS for word in words)
    return foreign >= 2 and foreign > english


def check_text(message: str | None) -> TextCheck:
    """Classify raw user text; the returned text is cut to MAX_CHARS."""
    text = (message or "").strip()
    if not text:
        return TextCheck(text="", problem="empty")
    if not re.search(r"[^\W_]", text):
        return TextCheck(text=text, problem="no_words")
    truncated = len(text) > MAX_CHARS
    text = text[:MAX_CHARS]
    if looks_non_english(text):
        return TextCheck(text=text, problem="not_english", truncated=truncated)
    return TextCheck(text=text, truncated=truncated)
