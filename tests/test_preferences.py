import pytest

from bot.preferences import parse_era, parse_genres, parse_preferences, parse_title_texts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("maybe from the 80s", (1980, 1989)),
        ("something from the '90s", (1990, 1999)),
        ("a 1970s thriller", (1970, 1979)),
        ("eighties action", (1980, 1989)),
        ("made after 2010", (2010, None)),
        ("anything before 1995", (None, 1995)),
        ("between 2000 and 1990", (1990, 2000)),
        ("released in 1999", (1999, 1999)),
        ("something recent", (2018, None)),
        ("a classic", (None, 1989)),
        ("no era here", (None, None)),
    ],
)
def test_parse_era_phrases(text, expected):
    assert parse_era(text, latest_year=2024) == expected


def test_genres_negation_excludes():
    wanted, excluded, spans = parse_genres("a funny movie with no horror")
    assert wanted == ["Comedy"]
    assert excluded == ["Horror"]
    assert spans


def test_less_scary_excludes_horror():
    update = parse_preferences("something like Alien but less scary, maybe from the 80s")
    assert update.excluded_genres == ["Horror"]
    assert update.title_texts == ["Alien"]
    assert (update.year_min, update.year_max) == (1980, 1989)
    assert "scary" not in update.description


def test_synonyms_map_to_catalog_labels():
    update = parse_preferences("a sci fi rom-com please")
    assert "Science Fiction" in update.genres
    assert "Romance" in update.genres
    assert "Comedy" in update.genres


def test_plain_request_is_empty():
    assert parse_preferences("recommend me a movie").is_empty()
    assert parse_preferences("can you suggest something?").is_empty()


def test_entities_are_used_as_hints():
    entities = [
        {"entity": "genre", "value": "western"},
        {"entity": "exclusion", "value": "no musicals"},
        {"entity": "title", "value": "Heat"},
    ]
    update = parse_preferences("whatever you think", entities)
    assert update.genres == ["Western"]
    assert update.excluded_genres == ["Musical"]
    assert update.title_texts == ["Heat"]


@pytest.mark.parametrize(
    ("text", "titles"),
    [
        ("something like Alien", ["Alien"]),
        ('I loved "the dark knight"', ["the dark knight"]),
        ("similar to Back to the Future please", ["Back to the Future"]),
        ("I want something funny", []),
    ],
)
def test_title_cues(text, titles):
    assert parse_title_texts(text) == titles
