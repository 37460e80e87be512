"""Ranking: build a query vector from the whole session profile, retrieve from
the vector index, then apply filters and boosts.

The chat, the CLI and the benchmarks all rank through :class:`Ranker`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from bot.embedding import Embedder
from bot.index import VectorIndex
from bot.items import Catalog, Item
from bot.profile import SessionProfile

logger = logging.getLogger(__name__)

# How many descriptions, newest first, make up the text part of the query.
QUERY_DESCRIPTIONS = 3


@dataclass(frozen=True)
class RankWeights:
    """Weights of the query parts and score boosts (cosine scale)."""

    text: float = 1.0
    items: float = 1.0  # liked and reference items pull the query
    disliked: float = 0.35  # disliked items push it away
    genre_boost: float = 0.05  # per requested genre the item has
    person_boost: float = 0.25  # the item features a requested person


@dataclass(frozen=True)
class Candidate:
    """A ranked item with its score and its cosine similarity to the query."""

    row: int
    item: Item
    score: float
    similarity: float


def _normalize(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def query_text(profile: SessionProfile) -> str:
    """Text half of the query: recent wishes, wanted genres and people."""
    parts = list(reversed(profile.descriptions[-QUERY_DESCRIPTIONS:]))
    if profile.genres:
        parts.append(", ".join(profile.genres) + " film")
    if profile.people:
        parts.append("starring " + ", ".join(profile.people))
    return ". ".join(parts)


class Ranker:
    def __init__(
        self, catalog: Catalog, index: VectorIndex, embedder: Embedder, weights: RankWeights | None = None
    ) -> None:
        self.catalog = catalog
        self.index = index
        self.embedder = embedder
        self.weights = weights or RankWeights()

    def item_vector(self, item_id: str) -> np.ndarray:
        return self.index.vectors[self.catalog.row_of(item_id)]

    def _mean_item_vector(self, item_ids: list[str]) -> np.ndarray | None:
        rows = [self.catalog.row_of(item_id) for item_id in item_ids if item_id in self.catalog]
        return self.index.vectors[rows].mean(axis=0) if rows else None

    def query_vector(self, profile: SessionProfile) -> np.ndarray | None:
        """Return the normalised query for ``profile``, or None when it states nothing to search by."""
        parts: list[np.ndarray] = []
        text = query_text(profile)
        if text:
            parts.append(self.weights.text * self.embedder.encode_one(text))
        positive = self._mean_item_vector(profile.references + profile.liked)
        if positive is not None:
            parts.append(self.weights.items * _normalize(positive))
        if not parts:
            return None
        query = np.sum(parts, axis=0)
        negative = self._mean_item_vector(profile.disliked)
        if negative is not None:
            query = query - self.weights.disliked * _normalize(negative)
        return _normalize(query).astype(np.float32)

    def passes_filters(self, item: Item, profile: SessionProfile) -> bool:
        """Apply the hard constraints: era, wanted genres (any of them) and excluded genres."""
        if profile.year_min is not None or profile.year_max is not None:
            if item.year is None:
                return False
            if profile.year_min is not None and item.year < profile.year_min:
                return False
            if profile.year_max is not None and item.year > profile.year_max:
                return False
        item_genres = {genre.lower() for genre in item.genres}
        if profile.excluded_genres and item_genres & {genre.lower() for genre in profile.excluded_genres}:
            return False
        if profile.genres and not item_genres & {genre.lower() for genre in profile.genres}:
            return False
        return True

    def _boost(self, item: Item, profile: SessionProfile) -> float:
        boost = 0.0
        item_genres = {genre.lower() for genre in item.genres}
        boost += self.weights.genre_boost * sum(genre.lower() in item_genres for genre in profile.genres)
        if profile.people:
            item_people = {person.lower() for person in item.people}
            if any(person.lower() in item_people for person in profile.people):
                boost += self.weights.person_boost
        return boost

    def recommend(self, profile: SessionProfile, k: int) -> list[Candidate]:
        """Return up to ``k`` items for ``profile``, best first, never one it blocks.

        Filters run after retrieval, so the search fetches more than ``k`` and
        widens until ``k`` items pass or the whole catalog has been scanned.
        """
        query = self.query_vector(profile)
        if query is None:
            return []
        blocked = profile.blocked
        fetch = max(100, k * 30)
        while True:
            rows, similarities = self.index.search(query, fetch)
            candidates = []
            for row, similarity in zip(rows.tolist(), similarities.tolist()):
                item = self.catalog[row]
                if item.id in blocked or not self.passes_filters(item, profile):
                    continue
                score = similarity + self._boost(item, profile)
                candidates.append(Candidate(row=row, item=item, score=score, similarity=similarity))
            if len(candidates) >= k * 3 or fetch >= len(self.catalog):
                break
            fetch = min(fetch * 4, len(self.catalog))
        candidates.sort(key=lambda candidate: candidate.score, reverse=True)
        if len(candidates) < k:
            logger.info("Only %d items pass the filters of this profile (asked for %d)", len(candidates), k)
        return candidates[:k]
