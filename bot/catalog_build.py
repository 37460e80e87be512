"""Build the movie catalog from the Wikipedia movie data and the ReDial movie list.

Sources: the decade files of github.com/prust/wikipedia-movie-data (MIT; the
``extract`` texts are Wikipedia's, CC BY-SA, so every item keeps its page
link) and ReDial's ``movies_with_mentions.csv`` (Li et al., "Towards Deep
Conversational Recommendations", NeurIPS 2018, CC BY 4.0).

Steps:

1. Read every record. Keep one record per Wikipedia page (``href``), and drop
   records without a page whose normalised title and year another film has.
2. Match each ReDial movie to a film: same normalised title and year, then
   year +-1, then same subtitle ("The Last Jedi") and year, then, for ReDial
   names without a year only, a title that exactly one film has. A match that
   is ambiguous at its step is not made.
3. Keep films from ``since`` on, plus every film that a ReDial movie matched.

Commands: ``python -m bot catalog build`` and ``python -m bot catalog validate``.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from tqdm import tqdm

from bot.catalog import CatalogError, load_catalog, write_catalog
from bot.items import Item
from bot.redial import RedialMovie, load_movie_list
from bot.titles import normalize_title, subtitle_keys

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = PROJECT_ROOT / "data" / "catalog" / "movies.jsonl"
DEFAULT_SINCE = 1970
WIKIPEDIA_URL = "https://en.wikipedia.org/wiki/"
# Several ReDial ids can match one film, so source_ids["redial"] lists them
# comma-separated, in ascending numeric order.
REDIAL_ID_SEPARATOR = ","

_STYLE_SHEET = re.compile(r"(?:\.mw-parser-output[^{}]*\{[^{}]*\})+")
_SCRAPED_FRACTION = re.compile(r"(\d)\+(\d⁄\d)")
_FRACTIONS = {"1⁄2": "½", "1⁄3": "⅓", "2⁄3": "⅔", "1⁄4": "¼", "3⁄4": "¾"}


@dataclass(frozen=True)
class WikiFilm:
    """One record of the Wikipedia movie data, without the thumbnail fields."""

    title: str
    year: int
    href: str
    extract: str
    cast: tuple[str, ...]
    genres: tuple[str, ...]

    @property
    def key(self) -> str:
        return normalize_title(self.title)


@dataclass
class BuildReport:
    """Counts logged by the build, also used by the tests."""

    read: int = 0
    invalid: int = 0
    duplicates_by_href: int = 0
    duplicates_by_title_year: int = 0
    kept_by_year: int = 0
    kept_by_redial_only: int = 0
    redial_movies: int = 0
    matches: Counter = field(default_factory=Counter)
    fingerprint: str = ""

    @property
    def kept(self) -> int:
        return self.kept_by_year + self.kept_by_redial_only


def read_wikipedia(directory: Path) -> tuple[list[WikiFilm], int]:
    """Read every ``*.json`` film list in ``directory`` and return the films and the number of invalid records.

    A record without a string title or an integer year is logged and counted as
    invalid. ``genres.json``, the genre list of the same repository, is skipped.
    """
    directory = Path(directory)
    paths = sorted(directory.glob("*.json"))
    paths = [path for path in paths if path.name != "genres.json"]
    if not paths:
        raise FileNotFoundError(f"No movie files (*.json) found in {directory}; pass the wikipedia-movie-data folder.")
    films: list[WikiFilm] = []
    invalid = 0
    for path in tqdm(paths, desc="Wikipedia files", unit="file"):
        records = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(records, list):
            raise ValueError(f"{path}: expected a JSON list of films, found {type(records).__name__}.")
        for position, record in enumerate(records):
            film = _parse_film(record)
            if film is None:
                invalid += 1
                logger.warning("Skipping record %d of %s: no string title or integer year: %.200r", position, path, record)
                continue
            films.append(film)
    logger.info("Read %d films from %d files in %s", len(films), len(paths), directory)
    return films, invalid


def _parse_film(record: object) -> WikiFilm | None:
    if not isinstance(record, Mapping):
        return None
    title = _clean_title(str(record.get("title") or ""))
    year = record.get("year")
    if not title or isinstance(year, bool) or not isinstance(year, int):
        return None
    return WikiFilm(
        title=title,
        year=year,
        href=str(record.get("href") or "").strip(),
        extract=" ".join(str(record.get("extract") or "").split()),
        cast=_clean_names(record.get("cast")),
        genres=_clean_names(record.get("genres")),
    )


def _clean_title(title: str) -> str:
    """Remove the style sheet that the scrape left in some titles, keeping the fraction it styled.

    "Naked Gun .mw-parser-output .frac{...}...33+1⁄3: The Final Insult" becomes
    "Naked Gun 33⅓: The Final Insult".
    """
    title = _STYLE_SHEET.sub("", title)
    title = _SCRAPED_FRACTION.sub(lambda match: match.group(1) + _FRACTIONS.get(match.group(2), "+" + match.group(2)), title)
    return " ".join(title.split())


def _clean_names(values: object) -> tuple[str, ...]:
    if not isinstance(values, list):
        return ()
    names = (" ".join(value.split()) for value in values if isinstance(value, str))
    return tuple(dict.fromkeys(name for name in names if name))


def deduplicate(films: list[WikiFilm]) -> tuple[list[WikiFilm], int, int]:
    """Keep one film per Wikipedia page, and drop page-less records that repeat a title and year.

    Returns the kept films and the numbers dropped for a repeated href and for
    a repeated title and year. Among records of one page, the kept one has its
    year in the href ("(1939_film)"), then in the extract, then the title the
    href spells. Films with different pages but the same title and year (the
    animated and the live-action "Treasure Island" of 1972) are different
    films and are all kept. A record without a page is dropped when a film
    with a page, or a richer record without one, has its title and year.
    """
    by_href: dict[str, list[WikiFilm]] = {}
    without_href: list[WikiFilm] = []
    for film in films:
        if film.href:
            by_href.setdefault(film.href, []).append(film)
        else:
            without_href.append(film)
    kept = [max(group, key=_page_fit) for group in by_href.values()]
    dropped_by_href = len(films) - len(without_href) - len(kept)

    titles_with_page = {(film.key, film.year) for film in kept}
    best_without_page: dict[tuple[str, int], WikiFilm] = {}
    for film in without_href:
        title_year = (film.key, film.year)
        if title_year in titles_with_page:
            continue
        current = best_without_page.get(title_year)
        if current is None or _record_richness(film) > _record_richness(current):
            best_without_page[title_year] = film
    kept += best_without_page.values()
    dropped_by_title_year = len(without_href) - len(best_without_page)
    return kept, dropped_by_href, dropped_by_title_year


def _page_fit(film: WikiFilm) -> tuple:
    year = str(film.year)
    page_title = unquote(film.href).replace("_", " ")
    return (
        year in film.href,
        year in film.extract[:300],
        normalize_title(page_title.split(" (")[0]) == film.key,
        # Earlier year, then title, so that the choice never depends on input order.
        -film.year,
        film.title,
    )


def _record_richness(film: WikiFilm) -> tuple:
    return (len(film.extract), len(film.cast), len(film.genres), film.title)


def match_redial(films: list[WikiFilm], movies: Iterable[RedialMovie]) -> tuple[dict[int, list[str]], Counter]:
    """Match ReDial movies to films and return {index into ``films``: ReDial ids} and the count per rule.

    The rules and their order are in this module's docstring. The counter's
    keys are the rule names plus "ambiguous" and "unmatched".
    """
    rows_by_key: dict[str, list[int]] = {}
    rows_by_subtitle: dict[str, list[int]] = {}
    for row, film in enumerate(films):
        rows_by_key.setdefault(film.key, []).append(row)
        for key in subtitle_keys(film.title):
            rows_by_subtitle.setdefault(key, []).append(row)

    matched: dict[int, list[str]] = {}
    counts: Counter = Counter()
    for movie in tqdm(list(movies), desc="ReDial movies", unit="movie"):
        rule, row = _match_one(movie, films, rows_by_key, rows_by_subtitle)
        counts[rule] += 1
        if row is not None:
            matched.setdefault(row, []).append(movie.id)
    return matched, counts


def _match_one(
    movie: RedialMovie,
    films: list[WikiFilm],
    rows_by_key: dict[str, list[int]],
    rows_by_subtitle: dict[str, list[int]],
) -> tuple[str, int | None]:
    key = normalize_title(movie.title)
    rows = rows_by_key.get(key, [])
    if movie.year is None:
        if len(rows) == 1:
            return "title only", rows[0]
        return ("ambiguous" if rows else "unmatched"), None

    for rule, distance in (("title+year", 0), ("title+year+-1", 1)):
        found = [row for row in rows if abs(films[row].year - movie.year) == distance]
        if len(found) == 1:
            return rule, found[0]
        if len(found) > 1:
            return "ambiguous", None

    subtitles = {key} | subtitle_keys(movie.title)
    found = sorted(
        {row for subtitle in subtitles for row in rows_by_subtitle.get(subtitle, ()) if films[row].year == movie.year}
        | {row for subtitle in subtitles for row in rows_by_key.get(subtitle, ()) if films[row].year == movie.year}
    )
    if len(found) == 1:
        return "subtitle+year", found[0]
    return ("ambiguous" if found else "unmatched"), None


def film_to_item(film: WikiFilm, redial_ids: list[str]) -> Item:
    """Convert a film to a catalog item, with an id from the href or, for a film without a page, the title and year."""
    source_ids = {}
    if film.href:
        source_ids["wikipedia"] = film.href
    if redial_ids:
        ordered = sorted(set(redial_ids), key=lambda value: (len(value), value))
        source_ids["redial"] = REDIAL_ID_SEPARATOR.join(ordered)
    return Item(
        id=f"wiki:{film.href}" if film.href else f"title:{film.key.replace(' ', '-')}:{film.year}",
        title=film.title,
        year=film.year,
        genres=film.genres,
        description=film.extract,
        people=film.cast,
        link=f"{WIKIPEDIA_URL}{film.href}" if film.href else "",
        source_ids=source_ids,
    )


def build_catalog(
    wikipedia_dir: Path, redial_movies: Path | None, out: Path, since: int = DEFAULT_SINCE
) -> BuildReport:
    """Build the catalog file ``out`` (JSONL, sorted by year, title and id) and return the counts."""
    report = BuildReport()
    films, report.invalid = read_wikipedia(wikipedia_dir)
    report.read = len(films) + report.invalid
    films, report.duplicates_by_href, report.duplicates_by_title_year = deduplicate(films)
    logger.info(
        "Dropped %d records repeating a page and %d repeating a title and year; %d films remain",
        report.duplicates_by_href,
        report.duplicates_by_title_year,
        len(films),
    )

    matched: dict[int, list[str]] = {}
    if redial_movies is not None:
        movies = load_movie_list(redial_movies)
        report.redial_movies = len(movies)
        matched, report.matches = match_redial(films, movies.values())
        logger.info("ReDial matches by rule: %s", dict(sorted(report.matches.items())))
    else:
        logger.warning("No ReDial movie list given, so only films from %d on are kept", since)

    items = []
    for row, film in enumerate(films):
        if film.year >= since:
            report.kept_by_year += 1
        elif row in matched:
            report.kept_by_redial_only += 1
        else:
            continue
        items.append(film_to_item(film, matched.get(row, [])))
    items.sort(key=lambda item: (item.year or 0, item.title, item.id))
    report.fingerprint = write_catalog(items, out)
    logger.info(
        "Kept %d films: %d from %d on and %d older ones that ReDial mentions",
        report.kept,
        report.kept_by_year,
        since,
        report.kept_by_redial_only,
    )
    return report


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``build`` and ``validate`` commands to the ``catalog`` command group."""
    build = subparsers.add_parser("build", help="build the catalog from the Wikipedia movie data and ReDial")
    build.add_argument("--wikipedia", type=Path, required=True, help="folder of the wikipedia-movie-data *.json files")
    build.add_argument(
        "--redial-movies", type=Path, help="ReDial movies_with_mentions.csv; older films it mentions are kept too"
    )
    build.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output JSONL file (default: {DEFAULT_OUT})")
    build.add_argument("--since", type=int, default=DEFAULT_SINCE, help="first release year kept (default: %(default)s)")
    build.set_defaults(handler=_run_build)

    validate = subparsers.add_parser("validate", help="check a catalog file and print its item count and fingerprint")
    validate.add_argument("path", type=Path, help="catalog file, .jsonl or .csv")
    validate.set_defaults(handler=_run_validate)


def _run_build(args: argparse.Namespace) -> int:
    try:
        report = build_catalog(args.wikipedia, args.redial_movies, args.out, args.since)
    except (FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{args.out}: {report.kept} items, sha256 {report.fingerprint}")
    if report.redial_movies:
        matched = sum(count for rule, count in report.matches.items() if rule not in ("ambiguous", "unmatched"))
        print(f"ReDial movies matched: {matched} of {report.redial_movies} ({dict(sorted(report.matches.items()))})")
    return 0


def _run_validate(args: argparse.Namespace) -> int:
    try:
        catalog = load_catalog(args.path)
    except (FileNotFoundError, CatalogError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{args.path}: {len(catalog)} items, sha256 {catalog.fingerprint}")
    return 0
