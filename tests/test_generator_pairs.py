import json

import pytest

from bot.generator.pairs import ItemLookup, Pair, build_pairs, read_pairs, tidy, write_pairs
from bot.generator.prompt import (
    MAX_CONTEXT_CHARS,
    MOVIES_LABEL,
    NO_CONTEXT,
    PromptItem,
    ack_messages,
    build_messages,
    recommend_messages,
    shorten_context,
)
from bot.items import Catalog, Item
from bot.redial import RedialMovie, parse_conversation

SEEKER, RECOMMENDER = 1, 2


def _message(number: int, sender: int, text: str) -> dict:
    return {"messageId": number, "senderWorkerId": sender, "text": text, "timeOffset": number}


def _answers(suggested: int, seen: int, liked: int) -> dict:
    return {"suggested": suggested, "seen": seen, "liked": liked}


@pytest.fixture
def conversation():
    record = {
        "conversationId": "30001",
        "initiatorWorkerId": SEEKER,
        "respondentWorkerId": RECOMMENDER,
        "movieMentions": {"100": "Alien (1979)", "200": "Aliens  (1986)", "300": "Heat (1995)", "400": "Up (2009)"},
        "messages": [
            _message(1, SEEKER, "Hi! I loved @100"),
            _message(2, SEEKER, "anything like it?"),
            _message(3, RECOMMENDER, "You should see @200 , it is even better"),
            _message(4, SEEKER, "I have seen it, it was great"),
            _message(5, RECOMMENDER, "Glad you liked it"),
            _message(6, SEEKER, "Something else?"),
            _message(7, RECOMMENDER, "Try @300 or @400 !"),
            _message(8, SEEKER, "I mentioned @100 before"),
            _message(9, RECOMMENDER, "Yes, @100 is a classic"),
        ],
        "initiatorQuestions": {
            "100": _answers(0, 1, 1),
            "200": _answers(1, 1, 1),
            "300": _answers(1, 0, 2),
            "400": _answers(1, 0, 2),
        },
        "respondentQuestions": {"100": _answers(0, 1, 1), "200": _answers(1, 1, 1)},
    }
    return parse_conversation(record)


@pytest.fixture
def lookup():
    catalog = Catalog(
        [
            Item(id="wiki:Aliens", title="Aliens", year=1986, genres=("Action", "Science Fiction", "Horror"),
                 source_ids={"redial": "200"}),
            Item(id="wiki:Heat", title="Heat", year=1995, genres=("Crime",)),
        ],
        fingerprint="test",
    )
    return ItemLookup(catalog, {})


def test_build_pairs_recommendations(conversation, lookup):
    pairs = build_pairs([conversation], lookup)
    recommend = [pair for pair in pairs if pair.task == "recommend"]

    assert len(recommend) == 2
    first, second = recommend
    assert first.context == "Hi! I loved Alien anything like it?"
    assert first.items == (PromptItem("Aliens", 1986, ("Action", "Science Fiction", "Horror")),)
    assert first.reply == "You should see Aliens, it is even better"
    assert first.source == "redial:30001:1"
    assert second.items == (PromptItem("Heat", 1995, ("Crime",)), PromptItem("Up", 2009, ()))
    assert second.reply == "Try Heat or Up!"
    assert second.context == "I have seen it, it was great Something else?"


def test_build_pairs_skips_non_suggestions(conversation, lookup):
    pairs = build_pairs([conversation], lookup)

    assert all("classic" not in pair.reply for pair in pairs)


def test_build_pairs_acknowledgement(conversation, lookup):
    pairs = build_pairs([conversation], lookup)
    acks = [pair for pair in pairs if pair.task == "ack"]

    assert len(acks) == 1
    assert acks[0].context == "I have seen it, it was great"
    assert acks[0].items[0].title == "Aliens"
    assert acks[0].items[0].feedback == "liked"
    assert acks[0].reply == "Glad you liked it"


def test_build_pairs_without_acks(conversation, lookup):
    pairs = build_pairs([conversation], lookup, include_acks=False)

    assert {pair.task for pair in pairs} == {"recommend"}


def test_item_lookup_order(lookup):
    by_id = lookup.find("200", "Something Else (1986)")
    by_title = lookup.find("999", "Heat  (1996)")
    by_redial = lookup.find("555", "Unknown Film (2001)")

    assert by_id.title == "Aliens"
    assert by_title == PromptItem("Heat", 1995, ("Crime",))
    assert by_redial == PromptItem("Unknown Film", 2001, ())
    assert lookup.find("556", None) is None


def test_item_lookup_movie_list_name():
    movies = {"7": RedialMovie(id="7", name="Up (2009)", title="Up", year=2009, mention_count=3)}

    found = ItemLookup(None, movies).find("7", None)

    assert found == PromptItem("Up", 2009, ())


def test_tidy_removes_space_before_punctuation():
    assert tidy("Try  Heat ! Or Up , maybe") == "Try Heat! Or Up, maybe"


def test_pairs_jsonl_round_trip(tmp_path, conversation, lookup):
    pairs = build_pairs([conversation], lookup)
    path = tmp_path / "pairs.jsonl"

    write_pairs(pairs, path)

    assert read_pairs(path) == pairs


def _write(tmp_path, *records) -> object:
    path = tmp_path / "pairs.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


