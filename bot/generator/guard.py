"""Faithfulness guard: a generated reply may reach the user only if it passes.

A reply passes when it names every item it was given, names no other catalog
title, and is not empty, cut off, repetitive or a copy of the prompt.

A given item is named when its title appears in any case, without its leading
article, or as one side of a colon with two words or more ("The Force
Awakens"). A one-word title must be capitalised or quoted, and an everyday one
("It", "Up") must also be quoted, followed by a year or not start a sentence.
So "It is a classic." does not name the film "It", and neither does "Up is
lovely." name "Up", which costs a retry.

Rule for other titles. Every catalog title found in the reply at word
boundaries is a candidate, unless it overlaps a given item's mention ("Up"
inside "Up in the Air") or has the same words as a given item. A candidate is
flagged when it plausibly is a title:
- it is quoted ("Heat", *Heat*), or a year in parentheses follows it, or
- it has two words or more, is capitalised (every word except small words
  such as "of" starts with a capital or digit) and has a word outside
  ``COMMON_WORDS`` ("The Matrix", but not "Take Care"), or
- it has three words or more in any case, two of them outside
  ``COMMON_WORDS`` ("the lord of the rings", but not "back in the day"), or
- it is one capitalised word outside ``COMMON_WORDS`` that neither starts a
  sentence nor is followed by another capitalised word ("try Heat", but not
  "Julia Roberts").
A one-word candidate that is a genre label ("Romance", "War") or a number is
flagged only when quoted or followed by a year.

NOTE: known gaps of that rule. A one-word title that starts a sentence
("Heat is great.") or is an everyday word ("It", "Up") is not flagged without
quotes or a year. Neither is a lower-case title of one or two words ("a good
time", "heat"), a title written with digits for words ("Ocean's 11" for
"Ocean's Eleven"), or a two-word title made of everyday words ("Good Time").
Capitalised words that happen to be titles ("Heat" in "the Heat game") are
flagged, which only costs a fallback.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.generator.matching import COMMON_WORDS, SMALL_WORDS, Match, TitleIndex, Token, title_key, tokenize
from bot.generator.prompt import PROMPT_LABELS, PromptItem

# Characters that open or close a quoted title.
QUOTES = "\"'“”‘’*_«»"
# Character before a word that starts a sentence, once spaces and opening quotes are skipped.
SENTENCE_ENDS = ".!?:;\n"
# Replies sharing this many consecutive words with the context outside an item title echo it.
ECHO_WORDS = 8
_SENTENCE_END_PATTERN = re.compile(r"[.!?][\"'”’)\]]*(?=\s|$)")
_YEAR_AFTER_PATTERN = re.compile(r"\s*\((\d{4})\)")
_SPECIAL_TOKEN_PATTERN = re.compile(r"<\|[^|>]*\|>")


@dataclass
class GuardResult:
    """Outcome of a check, with the reply as it may be shown (trimmed when it was cut off)."""

    text: str
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.problems)

    @property
    def reason(self) -> str:
        """Return a one-line description of every failure, empty when the reply passed."""
        parts = list(self.problems)
        if self.missing:
            parts.append(f"missing {self.missing}")
        if self.extra:
            parts.append(f"other titles {self.extra}")
        return "; ".join(parts)


def trim_to_sentence(text: str) -> str:
    """Return ``text`` up to the end of its last complete sentence, or "" if it has none."""
    ends = list(_SENTENCE_END_PATTERN.finditer(text))
    return text[: ends[-1].end()].strip() if ends else ""


def is_repetitive(text: str) -> bool:
    """Return whether ``text`` loops: a word 4 times in a row, a 3-word run 3 times, or a repeated sentence."""
    tokens = [token.word for token in tokenize(text)]
    for position in range(len(tokens) - 3):
        if len(set(tokens[position : position + 4])) == 1:
            return True
    trigrams = Counter(zip(tokens, tokens[1:], tokens[2:]))
    if trigrams and trigrams.most_common(1)[0][1] >= 3:
        return True
    sentences = [" ".join(sentence.lower().split()) for sentence in re.split(r"[.!?\n]+", text)]
    sentences = [sentence for sentence in sentences if len(sentence.split()) >= 3]
    return len(sentences) != len(set(sentences))


def _is_quoted(text: str, first: Token, last: Token) -> bool:
    before = text[first.start - 1] if first.start > 0 else ""
    after = text[last.end] if last.end < len(text) else ""
    return bool(before and after) and before in QUOTES and after in QUOTES


def _starts_sentence(text: str, token: Token) -> bool:
    before = text[: token.start].rstrip().rstrip(QUOTES + "(").rstrip()
    return not before or before[-1] in SENTENCE_ENDS


def _ends_sentence_between(text: str, first: Token, second: Token) -> bool:
    return any(char in SENTENCE_ENDS for char in text[first.end : second.start])


def _is_capitalised(text: str, tokens: Sequence[Token]) -> bool:
    for position, token in enumerate(tokens):
        if position > 0 and token.word in SMALL_WORDS:
            continue
        initial = text[token.start]
        if not (initial.isupper() or initial.isdigit()):
            return False
    return True


def _covers(outer: Match, inner: Match) -> bool:
    return outer.first <= inner.first and inner.last <= outer.last


def _covers_longer(outer: Match, inner: Match) -> bool:
    return _covers(outer, inner) and outer.last - outer.first > inner.last - inner.first


def _written_as_in_title(text: str, tokens: Sequence[Token], title: str) -> bool:
    return text[tokens[0].start : tokens[-1].end] in title


class FaithfulnessGuard:
    """Checks replies against the items they present and every title of the catalog."""

    def __init__(self, catalog_titles: Iterable[str], genre_labels: Iterable[str] = ()) -> None:
        self.catalog = TitleIndex(catalog_titles)
        self.genre_words = {key[0] for key in map(title_key, genre_labels) if len(key) == 1}

    def check(
        self,
        reply: str,
        items: Sequence[PromptItem],
        *,
        require_all: bool = True,
        context: str = "",
        truncated: bool = False,
    ) -> GuardResult:
        """Check ``reply`` against ``items``.

        ``require_all`` requires every item to be named (recommendations); an
        acknowledgement may name some of its items or none. ``context`` is the
        user text in the prompt, for the echo test. ``truncated`` means that
        generation stopped at its token limit, so an unfinished last sentence is
        dropped.
        """
        text = _SPECIAL_TOKEN_PATTERN.sub(" ", reply).strip()
        result = GuardResult(text=text)
        if truncated:
            text = trim_to_sentence(text)
            result.text = text
            if not text:
                result.problems.append("truncated")
                return result
        if not any(char.isalnum() for char in text):
            result.problems.append("empty")
            return result
        if is_repetitive(text):
            result.problems.append("repeated")

        tokens = tokenize(text)
        item_matches = self._item_matches(text, tokens, items)
        if self._echoes(text, tokens, context, items, item_matches):
            result.problems.append("echo of the prompt")

        result.extra = self._other_titles(text, tokens, items, item_matches)
        named = {match.title for match in item_matches}
        if require_all:
            result.missing = [item.title for item in items if item.title not in named]
        result.problems.extend(self._wrong_years(text, tokens, items, item_matches))
        return result

    def _item_matches(self, text: str, tokens: list[Token], items: Sequence[PromptItem]) -> list[Match]:
        """Find mentions of the given items; a one-word title counts only when written as a title.

        A one-word title that is an everyday word ("It", "Up") also needs quotes,
        a year after it, or a place other than the start of a sentence, so that
        "It is a classic." does not count as naming the film "It".
        """
        matches = []
        for match in TitleIndex((item.title for item in items), partial=True).find(tokens):
            span = tokens[match.first : match.last]
            if len(span) == 1 and not self._names_one_word_item(text, span[0], match.title):
                continue
            matches.append(match)
        return matches

    @staticmethod
    def _names_one_word_item(text: str, token: Token, title: str) -> bool:
        quoted = _is_quoted(text, token, token)
        if quoted or _YEAR_AFTER_PATTERN.match(text, token.end):
            return True
        if not (_is_capitalised(text, [token]) or _written_as_in_title(text, [token], title)):
            return False
        return token.word not in COMMON_WORDS or not _starts_sentence(text, token)

    def _other_titles(
        self, text: str, tokens: list[Token], items: Sequence[PromptItem], item_matches: list[Match]
    ) -> list[str]:
        """Return the flagged other titles, and drop from ``item_matches`` those inside a longer title."""
        item_keys = {title_key(item.title) for item in items}
        flagged: list[Match] = []
        for match in self.catalog.find(tokens):
            if title_key(match.title) in item_keys:
                continue
            if any(_covers(item_match, match) for item_match in item_matches):
                continue
            if self._looks_like_title(text, tokens, match):
                flagged.append(match)

        # "Up" written inside "Up in the Air" does not name the item "Up".
        item_matches[:] = [m for m in item_matches if not any(_covers_longer(other, m) for other in flagged)]
        # Report "Up in the Air", not also the "Up" inside it.
        longest = [m for m in flagged if not any(_covers_longer(other, m) for other in flagged)]
        return list(dict.fromkeys(match.title for match in longest))

    def _looks_like_title(self, text: str, tokens: list[Token], match: Match) -> bool:
        span = tokens[match.first : match.last]
        if _is_quoted(text, span[0], span[-1]) or _YEAR_AFTER_PATTERN.match(text, span[-1].end):
            return True
        uncommon = sum(token.word not in COMMON_WORDS for token in span)
        capitalised = _is_capitalised(text, span) or _written_as_in_title(text, span, match.title)
        if len(span) >= 3 and uncommon >= 2:
            return True
        if len(span) >= 2:
            return capitalised and uncommon >= 1
        word = span[0]
        if not capitalised or uncommon == 0 or word.possessive or word.word.isdigit():
            return False
        if word.word in self.genre_words or _starts_sentence(text, word):
            return False
        following = tokens[match.last] if match.last < len(tokens) else None
        name_follows = following is not None and _is_capitalised(text, [following]) and not _ends_sentence_between(
            text, word, following
        )
        return not name_follows

    @staticmethod
    def _wrong_years(
        text: str, tokens: list[Token], items: Sequence[PromptItem], item_matches: list[Match]
    ) -> list[str]:
        # Two given items may share a title ("It", 1990 and 2017), so any of their years is right.
        years: dict[str, set[int]] = {}
        for item in items:
            if item.year:
                years.setdefault(item.title, set()).add(item.year)
        problems = []
        for match in item_matches:
            found = _YEAR_AFTER_PATTERN.match(text, tokens[match.last - 1].end)
            expected = years.get(match.title)
            if found and expected and all(abs(int(found.group(1)) - year) > 1 for year in expected):
                listed = ", ".join(str(year) for year in sorted(expected))
                problems.append(f"wrong year {found.group(1)} for {match.title} ({listed})")
        return problems

    @staticmethod
    def _echoes(
        text: str, tokens: list[Token], context: str, items: Sequence[PromptItem], item_matches: list[Match]
    ) -> bool:
        if any(label in text for label in PROMPT_LABELS):
            return True
        # A copied movie line such as "Heat (1995, crime)" lists the prompt's facts verbatim.
        lowered = text.lower()
        for item in items:
            facts = item.describe()[len(item.title) :].strip().lower()
            if "," in facts and facts.rstrip(")") in lowered:
                return True
        context_words = [token.word for token in tokenize(context)]
        if len(context_words) < ECHO_WORDS:
            return False
        context_runs = {tuple(context_words[i : i + ECHO_WORDS]) for i in range(len(context_words) - ECHO_WORDS + 1)}
        reply_words = [token.word for token in tokens]
        for first in range(len(reply_words) - ECHO_WORDS + 1):
            if tuple(reply_words[first : first + ECHO_WORDS]) not in context_runs:
                continue
            inside_title = any(m.first <= first and first + ECHO_WORDS <= m.last for m in item_matches)
            if not inside_title:
                return True
        return False
