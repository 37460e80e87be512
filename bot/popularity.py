"""Popularity prior: one value in [0, 1] per catalog item, from mention or rating counts.

The prior is ``log(1 + count) / log(1 + max count)``: the logarithm keeps a
handful of blockbusters from drowning the similarity to the user's query.
Items without a count get 0.

The chat's counts come from ReDial's ``movies_with_mentions.csv`` (how often
each movie was mentioned in the ReDial conversations), joined to catalog items
through ``source_ids["redial"]``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from bot.items import Catalog
from bot.redial import DEFAULT_MOVIES_PATH, RedialMovie, load_movie_list

logger = logging.getLogger(__name__)

REDIAL_ID_SEPARATOR = ","


def popularity_prior(counts: Mapping[str, float], catalog: Catalog) -> np.ndarray:
    """Return the prior of each catalog row from ``counts`` (item id to a count of zero or more)."""
    values = np.zeros(len(catalog), dtype=np.float64)
    for row, item in enumerate(catalog):
        count = counts.get(item.id, 0.0)
        if count < 0:
            raise ValueError(f"Count {count} of item '{item.id}' is negative; popularity counts must be zero or more")
        values[row] = count
    top = values.max() if len(values) else 0.0
    if top <= 0:
        logger.warning("No catalog item has a positive popularity count; the prior is zero everywhere")
        return np.zeros(len(catalog), dtype=np.float32)
    return (np.log1p(values) / np.log1p(top)).astype(np.float32)


def redial_counts(catalog: Catalog, movie_counts: Mapping[str, float]) -> dict[str, float]:
    """Sum the counts of the ReDial movie ids each item lists in ``source_ids["redial"]``, by item id."""
    counts: dict[str, float] = {}
    for item in catalog:
        redial_ids = [value.strip() for value in item.source_ids.get("redial", "").split(REDIAL_ID_SEPARATOR)]
        total = sum(movie_counts.get(redial_id, 0.0) for redial_id in redial_ids if redial_id)
        if total > 0:
            counts[item.id] = total
    return counts


def redial_mention_prior(catalog: Catalog, movies: Mapping[str, RedialMovie]) -> np.ndarray:
    """Return the prior from ReDial's mention counts (``nbMentions``, all conversations) for ``catalog``."""
    counts = redial_counts(catalog, {movie.id: float(movie.mention_count) for movie in movies.values()})
    logger.info("Popularity prior from ReDial mentions covers %d of %d catalog items", len(counts), len(catalog))
    return popularity_prior(counts, catalog)


def load_redial_prior(catalog: Catalog, movies_path: Path = DEFAULT_MOVIES_PATH) -> np.ndarray | None:
    """Return the ReDial mention prior for ``catalog``, or None when the movie list is missing or matches no item."""
    if not Path(movies_path).is_file():
        logger.warning("No popularity prior: ReDial movie list %s not found; ranking uses similarity only", movies_path)
        return None
    movies = load_movie_list(movies_path)
    if not redial_counts(catalog, {movie.id: float(movie.mention_count) for movie in movies.values()}):
        logger.info("No popularity prior: no catalog item lists a ReDial id of %s", movies_path)
        return None
    return redial_mention_prior(catalog, movies)
