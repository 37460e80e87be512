"""Title matching in free text: word tokens, title variants and a first-word index.

Text and titles are compared as sequences of folded words: lower case, accents
removed, "&" read as "and", apostrophes dropped, and a possessive "'s" removed
(so "Alien's" is the word "alien" and never the title "Aliens"). Matches only
start and end at word boundaries, so "Alien" is not found inside "Aliens".
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

LEADING_ARTICLES = frozenset({"the", "a", "an"})
# Words left in lower case inside a title ("Lord of the Rings"), for the capitalisation test.
SMALL_WORDS = frozenset(
    {"a", "an", "the", "of", "and", "in", "on", "at", "to", "for", "with", "from", "by", "or", "vs", "nor", "but"}
)
# Everyday chat words: function words, pronouns, common verbs and time words.
# A title made only of these ("It", "Take Care", "back in the day") is flagged
# by the guard only with stronger evidence, such as quotes or a year after it.
COMMON_WORDS = frozenset(
    """
    a about after again all also always an and another any anything are around as at away back bad be
    because been before being best better big both but by call came can come could day days did do does
    doing done down each end enough even ever every everything far feel few find first for from get gets
    getting give go going gone good got great had has have he her here him his home how i if in into is
    it its just keep kind know last late later left let life like little long look looking lot love made
    make man many may me might more most much must my need never new next nice night no not nothing now
    of off oh ok okay old on once one only or other our out over own part people place play pretty put
    real really right said same saw say see seen she should show since so some something soon still
    such sure take tell than thank thanks that the their them then there these they thing things think
    this those though time times to today together tonight too try two under up us very want was watch
    way we week well went were what when where which while who why will with without would yeah year
    years yes yet you your remember care movie movies film films story stories guy guys boys girls kids
    friends family fun funny
    """.split()
)
_WORD_PATTERN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|&")
_TRAILING_ARTICLE_PATTERN = re.compile(r"^(?P<title>.+),\s*(?P<article>the|a|an)$", re.IGNORECASE)


@dataclass(frozen=True)
class Token:
    """A folded word and its character span in the original text."""

    word: str
    start: int
    end: int
    possessive: bool = False


@dataclass(frozen=True)
class Match:
    """A title found in a token sequence, as the half-open token range [first, last)."""

    title: str
    first: int
    last: int


def _fold_char(char: str) -> str:
    # One output character per input character, so spans stay valid in the original text.
    base = unicodedata.normalize("NFKD", char)
    return base[0] if base and not unicodedata.combining(base[0]) else char


def fold(text: str) -> str:
    """Remove accents character by character, keeping the length of ``text``."""
    return "".join(_fold_char(char) for char in text)


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into folded word tokens with their spans."""
    tokens = []
    for found in _WORD_PATTERN.finditer(fold(text)):
        raw = found.group().lower().replace("’", "'")
        if raw == "&":
            tokens.append(Token("and", found.start(), found.end()))
            continue
        possessive = raw.endswith("'s")
        if possessive:
            raw = raw[:-2]
        tokens.append(Token(raw.replace("'", ""), found.start(), found.end(), possessive))
    return tokens


def words(text: str) -> tuple[str, ...]:
    """Return the folded words of ``text``."""
    return tuple(token.word for token in tokenize(text))


def _unpack_trailing_article(title: str) -> str:
    # "Matrix, The" is how some lists sort titles; read it as "The Matrix".
    found = _TRAILING_ARTICLE_PATTERN.match(title.strip())
    return f"{found.group('article')} {found.group('title')}" if found else title


def title_key(title: str) -> tuple[str, ...]:
    """Return the words of ``title`` without a leading article, for exact lookups."""
    title_words = words(_unpack_trailing_article(title))
    if len(title_words) > 1 and title_words[0] in LEADING_ARTICLES:
        return title_words[1:]
    return title_words


def title_variants(title: str, *, partial: bool = False) -> set[tuple[str, ...]]:
    """Return the word sequences that count as naming ``title`` in text.

    Always the full title, with and without a leading article, with a
    hyphenated word written as one ("Spider-Man" also as "spiderman") and a
    possessive without its apostrophe ("Schindlers List"). With
    ``partial``, a side of a colon that has two words or more counts too, so
    "Star Wars" or "The Force Awakens" name "Star Wars: The Force Awakens".
    """
    title = _unpack_trailing_article(title)
    spellings = {title}
    if "-" in title:
        spellings.add(re.sub(r"(?<=\w)-(?=\w)", "", title))
    if partial and ":" in title:
        head, _, tail = title.partition(":")
        spellings.update(part for part in (head, tail) if len(title_key(part)) >= 2)

    variants = set()
    for spelling in spellings:
        spelling_tokens = tokenize(spelling)
        if not spelling_tokens:
            continue
        forms = {tuple(token.word for token in spelling_tokens)}
        if any(token.possessive for token in spelling_tokens):
            # "Schindler's List" is often typed "Schindlers List".
            forms.add(tuple(token.word + "s" if token.possessive else token.word for token in spelling_tokens))
        for form in forms:
            variants.add(form)
            if len(form) > 1 and form[0] in LEADING_ARTICLES:
                variants.add(form[1:])
    return variants


class TitleIndex:
    """Titles indexed by their first word, for finding every title in a text in one pass."""

    def __init__(self, titles: Iterable[str], *, partial: bool = False) -> None:
        self._by_first_word: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        self.titles: set[str] = set()
        for title in titles:
            if not title or not title.strip() or title in self.titles:
                continue
            self.titles.add(title)
            for variant in title_variants(title, partial=partial):
                self._by_first_word[variant[0]].append((variant, title))

    def __len__(self) -> int:
        return len(self.titles)

    def find(self, tokens: list[Token]) -> list[Match]:
        """Return every occurrence of every title variant in ``tokens``, overlapping ones included."""
        matches = []
        token_words = [token.word for token in tokens]
        for first, word in enumerate(token_words):
            for variant, title in self._by_first_word.get(word, ()):
                last = first + len(variant)
                if tuple(token_words[first:last]) == variant:
                    matches.append(Match(title, first, last))
        return matches
