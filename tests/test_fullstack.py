"""Both real servers on 127.0.0.1, the real catalog, index and embedder, over the REST channel."""

from __future__ import annotations

import uuid

import pytest

from bot.feedback import FeedbackStore
from tests.stack import Stack, missing_artifacts

pytestmark = [pytest.mark.fullstack, pytest.mark.slow]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    reason = missing_artifacts()
    if reason:
        pytest.skip(reason)
    running = Stack(work_dir=tmp_path_factory.mktemp("stack"))
    with running.running():
        yield running


def texts(messages: list[dict]) -> str:
    return "\n".join(message.get("text", "") for message in messages)


def profile_of(stack: Stack, sender: str) -> dict:
    return stack.tracker(sender)["slots"]["profile"] or {}


def test_conversation_survives_restart(stack, catalog):
    sender = f"fullstack-{uuid.uuid4().hex[:8]}"

    greeting = texts(stack.say(sender, "hi"))
    assert "recommend movies" in greeting

    reply = texts(stack.say(sender, "something like Alien but less scary, maybe from the 80s"))
    first = profile_of(stack, sender)["last_shown"]
    assert len(first) == 3
    for item_id in first:
        item = catalog.get(item_id)
        assert item is not None, f"{item_id} is not a catalog item"
        assert item.title in reply
        assert 1980 <= item.year <= 1989

    reply = texts(stack.say(sender, "I've seen the first one, and the second sounds boring"))
    profile = profile_of(stack, sender)
    second = profile["last_shown"]
    assert len(second) == 3
    assert first[0] in profile["seen"]
    assert first[1] in profile["disliked"]
    assert not {first[0], first[1]} & set(second)

    stack.say(sender, "the third one looks great, thanks")
    events = FeedbackStore(stack.feedback_url).events(sender)
    assert (second[2], "like") in [(event.item_id, event.signal) for event in events]

    stack.stop_rasa()
    stack.start_rasa()

    restored = profile_of(stack, sender)
    assert restored["last_shown"] == second
    assert second[2] in restored["liked"]
    reply = texts(stack.say(sender, "more like that please"))
    after_restart = profile_of(stack, sender)["last_shown"]
    assert after_restart, reply
    assert not {first[0], first[1]} & set(after_restart)


def test_bad_inputs_get_replies(stack):
    sender = f"bad-input-{uuid.uuid4().hex[:8]}"
    for message in ["", "   ", "x" * 20000, "🎬🍿😍", "quiero ver una película de terror", "something like Zzyzx Quuxfilm"]:
        replies = stack.say(sender, message)
        assert replies, f"no reply to {message[:40]!r}"
        assert all("Traceback" not in reply.get("text", "") for reply in replies)
    assert texts(stack.say(sender, "hi"))
