"""Ranker signals beyond similarity: popularity prior, co-rating similarity and the genre switch."""

from dataclasses import replace

import numpy as np
import pytest
import scipy.sparse as sparse

from bot.collaborative import ItemSimilarity
from bot.items import Catalog, Item
from bot.popularity import popularity_prior, redial_counts
from bot.profile import SessionProfile
from bot.ranking import Ranker, RankWeights


def test_item_similarity_matches_brute_force():
    rng = np.random.default_rng(0)
    dense = rng.integers(0, 6, size=(12, 9)).astype(float)
    dense[3] = 0.0  # an item without ratings
    similarity = ItemSimilarity(sparse.csr_matrix(dense))
    rows = [0, 5, 7]
    norms = np.linalg.norm(dense, axis=1)
    expected = np.zeros(12)
    for item in range(12):
        cosines = [
            dense[item] @ dense[row] / (norms[item] * norms[row]) if norms[item] > 0 else 0.0 for row in rows
        ]
        expected[item] = np.mean(cosines)
    assert np.allclose(similarity.scores(rows), expected)
    assert np.allclose(similarity.scores([]), 0.0)


def test_popularity_prior_is_log_scaled():
    catalog = Catalog([Item(id="a", title="A"), Item(id="b", title="B"), Item(id="c", title="C")], "x")
    prior = popularity_prior({"a": 99.0, "b": 9.0}, catalog)
    assert prior == pytest.approx([1.0, np.log(10) / np.log(100), 0.0])
    with pytest.raises(ValueError, match="negative"):
        popularity_prior({"a": -1.0}, catalog)


def test_redial_counts_sum_listed_ids():
    catalog = Catalog(
        [
            Item(id="a", title="A", source_ids={"redial": "1,2"}),
            Item(id="b", title="B", source_ids={"redial": "3"}),
            Item(id="c", title="C"),
        ],
        "x",
    )
    assert redial_counts(catalog, {"1": 4.0, "2": 1.0, "9": 7.0}) == {"a": 5.0}


@pytest.fixture()
def ranker(tiny_service):
    return tiny_service.engine.ranker


def test_prior_ranks_cold_profile(ranker):
    prior = np.zeros(len(ranker.catalog), dtype=np.float32)
    prior[[4, 9, 2]] = [1.0, 0.8, 0.5]
    with_prior = Ranker(ranker.catalog, ranker.index, ranker.embedder, popularity=prior)
    assert [candidate.row for candidate in with_prior.recommend(SessionProfile(), 3)] == [4, 9, 2]
    assert ranker.recommend(SessionProfile(), 3) == []


def test_prior_shape_is_checked(ranker):
    with pytest.raises(ValueError, match="one value per catalog item"):
        Ranker(ranker.catalog, ranker.index, ranker.embedder, popularity=np.zeros(3, dtype=np.float32))


def test_exact_scoring_equals_index_search(ranker):
    # A zero prior changes no score, so the exact path must rank as the index path does.
    profile = SessionProfile(references=["wiki:Alien_(film)"], descriptions=["space monsters"])
    zero_prior = np.zeros(len(ranker.catalog), dtype=np.float32)
    zero = Ranker(ranker.catalog, ranker.index, ranker.embedder, popularity=zero_prior)
    expected = [candidate.item.id for candidate in ranker.recommend(profile, 8)]
    assert [candidate.item.id for candidate in zero.recommend(profile, 8)] == expected


def test_collaborative_similarity_pulls_co_rated(ranker):
    catalog = ranker.catalog
    interactions = np.zeros((len(catalog), 4))
    alien, tootsie = catalog.row_of("wiki:Alien_(film)"), catalog.row_of("wiki:Tootsie")
    interactions[alien, :] = 5.0
    interactions[tootsie, :] = 5.0
    similarity = ItemSimilarity(sparse.csr_matrix(interactions))
    weights = RankWeights(collaborative=5.0)
    with_ratings = Ranker(catalog, ranker.index, ranker.embedder, weights, collaborative=similarity)
    profile = SessionProfile(references=["wiki:Alien_(film)"])
    assert with_ratings.recommend(profile, 1)[0].item.id == "wiki:Tootsie"


