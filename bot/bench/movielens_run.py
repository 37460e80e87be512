"""The MovieLens cold-start benchmark.

For each user of ml-latest-small, three movies the user rated 4 or more
(a seeded choice) are the stated preferences, as in "I loved A, B and C". The
rest of the user's ratings are hidden. Every system ranks the catalog items
matched to MovieLens, minus the three, and the hidden movies rated 4 or more
are relevant. Users with fewer than four such matched movies are skipped.

Reported: Recall@10 (hits among the relevant items / number of relevant
items), NDCG@10, and catalog coverage (share of the matched items that appear
in at least one user's top 10).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sparse
from tqdm import tqdm

from bot.bench.metrics import ndcg_at_k, recall_at_k
from bot.bench.movielens_data import ITEM_COL, RATING_COL, USER_COL, MovieLensData, load_movielens, match_catalog
from bot.bench.redial_catalog import load_or_build_index
from bot.bench.variants import COLLABORATIVE, VARIANTS
from bot.catalog import load_catalog
from bot.collaborative import ItemSimilarity
from bot.embedding import Embedder
from bot.items import Catalog
from bot.popularity import redial_mention_prior
from bot.profile import SessionProfile
from bot.ranking import Ranker
from bot.redial import load_movie_list

logger = logging.getLogger(__name__)

K = 10
# Items the ranker returns before the list is cut to matched items. About half of
# the catalog is matched to MovieLens, so 40 * K leaves ample room.
RANKER_FETCH = 40 * K


@dataclass(frozen=True)
class MovieLensConfig:
    """Inputs of one MovieLens run; paths are the caller's."""

    data_path: Path
    catalog_path: Path
    redial_movies_path: Path
    embedder: str
    index_dir: Path
    seed: int = 0
    stated: int = 3
    like_threshold: float = 4.0


@dataclass(frozen=True)
class UserCase:
    """One user: the stated movies and the hidden relevant ones, as row positions among the matched items."""

    user_id: int
    stated: tuple[int, ...]
    relevant: frozenset[int]


@dataclass
class MovieLensScores:
    recall: float
    ndcg: float
    coverage: float


@dataclass
class MovieLensResults:
    scores: dict[str, MovieLensScores] = field(default_factory=dict)
    users: int = 0
    evaluated_users: int = 0
    movies: int = 0
    matched_movies: int = 0
    matched_rating_share: float = 0.0
    wall_seconds: float = 0.0


def build_cases(
    ratings, matched_position: dict[int, int], stated: int, threshold: float, seed: int
) -> tuple[list[UserCase], int]:
    """Return one case per user with enough liked matched movies, and the number of users overall."""
    cases = []
    users = 0
    liked = ratings[(ratings[RATING_COL] >= threshold) & ratings[ITEM_COL].isin(matched_position.keys())]
    liked_by_user = liked.groupby(USER_COL)[ITEM_COL].apply(lambda movies: sorted(set(movies)))
    for user_id in sorted(ratings[USER_COL].unique()):
        users += 1
        movies = liked_by_user.get(user_id, [])
        if len(movies) < stated + 1:
            continue
        rng = np.random.default_rng([seed, int(user_id)])
        chosen = set(rng.choice(len(movies), size=stated, replace=False).tolist())
        cases.append(
            UserCase(
                user_id=int(user_id),
                stated=tuple(matched_position[movies[index]] for index in sorted(chosen)),
                relevant=frozenset(
                    matched_position[movie] for index, movie in enumerate(movies) if index not in chosen
                ),
            )
        )
    return cases, users


def _top(scores: np.ndarray, excluded: Sequence[int], k: int) -> list[int]:
    scores = scores.astype(np.float64, copy=True)
    scores[list(excluded)] = -np.inf
    k = min(k, len(scores) - len(set(excluded)))
    top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    # Ties go to the lower position, so every run ranks the same.
    top = top[np.lexsort((top, -scores[top]))]
    return [int(position) for position in top if np.isfinite(scores[position])][:k]


