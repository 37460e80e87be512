import argparse
import hashlib
import json
from pathlib import Path

import pytest

from bot import redial
from bot.redial import Message


def _conversation_record(conversation_id: str = "20001", **overrides) -> dict:
    record = {
        "conversationId": conversation_id,
        "initiatorWorkerId": 956,
        "respondentWorkerId": 957,
        "movieMentions": {
            "111776": "Super Troopers (2001)",
            "151656": "Police Academy  (1984)",
            "192131": "American Pie ",
        },
        "messages": [
            {"messageId": 1, "senderWorkerId": 956, "text": "Hi, something like @111776", "timeOffset": 0},
            {"messageId": 2, "senderWorkerId": 956, "text": "or @192131", "timeOffset": 5},
            {"messageId": 3, "senderWorkerId": 957, "text": "You should watch @151656", "timeOffset": 9},
            {"messageId": 4, "senderWorkerId": 957, "text": "and @151656 again, or @999", "timeOffset": 12},
            {"messageId": 5, "senderWorkerId": 956, "text": "thanks", "timeOffset": 20},
        ],
        "initiatorQuestions": {"151656": {"suggested": 1, "seen": 0, "liked": 2}},
        "respondentQuestions": [],
    }
    record.update(overrides)
    return record


def _write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


def test_load_conversations_fields(tmp_path):
    path = _write_jsonl(tmp_path / "conversations.jsonl", [_conversation_record()])

    [conversation] = redial.load_conversations(path)

    assert conversation.id == "20001"
    assert conversation.seeker_id == 956
    assert conversation.recommender_id == 957
    assert [m.role for m in conversation.messages] == ["seeker", "seeker", "recommender", "recommender", "seeker"]
    assert conversation.messages[3].movie_ids == ("151656", "999")
    assert conversation.mentions["151656"] == "Police Academy  (1984)"
    assert conversation.seeker_questions["151656"].liked == 2
    assert conversation.recommender_questions == {}


def test_load_conversations_skips_stranger(tmp_path):
    record = _conversation_record()
    record["messages"].append({"messageId": 6, "senderWorkerId": 1, "text": "spam", "timeOffset": 30})
    path = _write_jsonl(tmp_path / "conversations.jsonl", [record])

    [conversation] = redial.load_conversations(path)

    assert len(conversation.messages) == 5
    assert all(m.text != "spam" for m in conversation.messages)


def test_load_conversations_invalid_line(tmp_path):
    path = tmp_path / "conversations.jsonl"
    path.write_text(json.dumps(_conversation_record()) + "\n{not json\n", encoding="utf-8")

    with pytest.raises(ValueError, match=r"conversations\.jsonl:2"):
        redial.load_conversations(path)


def test_load_conversations_missing_field(tmp_path):
    record = _conversation_record()
    del record["respondentWorkerId"]
    path = _write_jsonl(tmp_path / "conversations.jsonl", [record])

    with pytest.raises(ValueError, match="respondentWorkerId"):
        redial.load_conversations(path)


def test_load_conversations_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="test_data.jsonl"):
        redial.load_conversations(tmp_path / "absent.jsonl")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Police Academy  (1984)", ("Police Academy", 1984)),
        ("Super Troopers (2001)", ("Super Troopers", 2001)),
        ("American Pie ", ("American Pie", None)),
        ("Blade Runner 2049 (2017)", ("Blade Runner 2049", 2017)),
        ("2001: A Space Odyssey", ("2001: A Space Odyssey", None)),
        ("What About Bob%3F (1991)", ("What About Bob?", 1991)),
        ("100% Wolf (2020)", ("100% Wolf", 2020)),
    ],
)
def test_split_title_year(name, expected):
    assert redial.split_title_year(name) == expected


