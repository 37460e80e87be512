"""The ReDial benchmark catalog: every movie of ``movies_with_mentions.csv`` as an item.

A movie that a default-catalog item lists in ``source_ids["redial"]`` gets that
item's genres, people, description and link. The others keep their title and
year as their only text. Item ids are ``redial:<movie id>``.

The vector index of this catalog is built with the same embedder and
``bot.index`` code as the chat's index, and cached in a folder whose manifest
ties it to the catalog's fingerprint and the embedder.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.catalog import item_to_record
from bot.embedding import Embedder
from bot.index import VectorIndex, VectorIndexError, build_index, check_manifest, load_index
from bot.items import Catalog, Item
from bot.redial import RedialMovie

logger = logging.getLogger(__name__)

ITEM_PREFIX = "redial:"
REDIAL_ID_SEPARATOR = ","


def item_id(movie_id: str) -> str:
    """Return the bench catalog id of a ReDial movie id."""
    return ITEM_PREFIX + movie_id


def movie_id(bench_item_id: str) -> str:
    """Return the ReDial movie id of a bench catalog id."""
    if not bench_item_id.startswith(ITEM_PREFIX):
        raise ValueError(
            f"'{bench_item_id}' is not a ReDial bench item id; expected the form '{ITEM_PREFIX}<movie id>'"
        )
    return bench_item_id[len(ITEM_PREFIX):]


@dataclass(frozen=True)
class BenchCatalog:
    """The bench catalog and how many of its movies got text from the default catalog."""

    catalog: Catalog
    matched: int

    @property
    def coverage(self) -> float:
        return self.matched / len(self.catalog) if len(self.catalog) else 0.0


def items_by_redial_id(default_catalog: Catalog) -> dict[str, Item]:
    """Map each ReDial id listed in ``source_ids["redial"]`` to its default-catalog item (first one wins)."""
    by_id: dict[str, Item] = {}
    for item in default_catalog:
        for redial_id in item.source_ids.get("redial", "").split(REDIAL_ID_SEPARATOR):
            redial_id = redial_id.strip()
            if redial_id:
                by_id.setdefault(redial_id, item)
    return by_id


def build_bench_catalog(movies: Mapping[str, RedialMovie], default_catalog: Catalog | None) -> BenchCatalog:
    """Return one item per ReDial movie, in movie-list order, with text from ``default_catalog`` where matched."""
    matches = items_by_redial_id(default_catalog) if default_catalog is not None else {}
    items: list[Item] = []
    matched = 0
    for movie in movies.values():
        source = matches.get(movie.id)
        if source is None:
            bare = Item(id=item_id(movie.id), title=movie.title, year=movie.year, source_ids={"redial": movie.id})
            items.append(bare)
            continue
        matched += 1
        source_ids = {name: value for name, value in source.source_ids.items() if name != "redial"}
        source_ids["redial"] = movie.id
        items.append(
            Item(
                id=item_id(movie.id),
                title=movie.title,
                year=movie.year if movie.year is not None else source.year,
                genres=source.genres,
                description=source.description,
                people=source.people,
                link=source.link,
                source_ids=source_ids,
            )
        )
    records = "".join(json.dumps(item_to_record(item), ensure_ascii=False) + "\n" for item in items)
    fingerprint = hashlib.sha256(records.encode("utf-8")).hexdigest()
    origin = default_catalog.source if default_catalog is not None else "no default catalog"
    catalog = Catalog(items, fingerprint, source=f"ReDial bench catalog ({len(items)} movies, text from {origin})")
    logger.info(
        "Bench catalog: %d ReDial movies, %d (%.1f%%) with text from the default catalog",
        len(items), matched, 100.0 * matched / max(1, len(items)),
    )
    return BenchCatalog(catalog=catalog, matched=matched)


def load_or_build_index(catalog: Catalog, embedder: Embedder, index_dir: Path) -> VectorIndex:
    """Load the cached index of ``catalog`` from ``index_dir``, rebuilding it when missing or stale."""
    try:
        check_manifest(index_dir, catalog, embedder.name)
    except VectorIndexError as reason:
        logger.info("Building the bench index in %s: %s", index_dir, reason)
        build_index(catalog, embedder, index_dir)
    return load_index(index_dir, catalog, embedder.name)
