"""Tests for the catalog loader and writer in bot.catalog."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from bot.catalog import MAX_LISTED_PROBLEMS, CatalogError, catalog_fingerprint, load_catalog, write_catalog
from bot.items import Item

FIXTURES = Path(__file__).parent / "fixtures" / "catalog"
HEADER = "id,title,year,genres,description,people,link,source_ids\n"


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def record(**fields) -> str:
    base = {"id": "m1", "title": "Alien", "year": 1979}
    base.update(fields)
    return json.dumps(base)


def test_jsonl_and_csv_load_equal():
    from_jsonl = load_catalog(FIXTURES / "valid.jsonl")
    from_csv = load_catalog(FIXTURES / "valid.csv")

    assert len(from_jsonl) == 4
    assert list(from_jsonl) == list(from_csv)
    assert [item.source_ids for item in from_jsonl] == [item.source_ids for item in from_csv]


def test_jsonl_fields_parsed():
    catalog = load_catalog(FIXTURES / "valid.jsonl")

    alien = catalog.get("wiki:Alien_(film)")
    assert alien is not None
    assert alien.year == 1979
    assert alien.genres == ("Science Fiction", "Horror")
    assert alien.people == ("Sigourney Weaver", "Tom Skerritt")
    assert alien.source_ids == {"wikipedia": "Alien_(film)", "redial": "79062"}
    assert catalog.get("title:silent-night-story:1921").year is None
    minimal = catalog.get("local:minimal")
    assert minimal == Item(id="local:minimal", title="Minimal Record")
    assert catalog.get("local:amelie").description == 'A shy waitress in Paris, "quietly" meddling.'


def test_catalog_keeps_file_order_and_source():
    catalog = load_catalog(FIXTURES / "valid.jsonl")

    assert [item.id for item in catalog] == [
        "wiki:Alien_(film)",
        "title:silent-night-story:1921",
        "local:amelie",
        "local:minimal",
    ]
    assert catalog.source == str(FIXTURES / "valid.jsonl")


def test_fingerprint_is_sha256_of_bytes():
    path = FIXTURES / "valid.jsonl"
    expected = hashlib.sha256(path.read_bytes()).hexdigest()

    assert catalog_fingerprint(path) == expected
    assert load_catalog(path).fingerprint == expected
    assert load_catalog(FIXTURES / "valid.csv").fingerprint != expected


def test_fingerprint_changes_with_content(tmp_path):
    path = write_lines(tmp_path / "movies.jsonl", [record()])
    before = catalog_fingerprint(path)
    write_lines(path, [record(title="Aliens")])

    assert catalog_fingerprint(path) != before


def test_write_then_load_round_trip(tmp_path):
    original = load_catalog(FIXTURES / "valid.jsonl")
    path = tmp_path / "out" / "movies.jsonl"

    fingerprint = write_catalog(original, path)
    reloaded = load_catalog(path)

    assert fingerprint == catalog_fingerprint(path)
    assert list(reloaded) == list(original)
    assert [item.source_ids for item in reloaded] == [item.source_ids for item in original]
    assert write_catalog(reloaded, tmp_path / "again.jsonl") == fingerprint


def test_write_rejects_csv_path(tmp_path):
    with pytest.raises(ValueError, match="only .jsonl"):
        write_catalog([Item(id="a", title="A")], tmp_path / "movies.csv")


MALFORMED_JSONL = [
    # (case, lines, line number, field or marker expected in the message)
    ("bad json", [record(id="a"), record(id="b"), '{"id": "c", "title": '], 3, "invalid JSON"),
    ("missing title", [record(id="a"), '{"id": "b", "year": 1990}'], 2, "field 'title'"),
    ("empty title", [record(id="a", title="  ")], 1, "field 'title'"),
    ("bad year", [record(id="a"), record(id="b", year="19x9")], 2, "field 'year'"),
    ("string year", [record(id="a", year="1979")], 1, "field 'year'"),
    ("year out of range", [record(id="a", year=1492)], 1, "field 'year'"),
    ("genres not a list", [record(id="a", genres="Horror")], 1, "field 'genres'"),
    ("people with number", [record(id="a", people=["Ann", 3])], 1, "field 'people'"),
    ("numeric id", [record(id=7)], 1, "field 'id'"),
    ("unknown field", [record(id="a", titel="Alien")], 1, "field 'titel'"),
    ("bad link", [record(id="a", link="en.wikipedia.org/wiki/Alien")], 1, "field 'link'"),
    ("source ids not strings", [record(id="a", source_ids={"redial": 79062})], 1, "field 'source_ids'"),
    ("not an object", [record(id="a"), "[1, 2]"], 2, "expected a JSON object"),
]


@pytest.mark.parametrize(("case", "lines", "line", "marker"), MALFORMED_JSONL, ids=[case[0] for case in MALFORMED_JSONL])
def test_malformed_jsonl_raises(tmp_path, case, lines, line, marker):
    path = write_lines(tmp_path / "broken.jsonl", lines)

    with pytest.raises(CatalogError) as raised:
        load_catalog(path)

    message = str(raised.value)
    assert "broken.jsonl" in message
    assert f"line {line}" in message
    assert marker in message


def test_bad_year_message_shows_value(tmp_path):
    path = write_lines(tmp_path / "movies.jsonl", [record(year="19x9")])

    with pytest.raises(CatalogError, match="'19x9'"):
        load_catalog(path)


def test_duplicate_id_names_both_lines(tmp_path):
    path = write_lines(tmp_path / "movies.jsonl", [record(id="a"), record(id="b"), record(id="a", title="Aliens")])

    with pytest.raises(CatalogError) as raised:
        load_catalog(path)

    message = str(raised.value)
    assert "movies.jsonl line 3, field 'id'" in message
    assert "duplicate id 'a'" in message
    assert "line 1" in message


def test_duplicate_of_invalid_record_reported(tmp_path):
    path = write_lines(tmp_path / "movies.jsonl", [record(id="a", year="bad"), record(id="a")])

    with pytest.raises(CatalogError) as raised:
        load_catalog(path)

    assert len(raised.value.problems) == 2
    assert "movies.jsonl line 2, field 'id': duplicate id 'a', first used on line 1" in raised.value.problems[1]


def test_every_problem_reported(tmp_path):
    lines = [record(id="a"), record(id="b", year="x"), record(id="c", title=""), "{", record(id="d")]
    path = write_lines(tmp_path / "movies.jsonl", lines)

    with pytest.raises(CatalogError) as raised:
        load_catalog(path)

    assert len(raised.value.problems) == 3
    assert [problem.split(",")[0].split(":")[0] for problem in raised.value.problems] == [
        "movies.jsonl line 2",
        "movies.jsonl line 3",
        "movies.jsonl line 4",
    ]


def test_problem_list_is_capped(tmp_path):
    lines = [record(id=f"m{number}", year="bad") for number in range(MAX_LISTED_PROBLEMS + 5)]
    path = write_lines(tmp_path / "movies.jsonl", lines)

    with pytest.raises(CatalogError) as raised:
        load_catalog(path)

    message = str(raised.value)
    assert len(raised.value.problems) == MAX_LISTED_PROBLEMS + 5
    assert "... and 5 more." in message
    assert f"line {MAX_LISTED_PROBLEMS + 5}," not in message


@pytest.mark.parametrize("content", ["", "\n\n"], ids=["empty", "blank lines"])
def test_empty_file_raises(tmp_path, content):
    path = tmp_path / "movies.jsonl"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(CatalogError, match="movies.jsonl: the file contains no items"):
        load_catalog(path)


def test_empty_csv_raises(tmp_path):
    path = tmp_path / "movies.csv"
    path.write_text(HEADER, encoding="utf-8")

    with pytest.raises(CatalogError, match="movies.csv: the file contains no items"):
        load_catalog(path)


@pytest.mark.parametrize("name", ["movies.json", "movies.txt", "movies"])
def test_unknown_suffix_raises(tmp_path, name):
    path = tmp_path / name
    path.write_text(record() + "\n", encoding="utf-8")

    with pytest.raises(CatalogError, match=f"{name}: unsupported suffix"):
        load_catalog(path)


def test_missing_file_raises(tmp_path):
    with pytest.raises(FileNotFoundError, match="absent.jsonl"):
        load_catalog(tmp_path / "absent.jsonl")


def test_invalid_utf8_names_line(tmp_path):
    path = tmp_path / "movies.jsonl"
    path.write_bytes(record().encode() + b"\n" + b'{"id": "b", "title": "\xff"}\n')

    with pytest.raises(CatalogError, match="movies.jsonl line 2: invalid UTF-8"):
        load_catalog(path)


MALFORMED_CSV = [
    ("bad year", ["a,Alien,1979,,,,,", "b,Aliens,19x9,,,,,"], 3, "field 'year'"),
    ("missing title", ["a,,1979,,,,,"], 2, "field 'title'"),
    ("empty genre", ["a,Alien,1979,Horror||Drama,,,,"], 2, "field 'genres'"),
    ("bad source ids", ["a,Alien,1979,,,,,redial79062"], 2, "field 'source_ids'"),
    ("repeated source name", ["a,Alien,1979,,,,,redial=1|redial=2"], 2, "field 'source_ids'"),
    ("short row", ["a,Alien,1979"], 2, "expected 8 cells"),
    ("duplicate id", ["a,Alien,1979,,,,,", "a,Aliens,1986,,,,,"], 3, "duplicate id 'a'"),
]


@pytest.mark.parametrize(("case", "rows", "line", "marker"), MALFORMED_CSV, ids=[case[0] for case in MALFORMED_CSV])
def test_malformed_csv_raises(tmp_path, case, rows, line, marker):
    path = tmp_path / "broken.csv"
    path.write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")

    with pytest.raises(CatalogError) as raised:
        load_catalog(path)

    message = str(raised.value)
    assert "broken.csv" in message
    assert f"line {line}" in message
    assert marker in message


def test_csv_line_numbers_follow_multiline_cells(tmp_path):
    path = tmp_path / "movies.csv"
    rows = 'a,Alien,1979,,"first line\nsecond line",,,\nb,Aliens,19x9,,,,,\n'
    path.write_text(HEADER + rows, encoding="utf-8")

    with pytest.raises(CatalogError, match="movies.csv line 4, field 'year'"):
        load_catalog(path)


def test_csv_header_problems(tmp_path):
    path = tmp_path / "movies.csv"
    path.write_text("id,titel,year\na,Alien,1979\n", encoding="utf-8")

    with pytest.raises(CatalogError) as raised:
        load_catalog(path)

    message = str(raised.value)
    assert "movies.csv line 1" in message
    assert "missing column(s) ['title']" in message
    assert "unknown column(s) ['titel']" in message


def test_csv_with_required_columns_only(tmp_path):
    path = tmp_path / "movies.csv"
    path.write_text("\ufeffid,title\na,Alien\nb,Aliens\n", encoding="utf-8")

    catalog = load_catalog(path)

    assert [item.title for item in catalog] == ["Alien", "Aliens"]
    assert catalog[0].year is None