def test_read_pairs_user_file(tmp_path):
    path = _write(tmp_path, {"context": "a heist", "items": [{"title": "Heat", "year": 1995, "genres": ["Crime"]}],
                             "reply": "Heat,  for sure."})

    [pair] = read_pairs(path)

    assert pair.task == "recommend"
    assert pair.items == (PromptItem("Heat", 1995, ("Crime",)),)
    assert pair.reply == "Heat, for sure."
    assert pair.source.endswith("pairs.jsonl:1")


GOOD_ITEM = {"title": "Heat", "year": 1995, "genres": []}


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"context": "x", "items": [GOOD_ITEM]}, "'reply'"),
        ({"context": "x", "items": [GOOD_ITEM], "reply": "  "}, "'reply'"),
        ({"context": 3, "items": [GOOD_ITEM], "reply": "ok"}, "'context'"),
        ({"context": "x", "items": [], "reply": "ok"}, "'items'"),
        ({"context": "x", "items": ["Heat"], "reply": "ok"}, "'items'"),
        ({"context": "x", "items": [{"year": 1995}], "reply": "ok"}, "'items.title'"),
        ({"context": "x", "items": [{"title": "Heat", "year": "1995"}], "reply": "ok"}, "'items.year'"),
        ({"context": "x", "items": [{"title": "Heat", "genres": "Crime"}], "reply": "ok"}, "'items.genres'"),
        ({"task": "chat", "context": "x", "items": [GOOD_ITEM], "reply": "ok"}, "'task'"),
        ({"task": "ack", "context": "x", "items": [GOOD_ITEM], "reply": "ok"}, "'items.feedback'"),
        ({"context": "x", "items": [{**GOOD_ITEM, "feedback": "liked"}], "reply": "ok"}, "'items.feedback'"),
    ],
)
def test_read_pairs_invalid_record(tmp_path, record, field):
    good = {"context": "x", "items": [GOOD_ITEM], "reply": "ok"}
    path = _write(tmp_path, good, record)

    with pytest.raises(ValueError, match=rf"pairs\.jsonl:2: field {field}"):
        read_pairs(path)


def test_read_pairs_invalid_json(tmp_path):
    path = tmp_path / "pairs.jsonl"
    path.write_text("{oops\n", encoding="utf-8")

    with pytest.raises(ValueError, match=r"pairs\.jsonl:1: invalid JSON"):
        read_pairs(path)


def test_read_pairs_empty_file(tmp_path):
    path = tmp_path / "pairs.jsonl"
    path.write_text("\n", encoding="utf-8")

    with pytest.raises(ValueError, match="no pairs"):
        read_pairs(path)


def test_prompt_item_describe():
    assert PromptItem("Aliens", 1986, ("Action", "Science Fiction", "Horror")).describe() == (
        "Aliens (1986, action, science fiction)"
    )
    assert PromptItem("Aliens").describe() == "Aliens"


def test_recommend_prompt_format():
    messages = recommend_messages("a tense  heist", [PromptItem("Heat", 1995, ("Crime",)), PromptItem("Up")])

    assert [message["role"] for message in messages] == ["system", "user"]
    assert messages[1]["content"] == f"Friend: a tense heist\n{MOVIES_LABEL} Heat (1995, crime); Up"


def test_recommend_prompt_without_context():
    messages = recommend_messages("", [PromptItem("Heat")])

    assert messages[1]["content"].startswith(f"Friend: {NO_CONTEXT}\n")


def test_strict_prompt_drops_context_and_names_titles():
    messages = recommend_messages("I loved Alien", [PromptItem("Heat"), PromptItem("Up")], strict=True)

    assert "Alien" not in messages[1]["content"]
    assert "Heat and Up" in messages[1]["content"]


def test_ack_prompt_groups_feedback():
    items = [
        PromptItem("Heat", feedback="liked"),
        PromptItem("Up", feedback="seen"),
        PromptItem("It", feedback="liked"),
    ]

    messages = ack_messages("loved it", items)

    assert messages[1]["content"] == "Friend: loved it\nLiked: Heat; It\nSeen: Up"


def test_build_messages_invalid_task():
    with pytest.raises(ValueError, match="'chat'"):
        build_messages("chat", "", [])  # type: ignore[arg-type]


def test_shorten_context_keeps_end():
    text = " ".join(f"word{n}" for n in range(200))

    short = shorten_context(text)

    assert len(short) <= MAX_CONTEXT_CHARS
    assert short.endswith("word199")
    assert short.split()[0].startswith("word")


def test_pair_record_fields(lookup):
    pair = Pair("ack", "ok", (PromptItem("Heat", 1995, (), "liked"),), "Nice", "src")

    record = pair.to_record()

    assert record["items"] == [{"title": "Heat", "year": 1995, "genres": [], "feedback": "liked"}]
    assert record["task"] == "ack"


def test_keep_faithful_drops_bad_replies():
    from bot.generator.guard import FaithfulnessGuard
    from bot.generator.pairs import keep_faithful

    guard = FaithfulnessGuard(["Heat", "The Matrix"])
    heat = (PromptItem("Heat"),)
    pairs = [
        Pair("recommend", "", heat, "Heat is great."),
        Pair("recommend", "", heat, "Heat, or The Matrix."),
        Pair("recommend", "", heat, "Something else."),
        Pair("ack", "", (PromptItem("Heat", feedback="liked"),), "Glad you liked it."),
    ]

    kept = keep_faithful(pairs, guard)

    assert [pair.reply for pair in kept] == ["Heat is great.", "Glad you liked it."]