class RatingMatrix:
    """Ratings of the matched movies, rows = matched items, columns = users."""

    def __init__(self, ratings, matched_position: dict[int, int], count: int) -> None:
        kept = ratings[ratings[ITEM_COL].isin(matched_position.keys())]
        users = {user: column for column, user in enumerate(sorted(ratings[USER_COL].unique()))}
        self.user_column = users
        rows = kept[ITEM_COL].map(matched_position).to_numpy()
        columns = kept[USER_COL].map(users).to_numpy()
        self.matrix = sparse.csr_matrix((kept[RATING_COL].to_numpy(), (rows, columns)), shape=(count, len(users)))
        self.by_user = self.matrix.tocsc()
        self.counts = np.asarray((self.matrix > 0).sum(axis=1)).ravel().astype(np.float64)
        self.squared_norms = np.asarray(self.matrix.multiply(self.matrix).sum(axis=1)).ravel()

    def user_ratings(self, user_id: int) -> np.ndarray:
        return self.by_user[:, self.user_column[user_id]].toarray().ravel()


class LeaveUserOut(ItemSimilarity):
    """Co-rating similarity over catalog rows that ignores the ratings of ``user_id``, the user being tested."""

    def __init__(self, matrix: RatingMatrix, catalog_rows: np.ndarray, catalog_size: int) -> None:
        ratings = matrix.matrix.tocoo()
        interactions = sparse.csr_matrix(
            (ratings.data, (catalog_rows[ratings.row], ratings.col)), shape=(catalog_size, ratings.shape[1])
        )
        super().__init__(interactions)
        self._columns = self.matrix.tocsc()
        self._user_column = matrix.user_column
        self.user_id: int | None = None

    def _dots_and_norms(self, rows: list[int]) -> tuple[np.ndarray, np.ndarray]:
        dots, norms = super()._dots_and_norms(rows)
        if self.user_id is None:
            return dots, norms
        own = self._columns[:, self._user_column[self.user_id]].toarray().ravel()
        dots = dots - np.outer(own, own[rows])
        return dots, np.sqrt(np.maximum(self.squared_norms - own**2, 0.0))


def popularity_top(matrix: RatingMatrix, case: UserCase, k: int) -> list[int]:
    """Most-rated matched movies, counting every user but ``case``'s."""
    own = matrix.user_ratings(case.user_id) > 0
    return _top(matrix.counts - own, case.stated, k)


def item_knn_top(matrix: RatingMatrix, case: UserCase, k: int) -> list[int]:
    """Sum of cosine similarities (on ratings, the test user's column removed) to the stated movies."""
    own = matrix.user_ratings(case.user_id)
    stated = list(case.stated)
    dots = np.asarray((matrix.matrix @ matrix.matrix[stated].T).todense()) - np.outer(own, own[stated])
    norms = np.sqrt(np.maximum(matrix.squared_norms - own**2, 0.0))
    denominator = np.outer(norms, norms[stated])
    similarity = np.divide(dots, denominator, out=np.zeros_like(dots), where=denominator > 0)
    return _top(similarity.sum(axis=1), case.stated, k)


def ranker_top(
    ranker: Ranker, matched_ids: list[str], position_of: dict[str, int], case: UserCase, k: int
) -> list[int]:
    """Rank for a profile that liked the stated movies and return the top ``k`` matched items."""
    profile = SessionProfile(liked=[matched_ids[position] for position in case.stated])
    ranking = []
    for candidate in ranker.recommend(profile, RANKER_FETCH):
        position = position_of.get(candidate.item.id)
        if position is not None:
            ranking.append(position)
            if len(ranking) == k:
                break
    return ranking