def test_render_mentions_fallbacks():
    movies = {"999": redial.RedialMovie(id="999", name="Alien (1979)", title="Alien", year=1979, mention_count=3)}
    mentions = {"151656": "Police Academy  (1984)"}

    assert redial.render_mentions("watch @151656", mentions) == "watch Police Academy (1984)"
    assert redial.render_mentions("watch @151656", mentions, with_year=False) == "watch Police Academy"
    assert redial.render_mentions("or @999", mentions, movies) == "or Alien (1979)"
    assert redial.render_mentions("or @12345!", mentions, movies) == f"or {redial.UNKNOWN_MOVIE}!"
    assert redial.render_mentions("or @12345", {}, None, placeholder="[movie]") == "or [movie]"
    assert redial.render_mentions("mail me @ home", mentions) == "mail me @ home"
    assert redial.render_mentions("@7", {"7": "Why Him%3F (2016)"}) == "Why Him? (2016)"


def test_merge_turns_joins_same_speaker():
    messages = [
        Message("seeker", "hi", ()),
        Message("seeker", "like @1", ("1",)),
        Message("recommender", "try @2", ("2",), message_id=7),
        Message("recommender", "or @2 and @3", ("2", "3"), message_id=8),
        Message("seeker", "ok", ()),
    ]

    turns = redial.merge_turns(messages)

    assert [t.role for t in turns] == ["seeker", "recommender", "seeker"]
    assert turns[0].text == "hi like @1"
    assert turns[1].movie_ids == ("2", "3")
    assert turns[1].message_id == 7
    assert redial.merge_turns([]) == []


def test_load_movie_list(tmp_path):
    path = tmp_path / "movies.csv"
    path.write_text(
        'movieId,movieName,nbMentions\n75796,Headhunter  (2009),1\n77552,"We, the Women (1953)",4\n',
        encoding="utf-8",
    )

    movies = redial.load_movie_list(path)

    assert list(movies) == ["75796", "77552"]
    assert movies["75796"].title == "Headhunter"
    assert movies["75796"].name == "Headhunter (2009)"
    assert movies["77552"].title == "We, the Women"
    assert movies["77552"].year == 1953
    assert movies["77552"].mention_count == 4


def test_load_movie_list_bad_header(tmp_path):
    path = tmp_path / "movies.csv"
    path.write_text("id,name\n1,Alien\n", encoding="utf-8")

    with pytest.raises(ValueError, match="nbMentions"):
        redial.load_movie_list(path)


def test_heldout_rule_matches_sha256():
    for conversation_id in ["20001", "20002", "23322", "abc"]:
        expected = int(hashlib.sha256(conversation_id.encode()).hexdigest(), 16) % 10 < 3
        assert redial.is_heldout(conversation_id) == expected


def test_heldout_fraction_near_thirty_percent():
    ids = [str(20000 + n) for n in range(2000)]

    fraction = sum(redial.is_heldout(i) for i in ids) / len(ids)

    assert 0.25 < fraction < 0.35


def test_split_cli_writes_sorted_ids(tmp_path):
    ids = [str(20000 + n) for n in range(40)]
    data = _write_jsonl(tmp_path / "conversations.jsonl", [_conversation_record(i) for i in reversed(ids)])
    out = tmp_path / "split" / "heldout.txt"
    parser = argparse.ArgumentParser()
    redial.register(parser.add_subparsers())

    args = parser.parse_args(["split", "--data", str(data), "--out", str(out)])

    assert args.handler(args) == 0
    written = out.read_text().splitlines()
    assert written == sorted(i for i in ids if redial.is_heldout(i))
    assert redial.heldout_ids(out) == set(written)


def test_split_conversations_uses_given_ids(tmp_path):
    path = _write_jsonl(tmp_path / "c.jsonl", [_conversation_record("1"), _conversation_record("2")])
    conversations = redial.load_conversations(path)

    tuning, held = redial.split_conversations(conversations, heldout={"2"})

    assert [c.id for c in tuning] == ["1"]
    assert [c.id for c in held] == ["2"]


def test_committed_split_matches_rule():
    path = redial.DEFAULT_HELDOUT_PATH
    if not path.is_file():
        pytest.skip(f"{path} is not there; run `python -m bot redial split`")

    ids = redial.heldout_ids(path)

    assert ids
    assert all(redial.is_heldout(i) for i in ids)
