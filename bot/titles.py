"""Movie titles: normalisation, lookup of a typed title, and titles mentioned in chat.

``TitleResolver.find_mentions`` favours precision over recall, because a wrong
title steers a recommendation further off than a missed one. A word sequence
counts as a mention when its normalised form is a catalog title (or the
subtitle of one, such as "The Last Jedi") and one of these holds:

1. It is written ``@<id>`` with a ReDial movie id that an item carries.
2. It is in quotes ("Up", “Up”, 'Up'). Quoted text may also be a near miss
   (fuzzy score of at least 90).
3. It is the whole message, after an opener such as "or maybe" ("Scary
   Movie"), unless all its words are common chat vocabulary ("Good night") or
   it is one lowercase word ("nope").
4. It follows a cue: "like", "loved", "similar to", "as good as", "seen",
   "watched", "heard of", ... Titles listed after one cue ("loved Alien, Heat
   and Up") all count. A capitalised title counts unless a capitalised word
   follows it ("I like Ted Danson") or, for one-word titles, "movie(s)" or
   "film(s)" does ("I like Christmas movies"). A lowercase title needs a word
   that is not common vocabulary (so "something like a scary movie" finds
   nothing). A lowercase one-word title also needs a strong cue ("similar
   to", "seen", "movies like") or a leading article ("loved the matrix"), and
   no uncommon word right after it ("didn't like the evil lady").
5. Without a cue, one of these is needed. It is in title case and at least
   two words ("The Matrix", "Star Wars", "Deadpool 2"). It is lowercase with
   at least three words, two of them not common vocabulary ("the lord of the
   rings"). It is followed by its year in parentheses ("Heat (1986)").

Capitals at a sentence start, the pronoun "I" and all-capital words ("LOVED
IT") do not count as capitalised. So common words that are also titles ("up",
"her", "it", "heat") never count in lowercase without a cue, and one
capitalised word needs a cue, quotes, its year or a message of its own.
"""

from __future__ import annotations

import bisect
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.genres import GENRE_SYNONYMS
from bot.items import Catalog, Item

logger = logging.getLogger(__name__)

MIN_YEAR, MAX_YEAR = 1870, 2100
# Scores are on rapidfuzz's 0..100 scale.
EXACT_SCORE = 100.0
SUBTITLE_SCORE = 95.0
MIN_RESOLVE_SCORE = 80.0
MIN_SHORT_FUZZY_SCORE = 90.0
MIN_QUOTED_SCORE = 90.0
# Maximum number of words tried as one title in chat (longer titles need quotes).
MAX_MENTION_WORDS = 12

_YEAR_SUFFIX = re.compile(r"\s*\((\d{4})\)\s*$")
_DELETED_CHARS = re.compile(r"['’‘`´*]|(?<!\d)\.|\.(?!\d)")
_SEPARATORS = re.compile(r"[^\w]+|_")
_ROMAN_NUMERAL = re.compile(r"^(x{0,3})(ix|iv|v?i{0,3})$")
_TITLE_PARTS = re.compile(r"\s*(?::| [-–—] )\s*")
_ARTICLES = frozenset({"the", "a", "an"})

_TOKEN = re.compile(r"\w+(?:['’.\-]\w+)*|&")
_HARD_BOUNDARY = re.compile(r"[.!?;()\[\]{}\"“”\n]")
_QUOTED = re.compile(r"\"([^\"]{1,100})\"|“([^”]{1,100})”|(?<!\w)'([^']{1,100})'(?!\w)")
_REDIAL_MENTION = re.compile(r"@(\d+)")
_YEAR_AFTER = re.compile(r"\s*\(\s*(\d{4})\s*\)|\s+(\d{4})\b")

