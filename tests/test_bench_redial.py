"""ReDial benchmark: scoring turns, both protocols, baselines and the replayed chat profile.

The fixture conversations (tests/fixtures/bench/) are small enough to check by hand:
c1 has recommender turns at merged positions 1 (targets 101) and 3 (102, 101, 104);
c2 starts with a recommender turn (103) and repeats it at position 2.
"""

from pathlib import Path

import pytest

from bot.bench.redial_catalog import build_bench_catalog, item_id, items_by_redial_id, movie_id
from bot.bench.redial_systems import (
    ConversationReplay,
    PopularityRanker,
    RandomRanker,
    RepeatRanker,
    train_mention_counts,
)
from bot.bench.redial_turns import collect_scoring_turns, render_conversation, scoring_turns
from bot.catalog import load_catalog
from bot.engine import PeopleLookup
from bot.redial import load_conversations, load_movie_list
from bot.titles import TitleResolver

BENCH_FIXTURES = Path(__file__).parent / "fixtures" / "bench"


@pytest.fixture(scope="module")
def conversations():
    loaded = load_conversations(BENCH_FIXTURES / "conversations.jsonl")
    return {conversation.id: conversation for conversation in loaded}


@pytest.fixture(scope="module")
def movies():
    return load_movie_list(BENCH_FIXTURES / "movies_with_mentions.csv")


@pytest.fixture(scope="module")
def bench(movies):
    return build_bench_catalog(movies, load_catalog(BENCH_FIXTURES / "catalog.jsonl"))


def test_turns_are_merged_and_rendered(conversations, movies):
    turns = render_conversation(conversations["c1"], movies)
    assert [turn.role for turn in turns] == ["seeker", "recommender", "seeker", "recommender", "seeker"]
    assert turns[0].text == "Hi! I loved Alien (1979) anything scary?"
    assert turns[3].text == "Then try Heat (1995) or Aliens (1986) also The Matrix (1999)"
    assert turns[3].movie_ids == ("102", "101", "104")


def test_standard_protocol_targets(conversations, movies):
    turns = scoring_turns(conversations["c1"], movies, "standard")
    assert [turn.turn_index for turn in turns] == [1, 3]
    assert [turn.targets for turn in turns] == [("101",), ("102", "101", "104")]
    assert all(turn.excluded == frozenset() for turn in turns)
    assert turns[1].mentioned_before == ("101", "100")
    assert turns[1].last_seeker_text == "yes, Aliens (1986) was great"


def test_no_repeat_protocol_drops_mentioned(conversations, movies):
    turns = scoring_turns(conversations["c1"], movies, "no_repeat")
    assert [turn.targets for turn in turns] == [("101",), ("102", "104")]
    assert turns[0].excluded == frozenset({"100"})
    assert turns[1].excluded == frozenset({"100", "101"})


def test_no_repeat_skips_turn_without_new_target(conversations, movies):
    standard = scoring_turns(conversations["c2"], movies, "standard")
    no_repeat = scoring_turns(conversations["c2"], movies, "no_repeat")
    assert [turn.turn_index for turn in standard] == [0, 2]
    assert [turn.turn_index for turn in no_repeat] == [0]
    assert standard[0].history == ()
    assert standard[0].last_seeker_text == ""


def test_collect_counts_pairs(conversations, movies):
    standard = collect_scoring_turns(list(conversations.values()), movies, "standard")
    no_repeat = collect_scoring_turns(list(conversations.values()), movies, "no_repeat")
    assert (len(standard), sum(len(turn.targets) for turn in standard)) == (4, 6)
    assert (len(no_repeat), sum(len(turn.targets) for turn in no_repeat)) == (3, 4)


def test_unknown_protocol_is_rejected(conversations, movies):
    with pytest.raises(ValueError, match="no_repeat"):
        scoring_turns(conversations["c1"], movies, "strict")


