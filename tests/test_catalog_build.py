"""Tests for the catalog builder and its commands, on a hand-made Wikipedia and ReDial fixture."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from bot import catalog_build
from bot.catalog import load_catalog
from bot.catalog_build import WikiFilm, build_catalog, deduplicate, match_redial
from bot.redial import RedialMovie

FIXTURES = Path(__file__).parent / "fixtures" / "catalog"
WIKIPEDIA = FIXTURES / "wikipedia"
REDIAL = FIXTURES / "redial_movies.csv"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("catalog") / "movies.jsonl"
    report = build_catalog(WIKIPEDIA, REDIAL, out, since=1970)
    return out, report


def items_by_title(path: Path) -> dict[str, list[dict]]:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    grouped: dict[str, list[dict]] = {}
    for record in records:
        grouped.setdefault(record["title"], []).append(record)
    return grouped


def test_build_output_loads(built):
    out, report = built
    catalog = load_catalog(out)

    assert len(catalog) == report.kept == 11
    assert catalog.fingerprint == report.fingerprint


def test_build_counts(built):
    _out, report = built

    assert report.read == 18
    assert report.invalid == 1
    assert report.duplicates_by_href == 1
    assert report.duplicates_by_title_year == 2
    assert report.kept_by_year == 9
    assert report.kept_by_redial_only == 2
    assert report.redial_movies == 8


def test_year_filter_drops_unmatched_old_films(built):
    titles = items_by_title(built[0])

    assert "Forgotten Film" not in titles
    assert "Twin Name" not in titles
    assert "The Film" in titles


def test_redial_match_keeps_old_films(built):
    titles = items_by_title(built[0])

    assert titles["Old Classic"][0]["year"] == 1965
    assert titles["Old Classic"][0]["source_ids"]["redial"] == "5,12"
    assert titles["Lonely Title"][0]["source_ids"]["redial"] == "20"


def test_match_rules_counted(built):
    _out, report = built

    assert report.matches == {
        "title+year": 3,
        "title+year+-1": 1,
        "subtitle+year": 1,
        "title only": 1,
        "ambiguous": 1,
        "unmatched": 1,
    }


def test_match_rules_pick_films(built):
    titles = items_by_title(built[0])

    assert titles["Sequel Part II"][0]["source_ids"]["redial"] == "40"
    assert titles["Saga: The Final Return"][0]["source_ids"]["redial"] == "52"
    assert "redial" not in titles["Top Flight"][0]["source_ids"]


def test_same_page_deduplicated(built):
    titles = items_by_title(built[0])

    assert "Top Flight 3D" not in titles
    assert len(titles["Top Flight"]) == 1
    assert titles["Top Flight"][0]["year"] == 1986


def test_pageless_duplicates_dropped(built):
    titles = items_by_title(built[0])

    assert len(titles["Pageless Picture"]) == 1
    pageless = titles["Pageless Picture"][0]
    assert pageless["id"] == "title:pageless-picture:1975"
    assert pageless["description"] == "A longer record of the same pageless 1975 picture."
    assert pageless["link"] == ""
    assert pageless["source_ids"] == {}
    assert [record["id"] for record in titles["Shared Title"]] == ["wiki:Shared_Title"]


def test_distinct_pages_same_title_kept(built):
    titles = items_by_title(built[0])

    assert sorted(record["id"] for record in titles["Treasure Tale"]) == [
        "wiki:Treasure_Tale_(1972_animated_film)",
        "wiki:Treasure_Tale_(1972_live-action_film)",
    ]


def test_item_fields_from_wikipedia(built):
    titles = items_by_title(built[0])

    old = titles["Old Classic"][0]
    assert old["id"] == "wiki:Old_Classic"
    assert old["link"] == "https://en.wikipedia.org/wiki/Old_Classic"
    assert old["description"] == "Old Classic is a 1965 musical."
    assert old["people"] == ["Cy Cole", "Di Dale"]
    assert old["genres"] == ["Musical"]
    assert old["source_ids"]["wikipedia"] == "Old_Classic"
    cafe = titles["Café Nights"][0]
    assert cafe["id"] == "wiki:Caf%C3%A9_Nights"


def test_no_thumbnail_fields(built):
    text = built[0].read_text(encoding="utf-8")

    assert "thumbnail" not in text
    for line in text.splitlines():
        assert set(json.loads(line)) == {"id", "title", "year", "genres", "description", "people", "link", "source_ids"}


def test_output_sorted_by_year_title_id(built):
    records = [json.loads(line) for line in built[0].read_text(encoding="utf-8").splitlines()]
    keys = [(record["year"], record["title"], record["id"]) for record in records]

    assert keys == sorted(keys)


def test_rebuild_is_byte_identical(built, tmp_path):
    out, report = built
    again = tmp_path / "again.jsonl"

    second = build_catalog(WIKIPEDIA, REDIAL, again, since=1970)

    assert again.read_bytes() == out.read_bytes()
    assert second.fingerprint == report.fingerprint


def test_since_changes_year_filter(tmp_path):
    out = tmp_path / "movies.jsonl"

    report = build_catalog(WIKIPEDIA, REDIAL, out, since=1980)
    titles = items_by_title(out)

    assert "Pageless Picture" not in titles
    assert "Sequel Part II" in titles
    assert "The Film" in titles  # mentioned in ReDial
    assert report.kept_by_year == 4
    assert report.kept_by_redial_only == 3


def test_build_without_redial(tmp_path):
    out = tmp_path / "movies.jsonl"

    report = build_catalog(WIKIPEDIA, None, out, since=1970)
    titles = items_by_title(out)

    assert report.kept_by_redial_only == 0
    assert "Old Classic" not in titles
    assert all("redial" not in records[0]["source_ids"] for records in titles.values())


def test_missing_wikipedia_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="No movie files"):
        build_catalog(tmp_path / "absent", REDIAL, tmp_path / "movies.jsonl")


def film(title: str, year: int, href: str = "", extract: str = "") -> WikiFilm:
    return WikiFilm(title=title, year=year, href=href, extract=extract, cast=(), genres=())


def test_deduplicate_prefers_year_in_href():
    films = [
        film("Wizard Story 3D", 2013, "Wizard_Story_(1939_film)", "Wizard Story is a 1939 film."),
        film("Wizard Story", 1939, "Wizard_Story_(1939_film)", "Wizard Story is a 1939 film."),
    ]

    kept, by_href, by_title_year = deduplicate(films)

    assert [(entry.title, entry.year) for entry in kept] == [("Wizard Story", 1939)]
    assert (by_href, by_title_year) == (1, 0)


def test_match_year_tolerance_is_one():
    films = [film("Crash", 2005, "Crash_(2004_film)"), film("Drift", 1990, "Drift")]
    movies = [
        RedialMovie(id="1", name="Crash (2004)", title="Crash", year=2004, mention_count=1),
        RedialMovie(id="2", name="Drift (1992)", title="Drift", year=1992, mention_count=1),
    ]

    matched, counts = match_redial(films, movies)

    assert matched == {0: ["1"]}
    assert counts == {"title+year+-1": 1, "unmatched": 1}


def test_match_both_neighbour_years_is_ambiguous():
    films = [film("Storm", 1990, "Storm_(1990_film)"), film("Storm", 1992, "Storm_(1992_film)")]
    movies = [RedialMovie(id="1", name="Storm (1991)", title="Storm", year=1991, mention_count=1)]

    matched, counts = match_redial(films, movies)

    assert matched == {}
    assert counts == {"ambiguous": 1}


def test_style_sheet_removed_from_title():
    scraped = (
        "Naked Gun .mw-parser-output .frac{white-space:nowrap}"
        ".mw-parser-output .frac .den{vertical-align:sub}33+1⁄3: The Final Insult"
    )

    assert catalog_build._clean_title(scraped) == "Naked Gun 33⅓: The Final Insult"


def run_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    catalog_build.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.handler(args)


def test_build_command(tmp_path, capsys):
    out = tmp_path / "movies.jsonl"

    code = run_command(["build", "--wikipedia", str(WIKIPEDIA), "--redial-movies", str(REDIAL), "--out", str(out)])

    assert code == 0
    assert len(load_catalog(out)) == 11
    assert "11 items" in capsys.readouterr().out


def test_validate_command(capsys):
    code = run_command(["validate", str(FIXTURES / "valid.jsonl")])

    assert code == 0
    output = capsys.readouterr().out
    assert "4 items" in output
    assert load_catalog(FIXTURES / "valid.jsonl").fingerprint in output


def test_validate_command_invalid(tmp_path, capsys):
    path = tmp_path / "broken.jsonl"
    path.write_text('{"id": "a"}\n', encoding="utf-8")

    code = run_command(["validate", str(path)])

    assert code == 1
    assert "broken.jsonl line 1, field 'title'" in capsys.readouterr().err