# Lowercase words allowed inside a title-case title ("Lord of the Rings").
_SMALL_WORDS = frozenset("a an and the of in on at to for from with by or nor vs versus de la le".split())
_LIST_CONNECTORS = frozenset("and or also plus then nor".split())
# Words that may open a message made only of a title ("or maybe Aliens").
_MESSAGE_OPENERS = frozenset("or and maybe perhaps also".split())
_MEDIUM_WORDS = frozenset("movie movies film films flick flicks".split())
_FILLERS = (("the", "movie"), ("the", "film"), ("that", "movie"), ("movie",), ("film",))
_WEAK_CUES = frozenset(
    "like liked likes love loved loves enjoy enjoyed enjoys adore adored hate hated hates dislike disliked".split()
)
_STRONG_CUES = tuple(
    tuple(phrase.split())
    for phrase in (
        "similar to", "as good as", "such as", "along the lines of", "in the vein of", "in the style of",
        "reminds me of", "remind me of", "reminded me of", "better than", "worse than", "fan of",
        "what about", "how about", "favorite is", "favourite is", "favorite movie is", "favourite movie is",
        "favorite film is", "favourite film is", "seen", "watched", "saw", "watch", "rewatched", "rewatch",
        "recommend", "recommended", "including", "heard of", "check out", "checked out", "look up", "queue up",
        "try", "suggest", "as well as",
    )
)
# Words before "like" that make it introduce a title ("movies like X", not "I like X").
_STRONG_LIKE_PRECEDERS = frozenset("movie movies film films something anything stuff one ones more kind sort".split())

# Chat vocabulary with little meaning on its own: function words, genres, moods,
# times, company and replies. A lowercase title made only of these is not a mention.
_COMMON_WORDS = frozenset(
    """
    a an the and or but nor so if then than that this these those there here what which who whom whose
    when where why how all any some no not none one ones two three other another each every both either
    i me my mine we us our you your he him his she her it its they them their myself yourself
    am is are was were be been being do does did done have has had having will would can could
    shall should may might must get got go going gone come came make made take took see saw seen
    watch watched want wanted need like liked love loved enjoy enjoyed know think feel look looking
    of in on at to for from with by about into onto over under up down out off through again once
    just only also too very really quite more most less much many few lot lots well still yet even
    now today tonight night day days week weekend morning evening time times year years ago soon later
    movie movies film films flick flicks show shows series tv story stories thing things stuff
    something anything nothing everything someone anyone everyone
    good great best better bad worse worst new old big little small long short real true nice cool fun
    funny scary sad happy dark light classic favorite favourite kind sort type same different
    family friends friend kids kid children child wife husband girlfriend boyfriend date mom dad
    home house man woman men women boy girl people life love world war
    yes yeah ok okay please thanks thank hello hi hey else others super pretty totally absolutely
    definitely probably maybe actually sure excited interested glad im ive id ill youre dont didnt cant
    wont isnt wasnt doesnt havent thats lets black white red blue green holiday holidays
    yesterday tomorrow recently lately last first twice already ever never before after because since
    always sometimes nope yep yup wow awesome lol haha bye goodbye welcome sorry exactly agreed indeed
    right perfect wonderful amazing whatever cheers aloha american
    """.split()
) | frozenset(word for phrase in GENRE_SYNONYMS for word in _SEPARATORS.split(phrase) if word)


def split_title_year(text: str) -> tuple[str, int | None]:
    """Split "Headhunter  (2009)" into ("Headhunter", 2009), with single spaces in the title.

    A missing year, or a parenthesised number outside 1870..2100, gives None.
    """
    collapsed = " ".join(text.split())
    match = _YEAR_SUFFIX.search(collapsed)
    if match is None:
        return collapsed, None
    year = int(match.group(1))
    title = collapsed[: match.start()].strip()
    if not title or not MIN_YEAR <= year <= MAX_YEAR:
        return collapsed, None
    return title, year