def test_bench_catalog_coverage(bench, movies):
    assert len(bench.catalog) == len(movies) == 6
    assert bench.matched == 4
    assert bench.coverage == pytest.approx(4 / 6)
    heat = bench.catalog.get(item_id("102"))
    assert heat.genres and heat.description
    assert heat.link.startswith("https://en.wikipedia.org/")
    up = bench.catalog.get(item_id("103"))
    assert (up.title, up.year, up.genres, up.description) == ("Up", 2009, (), "")


def test_bench_catalog_fingerprint_follows_text(movies):
    with_text = build_bench_catalog(movies, load_catalog(BENCH_FIXTURES / "catalog.jsonl"))
    without_text = build_bench_catalog(movies, None)
    assert without_text.matched == 0
    assert with_text.catalog.fingerprint != without_text.catalog.fingerprint


def test_item_ids_round_trip():
    assert movie_id(item_id("123")) == "123"
    with pytest.raises(ValueError, match="redial:"):
        movie_id("wiki:Alien_(film)")


def test_items_by_redial_id_reads_lists():
    from bot.items import Catalog, Item

    catalog = Catalog([Item(id="a", title="A", source_ids={"redial": "1,2"}), Item(id="b", title="B")], "x")
    assert {key: item.id for key, item in items_by_redial_id(catalog).items()} == {"1": "a", "2": "a"}


def test_random_ranker_is_seeded_and_excludes(conversations, movies):
    turn = scoring_turns(conversations["c1"], movies, "no_repeat")[1]
    ranker = RandomRanker(list(movies), seed=3)
    first = ranker.rank(turn, 3)
    assert first == ranker.rank(turn, 3)
    assert len(first) == 3
    assert not set(first) & turn.excluded


def test_popularity_ranker_orders_by_count(conversations, movies):
    turn = scoring_turns(conversations["c1"], movies, "no_repeat")[1]
    ranker = PopularityRanker({"100": 9, "101": 8, "104": 5, "103": 5}, list(movies), name="popularity")
    # 100 and 101 are excluded; 103 and 104 tie, and 103 comes first in the movie list.
    assert ranker.rank(turn, 3) == ["103", "104", "102"]


def test_repeat_ranker_standard_and_no_repeat(conversations, movies):
    standard = scoring_turns(conversations["c1"], movies, "standard")[1]
    no_repeat = scoring_turns(conversations["c1"], movies, "no_repeat")[1]
    assert RepeatRanker().rank(standard, 50) == ["101", "100"]
    assert RepeatRanker().rank(no_repeat, 50) == []


def test_train_counts_subtract_test_mentions(conversations, movies):
    counts = train_mention_counts(movies, conversations.values())
    # Alien: 10 mentions, 1 in the test messages; Aliens: 7, 3; Up: 5, 3; Zzyzx Road: 1, 0.
    assert (counts["100"], counts["101"], counts["103"], counts["105"]) == (9, 4, 2, 1)


def test_replay_builds_chat_profile(conversations, movies, bench):
    catalog = bench.catalog
    replay = ConversationReplay(catalog, TitleResolver(catalog), PeopleLookup(catalog), latest_year=2009)
    turn = scoring_turns(conversations["c1"], movies, "standard")[1]
    profile = replay.profile_for(turn)
    assert profile.references == [item_id("100"), item_id("101")]
    assert profile.shown == [item_id("101")]
    assert profile.descriptions
    before_first = replay.profile_for(scoring_turns(conversations["c1"], movies, "standard")[0])
    assert before_first.shown == []


def test_replay_prepare_matches_replay(conversations, movies, bench):
    catalog = bench.catalog
    turns = collect_scoring_turns(list(conversations.values()), movies, "standard")
    prepared = ConversationReplay(catalog, TitleResolver(catalog), PeopleLookup(catalog), latest_year=2009)
    prepared.prepare(turns)
    for turn in turns:
        assert prepared.profile_for(turn).to_dict() == prepared.replay(turn.history).to_dict()
