"""The ReDial benchmark run: load the data, build the systems, rank every scoring turn, score.

Each system ranks every scoring turn of all test conversations once per
protocol. The figures for the held-out split come from the same rankings,
restricted to the held-out conversations.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from bot.bench.embed_cache import CachedEmbedder
from bot.bench.metrics import first_ranks, recall_curve
from bot.bench.redial_catalog import build_bench_catalog, item_id, load_or_build_index
from bot.bench.redial_systems import (
    ChatRanker,
    ConversationReplay,
    DenseLastMessageRanker,
    PopularityRanker,
    RandomRanker,
    RepeatRanker,
    TurnRanker,
    train_mention_counts,
)
from bot.bench.variants import COLLABORATIVE, VARIANTS
from bot.bench.redial_turns import PROTOCOLS, Protocol, ScoringTurn, collect_scoring_turns
from bot.catalog import load_catalog
from bot.collaborative import ItemSimilarity
from bot.engine import PeopleLookup
from bot.items import Catalog
from bot.popularity import popularity_prior
from bot.ranking import Ranker
from bot.redial import heldout_ids, load_conversations, load_movie_list
from bot.titles import TitleResolver

logger = logging.getLogger(__name__)

MAX_K = 50
SPLITS = ("held-out", "all")


@dataclass(frozen=True)
class RedialConfig:
    """Inputs of one ReDial benchmark run; paths are the caller's."""

    conversations_path: Path
    movies_path: Path
    heldout_path: Path
    catalog_path: Path | None
    embedder: str
    index_dir: Path
    movielens_path: Path | None = None
    seed: int = 0
    # Rank only the first N conversations (for a quick look); None ranks all.
    limit: int | None = None


@dataclass
class SystemScores:
    """Recall@k, k = 1..MAX_K, of one system on one protocol and split."""

    curve: np.ndarray
    turns: int
    pairs: int

    def recall(self, k: int) -> float:
        return float(self.curve[k - 1])


@dataclass
class RedialResults:
    """Scores by (system, protocol, split), plus what the report states about the run."""

    scores: dict[tuple[str, str, str], SystemScores] = field(default_factory=dict)
    systems: list[str] = field(default_factory=list)
    catalog_size: int = 0
    catalog_matched: int = 0
    conversations: dict[str, int] = field(default_factory=dict)
    popularity_sources: dict[str, str] = field(default_factory=dict)
    wall_seconds: float = 0.0


def build_systems(
    config: RedialConfig, conversations, movies, catalog: Catalog, index, embedder: CachedEmbedder
) -> tuple[list[TurnRanker], dict[str, str]]:
    """Return the baselines, then each step of our ranker, and a description of each popularity source."""
    movie_ids = list(movies)
    counts = train_mention_counts(movies, conversations)
    train_name = "popularity (ReDial train mentions)"
    popularity_sources = {
        train_name: (
            "nbMentions of movies_with_mentions.csv minus every mention in the 1,342 test conversations, "
            "so only mentions in ReDial's training conversations count; our ranker's prior uses the same counts"
        )
    }
    systems: list[TurnRanker] = [
        RandomRanker(movie_ids, seed=config.seed),
        PopularityRanker(counts, movie_ids, name=train_name),
    ]
    movielens = None
    if config.movielens_path is not None:
        from bot.bench.movielens_data import load_movielens, rating_counts_for_redial

        movielens = load_movielens(config.movielens_path)
        ml_counts, matched = rating_counts_for_redial(movielens, movies)
        name = "popularity (MovieLens ratings)"
        systems.append(PopularityRanker(ml_counts, movie_ids, name=name))
        popularity_sources[name] = (
            f"number of ratings in MovieLens ml-latest-small; {matched} of {len(movies)} ReDial movies "
            "matched by title and year"
        )
    systems.append(RepeatRanker())
    systems.append(DenseLastMessageRanker(catalog, index, embedder))

    years = [item.year for item in catalog if item.year]
    replay = ConversationReplay(catalog, TitleResolver(catalog), PeopleLookup(catalog), max(years) if years else 2024)
    prior = popularity_prior({item_id(movie): count for movie, count in counts.items()}, catalog)
    for variant in VARIANTS:
        variant_prior = prior if variant.uses_popularity else None
        ranker = Ranker(catalog, index, embedder, variant.weights, popularity=variant_prior)
        systems.append(ChatRanker(ranker, replay, name=variant.name))
    if movielens is not None:
        from bot.bench.movielens_data import interaction_matrix, match_redial

        row_of = {movie: catalog.row_of(item_id(movie)) for movie in movies}
        interactions = interaction_matrix(movielens, match_redial(movielens, movies), row_of, len(catalog))
        similarity = ItemSimilarity(interactions)
        ranker = Ranker(catalog, index, embedder, COLLABORATIVE.weights, popularity=prior, collaborative=similarity)
        systems.append(ChatRanker(ranker, replay, name=COLLABORATIVE.name))
    return systems, popularity_sources