def normalize_words(text: str) -> list[str]:
    """Return the normalised words of ``text``, keeping articles and years.

    Casefolds, strips accents, writes "&" as "and", deletes apostrophes,
    asterisks and periods ("E.T." -> "et", "M*A*S*H" -> "mash"; a period
    between digits separates them), splits at other punctuation and writes Roman
    numerals II to XXXIX as digits ("Part II" -> "part 2"; a lone "I", "V" or
    "X" stays a word).
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    stripped = _DELETED_CHARS.sub("", stripped.replace("&", " and "))
    return [_roman_to_digits(word) for word in _SEPARATORS.split(stripped) if word]


def normalize_title(text: str) -> str:
    """Return the lookup key of a title: normalised words without a leading article or trailing "(1979)".

    "The Godfather Part II (1974)" and "godfather part 2" both give "godfather part 2".
    """
    title, _year = split_title_year(text)
    return _join_key(normalize_words(title))


def _roman_to_digits(word: str) -> str:
    match = _ROMAN_NUMERAL.match(word)
    if len(word) < 2 or match is None:
        return word
    tens, units = match.groups()
    unit_values = {"": 0, "i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9}
    return str(10 * len(tens) + unit_values[units])


def _join_key(words: list[str]) -> str:
    if len(words) > 1 and words[0] in _ARTICLES:
        words = words[1:]
    return " ".join(words)


def subtitle_keys(title: str) -> set[str]:
    """Return the keys of a title's parts after ":" or " – " that have two words or more.

    "Star Wars: Episode VIII – The Last Jedi" gives "episode 8 the last jedi" and "last jedi".
    """
    parts = _TITLE_PARTS.split(split_title_year(title)[0])
    keys = set()
    for start in range(1, len(parts)):
        key = normalize_title(" ".join(parts[start:]))
        if len(key.split()) >= 2:
            keys.add(key)
    keys.discard(normalize_title(title))
    return keys


@dataclass(frozen=True)
class TitleMatch:
    """A catalog item matched to text, with a 0..100 score.

    ``span`` is the pair of character offsets of the mention in the message,
    for matches made by ``find_mentions``.
    """

    item: Item
    score: float
    span: tuple[int, int] | None = None


@dataclass(frozen=True)
class _Token:
    text: str
    start: int
    end: int
    words: tuple[str, ...]
    lower: str
    capitalised: bool
    sentence_start: bool
    boundary_before: bool
    comma_before: bool


class TitleResolver:
    """Finds catalog items by title. Build it once per catalog, because it precomputes every key."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._rows_by_key: dict[str, list[int]] = {}
        self._rows_by_subtitle: dict[str, list[int]] = {}
        self._rows_by_redial_id: dict[str, list[int]] = {}
        self._prior: list[tuple[int, int]] = []
        # Normalised words with the leading article, to tell "The Heat" from "Heat" (both have the key "heat").
        self._full_titles: list[str] = []
        for row, item in enumerate(catalog):
            self._rows_by_key.setdefault(normalize_title(item.title), []).append(row)
            self._full_titles.append(" ".join(normalize_words(split_title_year(item.title)[0])))
            for key in subtitle_keys(item.title):
                self._rows_by_subtitle.setdefault(key, []).append(row)
            redial_ids = [value for value in item.source_ids.get("redial", "").split(",") if value]
            for redial_id in redial_ids:
                self._rows_by_redial_id.setdefault(redial_id, []).append(row)
            self._prior.append((1 if redial_ids else 0, len(item.description)))
        self._rows_by_key.pop("", None)
        self._keys = sorted(self._rows_by_key)
        logger.debug("Title resolver built: %d items, %d distinct titles", len(catalog), len(self._keys))

    def resolve(self, text: str, year: int | None = None, limit: int = 5) -> list[TitleMatch]:
        """Return up to ``limit`` items whose title matches ``text``, best first.

        A year in ``text`` ("Alien (1979)") is used when ``year`` is None. Exact
        titles score 100, subtitles 95, near misses their rapidfuzz ratio, and
        titles that start with ``text`` 70 to 100 by the share of the title it
        covers. A year mismatch lowers the score. Nothing under 80 is returned.
        """
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        title, text_year = split_title_year(text)
        words = normalize_words(title)
        key = _join_key(words)
        if text_year is None and key not in self._rows_by_key:
            key, text_year = _split_bare_year(key)
            if text_year is not None:
                words = words[:-1]
        year = year if year is not None else text_year
        if not key:
            return []

        matches = []
        for row, score in self._score_candidates(key, limit).items():
            adjusted = score - _year_penalty(self._catalog[row].year, year)
            if adjusted >= MIN_RESOLVE_SCORE:
                matches.append((adjusted, row))
        full_title = " ".join(words)
        matches.sort(key=lambda pair: (-pair[0], self._rank_among_equals(pair[1], full_title)))
        return [TitleMatch(self._catalog[row], round(score, 2)) for score, row in matches[:limit]]

    def _score_candidates(self, key: str, limit: int) -> dict[int, float]:
        """Score the rows whose title is ``key``, has it as a subtitle, is near it, or starts with it."""
        scores: dict[int, float] = {}
        for row in self._rows_by_key.get(key, ()):
            scores[row] = EXACT_SCORE
        for row in self._rows_by_subtitle.get(key, ()):
            scores[row] = max(scores.get(row, 0.0), SUBTITLE_SCORE)
        # One typo in a word of four letters or fewer already scores 80 ("et" -> "net"), so short text needs 90.
        cutoff = MIN_RESOLVE_SCORE if len(key) > 4 else MIN_SHORT_FUZZY_SCORE
        near = process.extract(key, self._keys, scorer=fuzz.ratio, score_cutoff=cutoff, limit=4 * limit)
        for candidate, ratio, _index in near:
            for row in self._rows_by_key[candidate]:
                scores[row] = max(scores.get(row, 0.0), float(ratio))
        for candidate in self._keys_starting_with(key):
            prefix_score = 70.0 + 30.0 * len(key) / len(candidate)
            for row in self._rows_by_key[candidate]:
                scores[row] = max(scores.get(row, 0.0), prefix_score)
        return scores

    def _keys_starting_with(self, key: str, max_keys: int = 50) -> Iterable[str]:
        prefix = key + " "
        position = bisect.bisect_left(self._keys, prefix)
        for candidate in self._keys[position : position + max_keys]:
            if not candidate.startswith(prefix):
                break
            yield candidate

    def find_mentions(self, message: str) -> list[TitleMatch]:
        """Return the catalog titles mentioned in ``message``, in order of appearance.

        The rules are in this module's docstring. Each item is returned once.
        """
        tokens = _tokenize(message)
        claimed = [False] * len(tokens)
        found: list[TitleMatch] = []

        for match in _REDIAL_MENTION.finditer(message):
            for row in self._rows_by_redial_id.get(match.group(1), ())[:1]:
                found.append(TitleMatch(self._catalog[row], EXACT_SCORE, match.span()))
        self._find_quoted(message, tokens, claimed, found)
        self._find_whole_message(tokens, claimed, found)
        self._find_after_cues(message, tokens, claimed, found)
        self._find_without_cue(message, tokens, claimed, found)

        found.sort(key=lambda match: match.span or (0, 0))
        unique: dict[str, TitleMatch] = {}
        for match in found:
            unique.setdefault(match.item.id, match)
        return list(unique.values())

    def _find_quoted(self, message: str, tokens: list[_Token], claimed: list[bool], found: list[TitleMatch]) -> None:
        for quote in _QUOTED.finditer(message):
            group = next(index for index in (1, 2, 3) if quote.group(index) is not None)
            best = self.resolve(quote.group(group), limit=1)
            if best and best[0].score >= MIN_QUOTED_SCORE:
                start, end = quote.span(group)
                found.append(TitleMatch(best[0].item, best[0].score, (start, end)))
                for index, token in enumerate(tokens):
                    if token.start >= start and token.end <= end:
                        claimed[index] = True

    def _find_whole_message(self, tokens: list[_Token], claimed: list[bool], found: list[TitleMatch]) -> None:
        """Accept a message that is only a title ("Scary Movie", "or maybe Aliens").

        Every word common, or one lowercase word, is not enough.
        """
        start = 0
        while start < len(tokens) and tokens[start].lower in _MESSAGE_OPENERS:
            start += 1
        span = tokens[start:]
        if not span or any(claimed[start:]) or any(token.boundary_before for token in span[1:]):
            return
        words = [word for token in span for word in token.words]
        key = _join_key(words)
        rows, score = self._rows_by_key.get(key), EXACT_SCORE
        if rows is None:
            rows, score = self._rows_by_subtitle.get(key), SUBTITLE_SCORE
        key_words = key.split()
        if not rows or all(word in _COMMON_WORDS for word in key_words):
            return
        first_word = next((token for token in span if token.lower not in _ARTICLES), span[0])
        if len(key_words) == 1 and not first_word.capitalised:
            return  # "nope", "the rise": one lowercase word is more often a reply than a title
        row = self._best_row(rows, None, " ".join(words))
        found.append(TitleMatch(self._catalog[row], score, (span[0].start, span[-1].end)))
        for index in range(start, len(tokens)):
            claimed[index] = True

    def _find_after_cues(self, message: str, tokens: list[_Token], claimed: list[bool], found: list[TitleMatch]) -> None:
        index = 0
        while index < len(tokens):
            cue_end, strong = _cue_at(tokens, index)
            if cue_end is None:
                index += 1
                continue
            position = _skip_fillers(tokens, cue_end)
            while position < len(tokens) and not claimed[position] and not tokens[position].boundary_before:
                match = self._longest_match(message, tokens, claimed, position, context="strong" if strong else "weak")
                if match is None:
                    break
                found.append(match[0])
                position = match[1]
                if position < len(tokens) and tokens[position].lower in _LIST_CONNECTORS:
                    position += 1
                elif position >= len(tokens) or not tokens[position].comma_before:
                    break
            index = max(index + 1, position)

    def _find_without_cue(self, message: str, tokens: list[_Token], claimed: list[bool], found: list[TitleMatch]) -> None:
        index = 0
        while index < len(tokens):
            match = None if claimed[index] else self._longest_match(message, tokens, claimed, index, context="none")
            if match is None:
                index += 1
                continue
            found.append(match[0])
            index = match[1]

    def _rank_among_equals(self, row: int, full_title: str) -> tuple:
        """Order items of equal score: same article as typed, then discussed in ReDial, then longer description."""
        has_redial, description_length = self._prior[row]
        return (self._full_titles[row] != full_title, -has_redial, -description_length, row)

    def _best_row(self, rows: list[int], year: int | None, full_title: str) -> int:
        """Pick among items with one title key: the year closest to ``year``, then ``_rank_among_equals``."""
        return min(
            rows,
            key=lambda row: (_year_penalty(self._catalog[row].year, year), self._rank_among_equals(row, full_title)),
        )

    def _longest_match(
        self, message: str, tokens: list[_Token], claimed: list[bool], start: int, context: str
    ) -> tuple[TitleMatch, int] | None:
        """Return the longest accepted title starting at token ``start`` and the index after it."""
        stop = start + 1
        while stop < len(tokens) and stop - start < MAX_MENTION_WORDS:
            if claimed[stop] or tokens[stop].boundary_before:
                break
            stop += 1
        for end in range(stop, start, -1):
            words = [word for token in tokens[start:end] for word in token.words]
            key = _join_key(words)
            rows = self._rows_by_key.get(key)
            score = EXACT_SCORE
            if rows is None and context != "none":
                rows, score = self._rows_by_subtitle.get(key), SUBTITLE_SCORE
            if not rows:
                continue
            year, year_end = _year_after(message, tokens[end - 1].end)
            # "Heat (1986)": a title followed by its release year in parentheses counts without a cue.
            dated = year is not None and "(" in message[tokens[end - 1].end : year_end]
            dated = dated and any(_year_penalty(self._catalog[row].year, year) <= 3 for row in rows)
            if not dated and not _accept(tokens, start, end, key, context):
                continue
            row = self._best_row(rows, year, " ".join(words))
            for index in range(start, end):
                claimed[index] = True
            adjusted = score - _year_penalty(self._catalog[row].year, year)
            return TitleMatch(self._catalog[row], adjusted, (tokens[start].start, year_end)), end
        return None


