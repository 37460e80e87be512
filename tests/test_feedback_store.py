import os
import uuid

import pytest

from bot.feedback import FeedbackEvent, FeedbackStore, FeedbackStoreError


def make_event(conversation_id: str, item_id: str = "wiki:Alien_(film)", signal: str = "like") -> FeedbackEvent:
    return FeedbackEvent(conversation_id=conversation_id, item_id=item_id, signal=signal, position=2, message="the second one looks great")


def check_roundtrip(store: FeedbackStore) -> None:
    conversation = f"test-{uuid.uuid4()}"
    store.record([make_event(conversation), make_event(conversation, "wiki:Heat_(1995_film)", "dislike")])
    events = store.events(conversation)
    assert [(event.item_id, event.signal) for event in events] == [
        ("wiki:Alien_(film)", "like"),
        ("wiki:Heat_(1995_film)", "dislike"),
    ]
    assert events[0].position == 2
    assert events[0].message == "the second one looks great"
    assert events[0].created_at is not None


def test_sqlite_roundtrip(tmp_path):
    check_roundtrip(FeedbackStore(f"sqlite:///{tmp_path / 'sub' / 'feedback.db'}"))


def test_sqlite_survives_reopen(tmp_path):
    url = f"sqlite:///{tmp_path / 'feedback.db'}"
    FeedbackStore(url).record([make_event("c1")])
    assert len(FeedbackStore(url).events("c1")) == 1


def test_invalid_signal_rejected(tmp_path):
    store = FeedbackStore(f"sqlite:///{tmp_path / 'feedback.db'}")
    with pytest.raises(ValueError, match="'meh'"):
        store.record([make_event("c1", signal="meh")])
    assert store.events() == []


def test_failed_write_raises_and_keeps_nothing(tmp_path):
    store = FeedbackStore(f"sqlite:///{tmp_path / 'feedback.db'}")
    too_long = make_event("c1", item_id=None)  # type: ignore[arg-type]
    with pytest.raises(FeedbackStoreError):
        store.record([make_event("c1"), too_long])
    assert store.events("c1") == []


@pytest.mark.skipif(not os.environ.get("BOT_TEST_POSTGRES_URL"), reason="BOT_TEST_POSTGRES_URL is not set (scripts/test.sh starts PostgreSQL and sets it)")
def test_postgres_roundtrip():
    check_roundtrip(FeedbackStore(os.environ["BOT_TEST_POSTGRES_URL"]))
