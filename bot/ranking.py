"""Ranking: build a query vector from the whole session profile, retrieve from
the vector index, add the optional popularity prior and co-rating similarity,
then apply filters and boosts.

The chat, the CLI and the benchmarks all rank through :class:`Ranker`.
"""

from __future__ import annotations

import heapq
import logging
from dataclasses import dataclass

import numpy as np

from bot.collaborative import ItemSimilarity
from bot.embedding import Embedder
from bot.genres import expand_exclusions
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
    # Items shown earlier and neither disliked nor marked seen pull it less.
    shown: float = 0.5
    disliked: float = 0.35  # disliked items push it away
    genre_boost: float = 0.05  # per requested genre the item has
    person_boost: float = 0.25  # the item features a requested person
    # Weight of the popularity prior (0..1 per item), used when the ranker has one.
    popularity: float = 0.6
    # Weight of the mean co-rating similarity to liked and reference items, used when the ranker has one.
    collaborative: float = 1.0
    # True: an item must have one of the wanted genres. False: wanted genres only add genre_boost.
    genre_filter: bool = True


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


@dataclass(frozen=True)
class _ItemFeatures:
    """Catalog years, genres and people as arrays, for filtering and boosting every item at once."""

    years: np.ndarray  # float, NaN where the year is unknown
    genre_index: dict[str, int]  # lower-case genre -> column of ``genres``
    genres: np.ndarray  # bool, items x genres
    people_rows: dict[str, list[int]]  # lower-case person -> rows of the items featuring them

    @classmethod
    def build(cls, catalog: Catalog) -> "_ItemFeatures":
        years = np.array([np.nan if item.year is None else item.year for item in catalog], dtype=np.float64)
        genre_index: dict[str, int] = {}
        for item in catalog:
            for genre in item.genres:
                genre_index.setdefault(genre.lower(), len(genre_index))
        genres = np.zeros((len(catalog), len(genre_index)), dtype=bool)
        people_rows: dict[str, list[int]] = {}
        for row, item in enumerate(catalog):
            for genre in item.genres:
                genres[row, genre_index[genre.lower()]] = True
            for person in {person.lower() for person in item.people}:
                people_rows.setdefault(person, []).append(row)
        return cls(years=years, genre_index=genre_index, genres=genres, people_rows=people_rows)

    def genre_columns(self, names: list[str]) -> list[int]:
        return [self.genre_index[name.lower()] for name in names if name.lower() in self.genre_index]