def _year_after(message: str, position: int) -> tuple[int | None, int]:
    """Return the year written right after ``position`` ("(1986)" or " 1986") and where it ends.

    Without a year in 1870..2100 there, return (None, position).
    """
    match = _YEAR_AFTER.match(message, position)
    if match is None:
        return None, position
    year = int(match.group(1) or match.group(2))
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None, position
    return year, match.end()


def _split_bare_year(key: str) -> tuple[str, int | None]:
    """Split "heat 1986" into ("heat", 1986); a key without a final year in range is returned whole."""
    head, _space, last = key.rpartition(" ")
    if head and len(last) == 4 and last.isdigit() and MIN_YEAR <= int(last) <= MAX_YEAR:
        return head, int(last)
    return key, None


def _year_penalty(item_year: int | None, year: int | None) -> float:
    if year is None:
        return 0.0
    if item_year is None:
        return 10.0
    distance = abs(item_year - year)
    if distance == 0:
        return 0.0
    if distance == 1:
        return 3.0
    return 20.0


def _tokenize(message: str) -> list[_Token]:
    tokens = []
    previous_end = 0
    for match in _TOKEN.finditer(message):
        text = match.group()
        gap = message[previous_end : match.start()]
        first = not tokens
        boundary = first or bool(_HARD_BOUNDARY.search(gap))
        sentence_start = first or bool(re.search(r"[.!?\n]", gap))
        # "I" and all-capital words ("LOVED IT") carry no sign of a title.
        capitalised = text[0].isupper() and text != "I" and not (len(text) > 1 and text.isupper())
        tokens.append(
            _Token(
                text=text,
                start=match.start(),
                end=match.end(),
                words=tuple(normalize_words(text)),
                lower=text.casefold(),
                capitalised=capitalised,
                sentence_start=sentence_start,
                boundary_before=boundary,
                comma_before="," in gap,
            )
        )
        previous_end = match.end()
    return tokens


