"""Tests for title normalisation, the title resolver and mention finding in bot.titles."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalog import load_catalog
from bot.titles import TitleResolver, normalize_title, split_title_year, subtitle_keys

FIXTURES = Path(__file__).parent / "fixtures" / "catalog"
REAL_CATALOG = Path(__file__).parent.parent / "data" / "catalog" / "movies.jsonl"


@pytest.fixture(scope="module")
def resolver() -> TitleResolver:
    return TitleResolver(load_catalog(FIXTURES / "titles.jsonl"))


def labels(matches) -> list[str]:
    return [match.item.label for match in matches]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Godfather Part II", "godfather part 2"),
        ("the godfather part 2", "godfather part 2"),
        ("Alien (1979)", "alien"),
        ("  Alien   3  ", "alien 3"),
        ("Amélie", "amelie"),
        ("A Quiet Place", "quiet place"),
        ("An American Tail", "american tail"),
        ("The", "the"),
        ("Schindler's List", "schindlers list"),
        ("Spider-Man: Far From Home", "spider man far from home"),
        ("E.T. the Extra-Terrestrial", "et the extra terrestrial"),
        ("M*A*S*H", "mash"),
        ("Mr. & Mrs. Smith", "mr and mrs smith"),
        ("Star Wars: Episode VIII – The Last Jedi", "star wars episode 8 the last jedi"),
        ("Malcolm X", "malcolm x"),
        ("V for Vendetta", "v for vendetta"),
        ("I, Robot", "i robot"),
        ("2.0", "2 0"),
        ("", ""),
    ],
)
def test_normalize_title(text, expected):
    assert normalize_title(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Headhunter  (2009)", ("Headhunter", 2009)),
        ("Headhunter (2009)  ", ("Headhunter", 2009)),
        ("Police  Academy  (1984)", ("Police Academy", 1984)),
        ("American Pie ", ("American Pie", None)),
        ("Blade Runner 2049 (2017)", ("Blade Runner 2049", 2017)),
        ("Blade Runner 2049", ("Blade Runner 2049", None)),
        ("2001: A Space Odyssey", ("2001: A Space Odyssey", None)),
        ("Old Film (1492)", ("Old Film (1492)", None)),
        ("(1999)", ("(1999)", None)),
        ("", ("", None)),
    ],
)
def test_split_title_year(text, expected):
    assert split_title_year(text) == expected


def test_subtitle_keys():
    assert subtitle_keys("Star Wars: Episode VIII – The Last Jedi") == {"episode 8 the last jedi", "last jedi"}
    assert subtitle_keys("Alien: Resurrection") == set()
    assert subtitle_keys("Alien") == set()


def test_resolve_alien_before_sequels(resolver):
    result = labels(resolver.resolve("alien"))

    assert result[0] == "Alien (1979)"
    assert "Alien 3 (1992)" in result
    assert "Aliens (1986)" in result
    assert result.index("Alien 3 (1992)") > 0
    assert result.index("Aliens (1986)") > 0


def test_resolve_exact_scores_highest(resolver):
    matches = resolver.resolve("The Matrix")

    assert matches[0].item.label == "The Matrix (1999)"
    assert matches[0].score == 100
    assert all(later.score < 100 for later in matches[1:])
    assert [match.score for match in matches] == sorted((match.score for match in matches), reverse=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the godfather part 2", "The Godfather Part II (1974)"),
        ("Godfather Part II", "The Godfather Part II (1974)"),
        ("the godfather part iii", "The Godfather Part III (1990)"),
        ("the godfather", "The Godfather (1972)"),
        ("star wars", "Star Wars (1977)"),
        ("the last jedi", "Star Wars: The Last Jedi (2017)"),
        ("godfater", "The Godfather (1972)"),
        ("spiderman", "Spider-Man (2002)"),
        ("mash", "M*A*S*H (1970)"),
        ("lord of the rings two towers", "The Lord of the Rings: The Two Towers (2002)"),
    ],
)
def test_resolve_finds_title(resolver, text, expected):
    assert labels(resolver.resolve(text))[0] == expected


@pytest.mark.parametrize(
    ("text", "year", "expected"),
    [
        ("heat", None, "Heat (1995)"),
        ("heat", 1986, "Heat (1986)"),
        ("Heat (1972)", None, "Heat (1972)"),
        ("heat 1986", None, "Heat (1986)"),
        ("heat", 1987, "Heat (1986)"),
        ("the heat", None, "The Heat (2013)"),
        ("halloween", 2018, "Halloween (2018)"),
        ("halloween", None, "Halloween (1978)"),
        ("alien", 1986, "Aliens (1986)"),
    ],
)
def test_resolve_year_disambiguation(resolver, text, year, expected):
    assert labels(resolver.resolve(text, year=year))[0] == expected


def test_resolve_year_mismatch_lowers_score(resolver):
    matched = resolver.resolve("alien", year=1979)[0]
    mismatched = resolver.resolve("alien", year=2010)

    assert matched.score == 100
    assert all(match.score < matched.score for match in mismatched)


@pytest.mark.parametrize("text", ["qwertyuiop", "zzzz", "", "   ", "the", "I want something fun tonight", "e.t."])
def test_resolve_garbage_returns_nothing(resolver, text):
    assert resolver.resolve(text) == []


def test_resolve_limit(resolver):
    assert len(resolver.resolve("alien", limit=2)) == 2
    with pytest.raises(ValueError, match="limit must be at least 1, got 0"):
        resolver.resolve("alien", limit=0)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("something like Alien but less scary", ["Alien (1979)"]),
        ("I loved The Matrix and Heat", ["The Matrix (1999)", "Heat (1995)"]),
        ("I loved Alien, Heat and Up", ["Alien (1979)", "Heat (1995)", "Up (2009)"]),
        ("Star Wars is my favorite", ["Star Wars (1977)"]),
        ("Have you seen Up?", ["Up (2009)"]),
        ("I watched crash yesterday", ["Crash (2005)"]),
        ("i loved the matrix", ["The Matrix (1999)"]),
        ("I like the dark knight", ["The Dark Knight (2008)"]),
        ("my kids loved Frozen and the heat", ["Frozen (2013)", "The Heat (2013)"]),
        ('Can you recommend something like "The Godfather"?', ["The Godfather (1972)"]),
        ("Something like 'the godfater' please", ["The Godfather (1972)"]),
        ("I loved 'it'", ["It (2017)"]),
        ("Heat (1986) was ok", ["Heat (1986)"]),
        ("I loved Heat (1972)", ["Heat (1972)"]),
        ("I loved The Last Jedi", ["Star Wars: The Last Jedi (2017)"]),
        ("I loved The Heat", ["The Heat (2013)"]),
        ("Die Hard was fun, more Die Hard please", ["Die Hard (1988)"]),
        ("I liked @85036 a lot", ["The Matrix (1999)"]),
        ("Anything like It or The Matrix Reloaded?", ["It (2017)", "The Matrix Reloaded (2003)"]),
        ("or maybe Aliens", ["Aliens (1986)"]),
        ("The Matrix", ["The Matrix (1999)"]),
        ("Die hard!", ["Die Hard (1988)"]),
        ("Alien 3 was better than Aliens", ["Alien 3 (1992)", "Aliens (1986)"]),
    ],
)
def test_find_mentions(resolver, message, expected):
    assert labels(resolver.find_mentions(message)) == expected


@pytest.mark.parametrize(
    "message",
    [
        "what's up with her? it was hot, heat everywhere",
        "Her acting was great",
        "Up next, a comedy please",
        "Heat is unbearable today",
        "I loved it",
        "i loved heat",
        "something like a scary movie",
        "I want a scary movie for tonight",
        "I like Christmas movies",
        "I like Ted Danson",
        "I don't like horror",
        "the matrix of options is confusing",
        "the matrix",
        "nope",
        "Always!",
        "Good night",
        "",
    ],
)
def test_find_mentions_ignores_common_words(resolver, message):
    assert resolver.find_mentions(message) == []


def test_find_mentions_spans(resolver):
    message = "something like Alien but less scary, or Heat (1986)"

    matches = resolver.find_mentions(message)

    assert [message[start:end] for start, end in (match.span for match in matches)] == ["Alien", "Heat (1986)"]


def test_find_mentions_subtitle_scores_below_exact(resolver):
    exact = resolver.find_mentions("I loved Star Wars: The Last Jedi")
    subtitle = resolver.find_mentions("I loved The Last Jedi")

    assert exact[0].score == 100
    assert subtitle[0].score < exact[0].score
    assert exact[0].item == subtitle[0].item


@pytest.mark.skipif(not REAL_CATALOG.is_file(), reason="data/catalog/movies.jsonl is not built")
def test_real_catalog_resolves_classics():
    resolver = TitleResolver(load_catalog(REAL_CATALOG))

    assert labels(resolver.resolve("alien"))[0] == "Alien (1979)"
    assert labels(resolver.resolve("the matrix"))[0] == "The Matrix (1999)"
    assert labels(resolver.resolve("star wars"))[0] == "Star Wars (1977)"
    assert labels(resolver.find_mentions("something like Alien but less scary")) == ["Alien (1979)"]
