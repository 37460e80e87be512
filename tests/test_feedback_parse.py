import pytest

from bot.feedback_parse import clause_signal, parse_feedback, referenced_positions
from bot.items import Item

SHOWN = [Item("a", "Aliens", 1986), Item("b", "Predator", 1987), Item("c", "The Thing", 1982)]


def signals(message, shown=SHOWN):
    return [(signal.position, signal.signal) for signal in parse_feedback(message, shown).signals]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("I've seen the first one, and the second sounds boring", [(1, "seen"), (2, "dislike")]),
        ("the third one looks great, thanks", [(3, "like")]),
        ("Predator looks fun", [(2, "like")]),
        ("the first and the third look great", [(1, "like"), (3, "like")]),
        ("none of them", [(1, "dislike"), (2, "dislike"), (3, "dislike")]),
        ("seen the last one, loved it", [(3, "like")]),
        ("already watched #2", [(2, "seen")]),
        ("the middle one is not for me", [(2, "dislike")]),
        ("the thing sounds awesome", [(3, "like")]),
    ],
)
def test_feedback_mapping(message, expected):
    assert signals(message) == expected


def test_out_of_range_ordinal():
    parsed = parse_feedback("the fifth one sounds good", SHOWN)
    assert parsed.signals == []
    assert parsed.out_of_range == [5]


def test_that_one_needs_single_item():
    assert parse_feedback("that one looks great", SHOWN).ambiguous
    assert signals("that one looks great", SHOWN[:1]) == [(1, "like")]


def test_seen_with_sentiment_takes_sentiment():
    assert clause_signal("seen it and hated it") == "dislike"
    assert clause_signal("watched it, loved it") == "like"
    assert clause_signal("already watched") == "seen"
    assert clause_signal("the second one") is None


def test_referenced_positions_by_title_and_ordinal():
    assert referenced_positions("why predator and the last one?", SHOWN) == [2, 3]
    assert referenced_positions("why the 7th?", SHOWN) == [7]
