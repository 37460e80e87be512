"""Ranking metrics with binary relevance.

Recall@k follows the conversational-recommendation papers (KBRD, KGSF,
UniCRS): each (turn, target) pair scores 1 when the target is among the top k,
and the figure is the mean over all pairs. NDCG@k uses the usual
``1 / log2(rank + 1)`` gain, normalised by the best ordering of the relevant
items.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np


def first_ranks(ranking: Sequence[str], targets: Iterable[str]) -> list[int | None]:
    """Return the 1-based rank of each target in ``ranking``, or None for a target it lacks."""
    # A ranking should not repeat ids; if it does, the first position counts.
    position: dict[str, int] = {}
    for rank, item_id in enumerate(ranking, start=1):
        position.setdefault(item_id, rank)
    return [position.get(target) for target in targets]


def recall_at_k(ranking: Sequence[str], relevant: Iterable[str], k: int) -> float:
    """Return the share of ``relevant`` items found in the top ``k`` of ``ranking``.

    Raises ValueError when there is nothing relevant, because recall is then undefined.
    """
    relevant = set(relevant)
    if not relevant:
        raise ValueError("recall@k is undefined without relevant items; skip such cases before scoring")
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    return len(relevant.intersection(ranking[:k])) / len(relevant)


def ndcg_at_k(ranking: Sequence[str], relevant: Iterable[str], k: int) -> float:
    """Return the binary-relevance NDCG of the top ``k`` of ``ranking``."""
    relevant = set(relevant)
    if not relevant:
        raise ValueError("NDCG@k is undefined without relevant items; skip such cases before scoring")
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    gain = sum(1.0 / math.log2(rank + 1) for rank, item_id in enumerate(ranking[:k], start=1) if item_id in relevant)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(relevant), k) + 1))
    return gain / ideal


def recall_curve(ranks: Sequence[int | None], max_k: int) -> np.ndarray:
    """Return Recall@k for k = 1..max_k over (case, target) pairs, given each target's rank or None.

    Element ``k - 1`` is the share of pairs whose target ranks at k or better.
    """
    if max_k < 1:
        raise ValueError(f"max_k must be at least 1, got {max_k}")
    if not ranks:
        raise ValueError("no (case, target) pairs to score; check that the data has scoring turns")
    counts = np.zeros(max_k + 1, dtype=np.int64)
    for rank in ranks:
        if rank is not None and rank <= max_k:
            counts[rank] += 1
    return np.cumsum(counts)[1:] / len(ranks)