def test_genre_switch(ranker):
    profile = SessionProfile(genres=["Comedy"], descriptions=["space adventure"])
    filtered = ranker.recommend(profile, 5)
    assert all("Comedy" in candidate.item.genres for candidate in filtered)
    soft = Ranker(ranker.catalog, ranker.index, ranker.embedder, replace(ranker.weights, genre_filter=False))
    assert any("Comedy" not in candidate.item.genres for candidate in soft.recommend(profile, 8))


def test_shown_items_pull_unless_rejected(ranker):
    star_wars = ranker.item_vector("wiki:Star_Wars_(film)")
    base = SessionProfile(descriptions=["a comedy"])
    shown = SessionProfile(descriptions=["a comedy"], shown=["wiki:Star_Wars_(film)"])
    rejected = SessionProfile(
        descriptions=["a comedy"], shown=["wiki:Star_Wars_(film)"], seen=["wiki:Star_Wars_(film)"]
    )
    assert float(ranker.query_vector(shown) @ star_wars) > float(ranker.query_vector(base) @ star_wars)
    unchanged = float(ranker.query_vector(base) @ star_wars)
    assert float(ranker.query_vector(rejected) @ star_wars) == pytest.approx(unchanged)


@pytest.mark.parametrize(
    "profile",
    [
        SessionProfile(references=["wiki:Alien_(film)"]),
        SessionProfile(
            descriptions=["a funny adventure"], genres=["Comedy", "Adventure"], year_min=1980, year_max=1989
        ),
        SessionProfile(descriptions=["space"], excluded_genres=["Horror"], people=["Sigourney Weaver"]),
        SessionProfile(genres=["Western"], shown=["wiki:Top_Gun"], disliked=["wiki:Jaws_(film)"]),
        SessionProfile(year_min=2000),
    ],
)
def test_array_ranking_equals_item_rules(ranker, profile):
    rng = np.random.default_rng(1)
    prior = rng.random(len(ranker.catalog)).astype(np.float32)
    for genre_filter in (True, False):
        weights = replace(ranker.weights, genre_filter=genre_filter)
        with_prior = Ranker(ranker.catalog, ranker.index, ranker.embedder, weights, popularity=prior)
        query = with_prior.query_vector(profile)
        expected = []
        for row, item in enumerate(ranker.catalog):
            if item.id in profile.blocked or not with_prior.passes_filters(item, profile):
                continue
            similarity = 0.0 if query is None else float(ranker.index.vectors[row] @ query)
            score = similarity + weights.popularity * float(prior[row]) + with_prior._boost(item, profile)
            expected.append((score, row))
        expected.sort(key=lambda pair: (-pair[0], pair[1]))
        candidates = with_prior.recommend(profile, 6)
        assert [candidate.row for candidate in candidates] == [row for _score, row in expected[:6]]
        assert [candidate.score for candidate in candidates] == pytest.approx([score for score, _row in expected[:6]])


def test_excluding_horror_leaves_out_slasher_only_items():
    from bot.genres import expand_exclusions
    from bot.items import Item
    from bot.profile import SessionProfile
    from bot.ranking import Ranker, RankWeights

    assert expand_exclusions(["Horror"]) == ["Horror", "Slasher", "Found Footage"]
    # passes_filters reads only the weights, so no index or embedder is needed.
    ranker = Ranker.__new__(Ranker)
    ranker.weights = RankWeights()
    profile = SessionProfile(excluded_genres=["Horror"])
    assert not ranker.passes_filters(Item("s", "Slashy", 1990, ("Slasher", "Comedy")), profile)
    assert ranker.passes_filters(Item("c", "Funny", 1990, ("Comedy",)), profile)
