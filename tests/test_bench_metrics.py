"""Ranking metrics on cases small enough to check by hand."""

import math

import numpy as np
import pytest

from bot.bench.metrics import first_ranks, ndcg_at_k, recall_at_k, recall_curve


def test_recall_counts_hits_in_top_k():
    ranking = ["a", "b", "c", "d", "e"]
    assert recall_at_k(ranking, {"b", "e", "z"}, 2) == pytest.approx(1 / 3)
    assert recall_at_k(ranking, {"b", "e", "z"}, 5) == pytest.approx(2 / 3)
    assert recall_at_k(ranking, {"z"}, 5) == 0.0


def test_recall_with_short_ranking():
    assert recall_at_k(["a"], {"a", "b"}, 10) == pytest.approx(0.5)


def test_recall_rejects_empty_relevant_and_bad_k():
    with pytest.raises(ValueError, match="undefined"):
        recall_at_k(["a"], set(), 1)
    with pytest.raises(ValueError, match="at least 1"):
        recall_at_k(["a"], {"a"}, 0)


def test_ndcg_by_hand():
    # Hits at ranks 1 and 3; two relevant items, so the ideal has them at ranks 1 and 2.
    expected = (1 + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    assert ndcg_at_k(["a", "x", "b"], {"a", "b"}, 3) == pytest.approx(expected)


def test_ndcg_perfect_and_empty():
    assert ndcg_at_k(["a", "b", "x"], {"a", "b"}, 3) == pytest.approx(1.0)
    assert ndcg_at_k(["x", "y"], {"a"}, 2) == 0.0


def test_ndcg_ideal_is_cut_at_k():
    # Three relevant items but k = 1: one hit at rank 1 is already ideal.
    assert ndcg_at_k(["a", "b", "c"], {"a", "b", "c"}, 1) == pytest.approx(1.0)


def test_first_ranks_are_one_based():
    assert first_ranks(["a", "b", "c", "b"], ["b", "z", "a"]) == [2, None, 1]


def test_recall_curve_by_hand():
    curve = recall_curve([1, 3, None, 2], max_k=3)
    assert curve.shape == (3,)
    assert np.allclose(curve, [0.25, 0.5, 0.75])


def test_recall_curve_ignores_ranks_beyond_max_k():
    assert np.allclose(recall_curve([5, 1], max_k=2), [0.5, 0.5])


def test_recall_curve_matches_recall_at_k():
    rankings = [["a", "b", "c"], ["c", "a", "b"], ["b", "c", "a"]]
    targets = [["a"], ["b", "a"], ["a"]]
    ranks = [rank for ranking, wanted in zip(rankings, targets) for rank in first_ranks(ranking, wanted)]
    curve = recall_curve(ranks, max_k=3)
    for k in (1, 2, 3):
        hits = [recall_at_k(ranking, {target}, k) for ranking, wanted in zip(rankings, targets) for target in wanted]
        assert curve[k - 1] == pytest.approx(np.mean(hits))


def test_recall_curve_rejects_no_pairs():
    with pytest.raises(ValueError, match="no \\(case, target\\) pairs"):
        recall_curve([], max_k=5)