class Ranker:
    """Scores catalog items for a profile and returns the best ones that pass the profile's filters.

    An item's score is its cosine similarity to the query, plus
    ``weights.popularity`` times its popularity prior (one value in [0, 1] per
    catalog row, see :mod:`bot.popularity`), plus ``weights.collaborative``
    times its mean co-rating similarity to the liked and reference items (see
    :mod:`bot.collaborative`), plus genre and person boosts. Without a prior, a
    profile that states nothing gets no recommendations.
    """

    def __init__(
        self,
        catalog: Catalog,
        index: VectorIndex,
        embedder: Embedder,
        weights: RankWeights | None = None,
        popularity: np.ndarray | None = None,
        collaborative: ItemSimilarity | None = None,
    ) -> None:
        if popularity is not None and popularity.shape != (len(catalog),):
            raise ValueError(
                f"The popularity prior has shape {popularity.shape}, expected ({len(catalog)},): one value per "
                "catalog item; build it with bot.popularity.popularity_prior for this catalog"
            )
        if collaborative is not None and collaborative.item_count != len(catalog):
            raise ValueError(
                f"The item similarity covers {collaborative.item_count} items, but the catalog has {len(catalog)}; "
                "build its interaction matrix with one row per catalog item"
            )
        self.catalog = catalog
        self.index = index
        self.embedder = embedder
        self.weights = weights or RankWeights()
        self.popularity = popularity
        self.collaborative = collaborative
        self._features: _ItemFeatures | None = None

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
        rejected = set(profile.disliked) | set(profile.seen)
        shown = self._mean_item_vector([item_id for item_id in profile.shown if item_id not in rejected])
        if shown is not None and self.weights.shown > 0:
            parts.append(self.weights.shown * _normalize(shown))
        if not parts:
            return None
        query = np.sum(parts, axis=0)
        negative = self._mean_item_vector(profile.disliked)
        if negative is not None:
            query = query - self.weights.disliked * _normalize(negative)
        return _normalize(query).astype(np.float32)

    def passes_filters(self, item: Item, profile: SessionProfile) -> bool:
        """Apply the hard constraints: era, excluded genres and, with ``weights.genre_filter``, wanted genres.

        An item passes the wanted genres when it has any of them.
        """
        if profile.year_min is not None or profile.year_max is not None:
            if item.year is None:
                return False
            if profile.year_min is not None and item.year < profile.year_min:
                return False
            if profile.year_max is not None and item.year > profile.year_max:
                return False
        item_genres = {genre.lower() for genre in item.genres}
        excluded = {genre.lower() for genre in expand_exclusions(profile.excluded_genres)}
        if excluded and item_genres & excluded:
            return False
        if self.weights.genre_filter and profile.genres:
            if not item_genres & {genre.lower() for genre in profile.genres}:
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

    def _full_scores(self, query: np.ndarray | None, profile: SessionProfile) -> tuple[np.ndarray, np.ndarray]:
        """Return every row's score before boosts, and its cosine similarity to the query (0 without one)."""
        if query is None:
            similarities = np.zeros(len(self.catalog), dtype=np.float32)
        else:
            # einsum avoids BLAS threads, which slow down badly next to torch's on a small machine.
            similarities = np.einsum("ij,j->i", self.index.vectors, query)
        scores = similarities.astype(np.float64)
        if self.popularity is not None:
            scores += self.weights.popularity * self.popularity
        if self.collaborative is not None:
            named = profile.references + profile.liked
            positive = [self.catalog.row_of(item_id) for item_id in named if item_id in self.catalog]
            if positive:
                scores += self.weights.collaborative * self.collaborative.scores(positive)
        return scores, similarities

    def recommend(self, profile: SessionProfile, k: int) -> list[Candidate]:
        """Return up to ``k`` items for ``profile``, best first, never one it blocks.

        With similarity alone, the vector index returns the nearest items.
        Filters run after retrieval, so the search fetches more than ``k`` and
        widens until ``k * 3`` items pass or the whole catalog has been
        scanned. With a popularity prior or item similarity, every item is
        scored exactly, and a profile that states nothing is ranked by those.
        """
        query = self.query_vector(profile)
        if self.popularity is None and self.collaborative is None:
            if query is None:
                return []
            fetch = max(100, k * 30)
            while True:
                rows, similarities = self.index.search(query, fetch)
                candidates = self._collect(rows, similarities.astype(np.float64), similarities, profile, k)
                if len(candidates) >= k * 3 or fetch >= len(self.catalog):
                    break
                fetch = min(fetch * 4, len(self.catalog))
        else:
            candidates = self._rank_all(query, profile, k)
        candidates.sort(key=lambda candidate: candidate.score, reverse=True)
        if len(candidates) < k:
            logger.debug("Only %d items pass the filters of this profile (asked for %d)", len(candidates), k)
        return candidates[:k]

    def _rank_all(self, query: np.ndarray | None, profile: SessionProfile, k: int) -> list[Candidate]:
        """Score every catalog item, with filters and boosts applied as arrays.

        The rules are those of ``passes_filters`` and ``_boost``.
        """
        scores, similarities = self._full_scores(query, profile)
        features = self._item_features()
        allowed = np.ones(len(self.catalog), dtype=bool)
        if profile.year_min is not None:
            allowed &= features.years >= profile.year_min  # NaN (unknown year) compares False
        if profile.year_max is not None:
            allowed &= features.years <= profile.year_max
        excluded = features.genre_columns(expand_exclusions(profile.excluded_genres))
        if excluded:
            allowed &= ~features.genres[:, excluded].any(axis=1)
        wanted = [features.genre_index.get(genre.lower()) for genre in profile.genres]
        wanted_counts = features.genres[:, [column for column in wanted if column is not None]].sum(axis=1)
        if self.weights.genre_filter and profile.genres:
            allowed &= wanted_counts > 0
        for item_id in profile.blocked:
            if item_id in self.catalog:
                allowed[self.catalog.row_of(item_id)] = False
        totals = scores + self.weights.genre_boost * wanted_counts
        if profile.people:
            starring = np.zeros(len(self.catalog), dtype=bool)
            for person in profile.people:
                starring[features.people_rows.get(person.lower(), [])] = True
            totals += self.weights.person_boost * starring
        rows = np.flatnonzero(allowed)
        if len(rows) > k:
            rows = rows[np.argpartition(-totals[rows], k - 1)[:k]]
        # Ties go to the lower row, as in the index path.
        rows = rows[np.lexsort((rows, -totals[rows]))]
        candidates = []
        for row in rows.tolist():
            score, similarity = float(totals[row]), float(similarities[row])
            candidates.append(Candidate(row=row, item=self.catalog[row], score=score, similarity=similarity))
        return candidates

    def _item_features(self) -> "_ItemFeatures":
        if self._features is None:
            self._features = _ItemFeatures.build(self.catalog)
        return self._features

    def _collect(
        self, rows: np.ndarray, scores: np.ndarray, similarities: np.ndarray, profile: SessionProfile, k: int
    ) -> list[Candidate]:
        """Walk ``rows`` in falling ``scores`` order and return the items that pass, with boosts added.

        Boosts only add, so the walk stops once ``k * 3`` items passed and no
        boost could lift the next item into the top ``k``.
        """
        blocked = profile.blocked
        max_boost = self.weights.genre_boost * len(profile.genres)
        if profile.people:
            max_boost += self.weights.person_boost
        candidates: list[Candidate] = []
        best_scores: list[float] = []  # min-heap of the k best scores so far
        for position in np.argsort(-scores, kind="stable").tolist():
            if len(candidates) >= k * 3 and best_scores and scores[position] + max_boost <= best_scores[0]:
                break
            row = int(rows[position])
            item = self.catalog[row]
            if item.id in blocked or not self.passes_filters(item, profile):
                continue
            score = float(scores[position]) + self._boost(item, profile)
            candidates.append(Candidate(row=row, item=item, score=score, similarity=float(similarities[position])))
            if len(best_scores) < k:
                heapq.heappush(best_scores, score)
            elif score > best_scores[0]:
                heapq.heapreplace(best_scores, score)
        return candidates