def score_system(system: TurnRanker, turns: list[ScoringTurn]) -> list[list[int | None]]:
    """Return, for each turn, the rank of each of its targets in the system's top ``MAX_K`` (None if absent)."""
    system.prepare(turns)
    ranks = []
    for turn in tqdm(turns, desc=system.name, unit="turn"):
        ranking = system.rank(turn, MAX_K)
        ranks.append(first_ranks(ranking, turn.targets))
    return ranks


def _scores(turns: list[ScoringTurn], ranks: list[list[int | None]], keep) -> SystemScores:
    chosen = [(turn, turn_ranks) for turn, turn_ranks in zip(turns, ranks) if keep(turn)]
    flat = [rank for _turn, turn_ranks in chosen for rank in turn_ranks]
    return SystemScores(curve=recall_curve(flat, MAX_K), turns=len(chosen), pairs=len(flat))


def run_redial(config: RedialConfig) -> RedialResults:
    """Run every system under both protocols and return the scores for the held-out split and for all conversations."""
    started = time.perf_counter()
    conversations = load_conversations(config.conversations_path)
    movies = load_movie_list(config.movies_path)
    heldout = heldout_ids(config.heldout_path)
    unknown = heldout - {conversation.id for conversation in conversations}
    if unknown:
        raise ValueError(
            f"{len(unknown)} held-out ids in {config.heldout_path} are not in {config.conversations_path} "
            f"(e.g. {sorted(unknown)[:3]}); regenerate the split with 'python -m bot redial split'"
        )
    ranked = conversations[: config.limit] if config.limit else conversations

    default_catalog = load_catalog(config.catalog_path) if config.catalog_path is not None else None
    bench = build_bench_catalog(movies, default_catalog)
    embedder = CachedEmbedder(config.embedder)
    index = load_or_build_index(bench.catalog, embedder, config.index_dir)
    systems, popularity_sources = build_systems(config, conversations, movies, bench.catalog, index, embedder)

    results = RedialResults(
        systems=[system.name for system in systems],
        catalog_size=len(bench.catalog),
        catalog_matched=bench.matched,
        conversations={
            "held-out": sum(conversation.id in heldout for conversation in ranked),
            "all": len(ranked),
        },
        popularity_sources=popularity_sources,
    )
    keep = {"held-out": lambda turn: turn.conversation_id in heldout, "all": lambda turn: True}
    for protocol in PROTOCOLS:
        turns = collect_scoring_turns(ranked, movies, protocol)
        for system in systems:
            ranks = score_system(system, turns)
            for split in SPLITS:
                results.scores[(system.name, protocol, split)] = _scores(turns, ranks, keep[split])
    results.wall_seconds = time.perf_counter() - started
    return results


def scores_for(results: RedialResults, protocol: Protocol, split: str) -> dict[str, SystemScores]:
    """Return each system's scores for one protocol and split, in system order."""
    return {name: results.scores[(name, protocol, split)] for name in results.systems}