def _score(tops: list[list[int]], cases: list[UserCase], matched: int) -> MovieLensScores:
    recall = float(np.mean([recall_at_k(top, case.relevant, K) for top, case in zip(tops, cases)]))
    ndcg = float(np.mean([ndcg_at_k(top, case.relevant, K) for top, case in zip(tops, cases)]))
    shown = {position for top in tops for position in top}
    return MovieLensScores(recall=recall, ndcg=ndcg, coverage=len(shown) / matched)


def run_movielens(config: MovieLensConfig) -> MovieLensResults:
    """Score the baselines and each step of our ranker on the cold-start task."""
    started = time.perf_counter()
    data: MovieLensData = load_movielens(config.data_path)
    catalog: Catalog = load_catalog(config.catalog_path)
    matches = match_catalog(data, catalog)
    matched_ids = sorted(set(matches.values()), key=catalog.row_of)
    position_of = {item_id: position for position, item_id in enumerate(matched_ids)}
    matched_position = {movie: position_of[item_id] for movie, item_id in matches.items()}
    cases, users = build_cases(data.ratings, matched_position, config.stated, config.like_threshold, config.seed)
    if not cases:
        raise ValueError(
            f"No MovieLens user in {config.data_path} has {config.stated + 1} liked movies matched to the catalog; "
            "check the data folder and the catalog"
        )
    logger.info("MovieLens: %d of %d users have %d+ liked matched movies", len(cases), users, config.stated + 1)

    results = MovieLensResults(
        users=users,
        evaluated_users=len(cases),
        movies=len(data.titles),
        matched_movies=len(matches),
        matched_rating_share=float(data.ratings[ITEM_COL].isin(matches.keys()).mean()),
    )
    matrix = RatingMatrix(data.ratings, matched_position, len(matched_ids))
    baselines = {
        "popularity (ratings of other users)": lambda case: popularity_top(matrix, case, K),
        "item-kNN (co-ratings of other users)": lambda case: item_knn_top(matrix, case, K),
    }
    for name, rank in baselines.items():
        tops = [rank(case) for case in tqdm(cases, desc=name, unit="user")]
        results.scores[name] = _score(tops, cases, len(matched_ids))

    embedder = Embedder(config.embedder)
    index = load_or_build_index(catalog, embedder, config.index_dir)
    prior = redial_mention_prior(catalog, load_movie_list(config.redial_movies_path))
    for variant in VARIANTS:
        variant_prior = prior if variant.uses_popularity else None
        ranker = Ranker(catalog, index, embedder, variant.weights, popularity=variant_prior)
        tops = [
            ranker_top(ranker, matched_ids, position_of, case, K)
            for case in tqdm(cases, desc=variant.name, unit="user")
        ]
        results.scores[variant.name] = _score(tops, cases, len(matched_ids))

    # The last steps swap the ReDial prior for MovieLens rating counts, then add co-ratings, both without the user.
    catalog_rows = np.array([catalog.row_of(item_id) for item_id in matched_ids])
    similarity = LeaveUserOut(matrix, catalog_rows, len(catalog))
    steps = {
        f"{VARIANTS[2].name}, prior from MovieLens (other users)": None,
        f"{COLLABORATIVE.name}, prior from MovieLens (other users)": similarity,
    }
    for name, collaborative in steps.items():
        tops = []
        for case in tqdm(cases, desc=name, unit="user"):
            similarity.user_id = case.user_id
            own = matrix.user_ratings(case.user_id) > 0
            counts = np.zeros(len(catalog))
            counts[catalog_rows] = matrix.counts - own
            user_prior = (np.log1p(counts) / np.log1p(counts.max())).astype(np.float32)
            ranker = Ranker(
                catalog, index, embedder, COLLABORATIVE.weights, popularity=user_prior, collaborative=collaborative
            )
            tops.append(ranker_top(ranker, matched_ids, position_of, case, K))
        results.scores[name] = _score(tops, cases, len(matched_ids))
    results.wall_seconds = time.perf_counter() - started
    return results
