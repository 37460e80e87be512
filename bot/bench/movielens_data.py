"""MovieLens ml-latest-small: loading and title matching to catalog items.

MovieLens (Harper & Konstan, "The MovieLens Datasets: History and Context",
ACM TiiS 2015) is for research use only and may not be redistributed, so this
code takes the data folder as an argument, and nothing derived from it is
written to the repository.

The default catalog carries no IMDb ids, so movies are matched by normalised
title and year: MovieLens writes "Usual Suspects, The (1995)" and sometimes an
alternative title in parentheses, "Twelve Monkeys (a.k.a. 12 Monkeys) (1995)".
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import scipy.sparse as sparse

from bot.items import Catalog
from bot.redial import RedialMovie
from bot.titles import normalize_title

logger = logging.getLogger(__name__)

USER_COL = "userId"
ITEM_COL = "movieId"
RATING_COL = "rating"
TITLE_COL = "title"

_YEAR_AT_END = re.compile(r"^(?P<title>.*?)\s*\((?P<year>\d{4})\)\s*$")
_TRAILING_PARENTHESES = re.compile(r"^(?P<title>.+?)\s*\((?P<alternative>[^()]+)\)$")
_MOVED_ARTICLE = re.compile(r"^(?P<title>.+), (?P<article>The|A|An|L'|La|Le|Les|Il|El|Das|Der|Die)$", re.IGNORECASE)


class MovieLensDataError(ValueError):
    """A MovieLens folder that lacks a file or a column; the message names it."""


@dataclass(frozen=True)
class MovieLensData:
    """Ratings and titles of a MovieLens release."""

    ratings: pd.DataFrame  # userId, movieId, rating
    titles: dict[int, str]  # movieId -> title as written, with the year


def load_movielens(folder: str | Path) -> MovieLensData:
    """Read ``ratings.csv`` and ``movies.csv`` from ``folder`` and check their columns."""
    folder = Path(folder)
    tables = {}
    for name, columns in (("ratings.csv", (USER_COL, ITEM_COL, RATING_COL)), ("movies.csv", (ITEM_COL, TITLE_COL))):
        path = folder / name
        if not path.is_file():
            raise MovieLensDataError(
                f"{path} not found; pass the folder of a MovieLens release such as ml-latest-small"
            )
        table = pd.read_csv(path)
        missing = [column for column in columns if column not in table.columns]
        if missing:
            raise MovieLensDataError(f"{path}: missing columns {missing}; found {list(table.columns)}")
        tables[name] = table[list(columns)]
    ratings = tables["ratings.csv"].astype({USER_COL: "int64", ITEM_COL: "int64", RATING_COL: "float64"})
    titles = dict(zip(tables["movies.csv"][ITEM_COL].astype(int), tables["movies.csv"][TITLE_COL].astype(str)))
    logger.info(
        "Loaded %d ratings of %d users on %d movies from %s",
        len(ratings), ratings[USER_COL].nunique(), len(titles), folder,
    )
    return MovieLensData(ratings=ratings, titles=titles)


def title_keys(movielens_title: str) -> tuple[list[str], int | None]:
    """Return the normalised title keys of a MovieLens title (main title first) and its year.

    "City of Lost Children, The (Cité des enfants perdus, La) (1995)" gives the
    keys of "The City of Lost Children" and of "La Cité des enfants perdus".
    """
    text = " ".join(movielens_title.split())
    year = None
    match = _YEAR_AT_END.match(text)
    if match:
        text, year = match.group("title"), int(match.group("year"))
    names = [text]
    match = _TRAILING_PARENTHESES.match(text)
    if match:
        alternative = re.sub(r"^a\.k\.a\.\s*", "", match.group("alternative"), flags=re.IGNORECASE)
        names = [match.group("title"), alternative]
    keys = []
    for name in names:
        moved = _MOVED_ARTICLE.match(name)
        if moved:
            article = moved.group("article")
            separator = "" if article.endswith("'") else " "
            name = f"{article}{separator}{moved.group('title')}"
        key = normalize_title(name)
        if key and key not in keys:
            keys.append(key)
    return keys, year


def _match(keys: list[str], year: int | None, by_key: Mapping[tuple[str, int | None], list[str]]) -> str | None:
    """Return the one id under a key with the same year, then with the year off by one; None if none or several."""
    for offsets in ((0,), (-1, 1)):
        for key in keys:
            found: set[str] = set()
            for offset in offsets:
                found.update(by_key.get((key, None if year is None else year + offset), []))
            if len(found) == 1:
                return found.pop()
            if len(found) > 1:
                return None
    return None


def match_titles(titles: Mapping[int, str], targets: Iterable[tuple[str, str, int | None]]) -> dict[int, str]:
    """Match MovieLens movies to target ids by normalised title and year (+-1); ambiguous ones stay unmatched.

    ``targets`` yields (id, title, year). A target matched by several MovieLens
    movies keeps the first.
    """
    by_key: dict[tuple[str, int | None], list[str]] = {}
    for target_id, title, year in targets:
        by_key.setdefault((normalize_title(title), year), []).append(target_id)
    matches: dict[int, str] = {}
    taken: set[str] = set()
    for movielens_id, title in titles.items():
        keys, year = title_keys(title)
        target = _match(keys, year, by_key)
        if target is not None and target not in taken:
            matches[movielens_id] = target
            taken.add(target)
    return matches


def match_catalog(data: MovieLensData, catalog: Catalog) -> dict[int, str]:
    """Match MovieLens movies to catalog item ids; log the match rate."""
    matches = match_titles(data.titles, ((item.id, item.title, item.year) for item in catalog))
    rated = data.ratings[ITEM_COL].isin(matches.keys()).mean() if len(data.ratings) else 0.0
    logger.info(
        "Matched %d of %d MovieLens movies (%.1f%%) to catalog items; they carry %.1f%% of the ratings",
        len(matches), len(data.titles), 100.0 * len(matches) / max(1, len(data.titles)), 100.0 * rated,
    )
    return matches


def match_redial(data: MovieLensData, movies: Mapping[str, RedialMovie]) -> dict[int, str]:
    """Match MovieLens movies to ReDial movie ids by normalised title and year."""
    return match_titles(data.titles, ((movie.id, movie.title, movie.year) for movie in movies.values()))


def rating_counts_for_redial(data: MovieLensData, movies: Mapping[str, RedialMovie]) -> tuple[Counter, int]:
    """Return the number of MovieLens ratings of each ReDial movie, and how many ReDial movies matched."""
    matches = match_redial(data, movies)
    per_movie = data.ratings[ITEM_COL].value_counts()
    counts: Counter = Counter()
    for movielens_id, redial_id in matches.items():
        counts[redial_id] = int(per_movie.get(movielens_id, 0))
    return counts, len(matches)


def interaction_matrix(
    data: MovieLensData, matches: Mapping[int, str], row_of: Mapping[str, int], rows: int
) -> sparse.csr_matrix:
    """Return the (rows x users) rating matrix of the matched movies; ``row_of`` maps a matched id to its row."""
    kept = data.ratings[data.ratings[ITEM_COL].isin(matches.keys())]
    users = {user: column for column, user in enumerate(sorted(data.ratings[USER_COL].unique()))}
    item_rows = kept[ITEM_COL].map(lambda movie: row_of[matches[movie]]).to_numpy()
    columns = kept[USER_COL].map(users).to_numpy()
    return sparse.csr_matrix((kept[RATING_COL].to_numpy(), (item_rows, columns)), shape=(rows, len(users)))