def _cue_at(tokens: list[_Token], index: int) -> tuple[int | None, bool]:
    """Return the token index after a cue starting at ``index`` (None if there is none) and whether it is strong."""
    for phrase in _STRONG_CUES:
        end = index + len(phrase)
        if end <= len(tokens) and all(tokens[index + k].lower == word for k, word in enumerate(phrase)):
            return end, True
    if tokens[index].lower in _WEAK_CUES:
        strong = index > 0 and tokens[index - 1].lower in _STRONG_LIKE_PRECEDERS and tokens[index].lower == "like"
        return index + 1, strong
    return None, False


def _skip_fillers(tokens: list[_Token], position: int) -> int:
    for filler in _FILLERS:
        end = position + len(filler)
        if end <= len(tokens) and all(tokens[position + k].lower == word for k, word in enumerate(filler)):
            return end
    return position


def _accept(tokens: list[_Token], start: int, end: int, key: str, context: str) -> bool:
    """Apply the precision rules of the module docstring to the title ``key`` at tokens[start:end]."""
    span = tokens[start:end]
    key_words = key.split()
    uncommon = sum(1 for word in key_words if word not in _COMMON_WORDS)
    following = tokens[end] if end < len(tokens) and not tokens[end].boundary_before else None
    if context == "none":
        capitalised = _is_title_case(span)
    else:
        capitalised = next((token for token in span if token.lower not in _ARTICLES), span[0]).capitalised

    if capitalised:
        if following is not None and following.capitalised and not following.comma_before:
            return False  # "Ted Danson": the capitalised name goes on past the title
        if context == "none" and uncommon == 0 and span[0].sentence_start and following is None:
            return False  # "Good Night." as a greeting; "Get Out was great" still counts
        return not (len(key_words) == 1 and following is not None and following.lower in _MEDIUM_WORDS)

    if context == "none":
        return len(key_words) >= 3 and uncommon >= 2
    if uncommon == 0:
        return False
    if len(key_words) == 1:
        # "the evil lady": a lowercase word followed by a noun is more likely that noun's modifier.
        if following is not None and following.lower not in _COMMON_WORDS | _LIST_CONNECTORS:
            return False
        if following is not None and following.lower in _MEDIUM_WORDS:
            return False
        return context == "strong" or span[0].lower in _ARTICLES
    return True


def _is_title_case(span: list[_Token]) -> bool:
    """Tell whether a span of two words or more is written as a title ("The Lord of the Rings", "Alien 3").

    Every word except small ones ("of", "the") after the first is capitalised or
    a number, and at least one is a number or a capital not explained by a sentence start.
    """
    if len(span) < 2:
        return False
    significant = [span[0]] + [token for token in span[1:] if token.lower not in _SMALL_WORDS]
    if not all(token.capitalised or token.text.isdigit() for token in significant):
        return False
    return any((token.capitalised and not token.sentence_start) or token.text.isdigit() for token in significant)
