"""Custom actions, run against the tiny recommender service with tracker JSON fixtures.

Each fixture in tests/fixtures/trackers is a tracker as Rasa sends it to the
action server. The tests check the events and messages an action returns.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from actions.recommender import (
    ActionExplain,
    ActionFeedback,
    ActionRecommend,
    ActionReset,
    RecommenderAction,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TRACKERS = Path(__file__).parent / "fixtures" / "trackers"
ACTION_CLASSES = [ActionRecommend, ActionFeedback, ActionExplain, ActionReset]


def load_tracker(name: str, **changes: Any) -> Tracker:
    """Load a tracker fixture; ``text`` replaces the latest message's text."""
    state = json.loads((TRACKERS / name).read_text())
    if "text" in changes:
        state["latest_message"]["text"] = changes.pop("text")
        state["latest_message"]["entities"] = []
    state.update(changes)
    return Tracker.from_dict(state)


async def run_action(action: RecommenderAction, tracker: Tracker) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return events, dispatcher.messages


def slot_events(events: list[dict]) -> dict[str, Any]:
    return {event["name"]: event["value"] for event in events if event["event"] == "slot"}


def shown_ids(tracker: Tracker) -> list[str]:
    return tracker.get_slot("profile")["last_shown"]


# -- recommend ----------------------------------------------------------------


async def test_recommend_reference_title(tiny_service):
    events, messages = await run_action(ActionRecommend(tiny_service), load_tracker("recommend_reference_title.json"))

    slots = slot_events(events)
    assert slots["needs_preference"] is False
    assert slots["preference"] is None
    assert slots["profile"]["references"] == ["wiki:Alien_(film)"]
    assert len(slots["profile"]["last_shown"]) == 3
    assert len(messages) == 1
    items = messages[0]["custom"]["items"]
    assert [item["id"] for item in items] == slots["profile"]["last_shown"]
    assert [item["position"] for item in items] == [1, 2, 3]
    for item in items:
        assert item["title"] in messages[0]["text"]
        assert 1980 <= item["year"] <= 1989


async def test_recommend_nothing_stated_asks(tiny_service):
    events, messages = await run_action(ActionRecommend(tiny_service), load_tracker("recommend_nothing_stated.json"))

    slots = slot_events(events)
    assert slots["needs_preference"] is True
    assert slots["profile"]["last_shown"] == []
    assert len(messages) == 1
    assert "mood" in messages[0]["text"]
    assert not messages[0].get("custom")


async def test_recommend_shell_gets_no_payload(tiny_service):
    events, messages = await run_action(ActionRecommend(tiny_service), load_tracker("recommend_in_shell.json"))

    assert slot_events(events)["needs_preference"] is False
    assert len(messages) == 1
    assert messages[0]["text"]
    assert not messages[0].get("custom")


async def test_recommend_clears_form_answer(tiny_service):
    tracker = load_tracker("recommend_after_form.json")
    assert tracker.get_slot("preference") == "a comedy"

    events, messages = await run_action(ActionRecommend(tiny_service), tracker)

    slots = slot_events(events)
    assert slots["preference"] is None
    assert slots["needs_preference"] is False
    assert "Comedy" in slots["profile"]["genres"]
    assert messages[0]["custom"]["items"]


@pytest.mark.parametrize(
    ("case", "text", "expected_words"),
    [
        ("empty", "", "didn't get any text"),
        ("whitespace", "   \n\t ", "didn't get any text"),
        ("emoji only", "🍿🎬🤔", "emoji"),
        ("non-English", "quiero ver una película de terror por favor", "English"),
        ("unknown title", "something like Zzyzxqwv Plonk", "couldn't find"),
    ],
)
async def test_recommend_bad_input_gets_reply(tiny_service, case, text, expected_words):
    tracker = load_tracker("recommend_nothing_stated.json", text=text)

    events, messages = await run_action(ActionRecommend(tiny_service), tracker)

    slots = slot_events(events)
    assert slots["needs_preference"] is True, case
    assert len(messages) == 1, case
    assert expected_words in messages[0]["text"], case


async def test_recommend_very_long_message(tiny_service):
    text = "something like Alien but less scary " + "really " * 3000
    assert len(text) > 20_000
    tracker = load_tracker("recommend_nothing_stated.json", text=text)

    events, messages = await run_action(ActionRecommend(tiny_service), tracker)

    assert len(messages) == 1
    assert "long message" in messages[0]["text"]
    assert slot_events(events)["needs_preference"] is False


async def test_recommend_ignores_invalid_profile_slot(tiny_service):
    tracker = load_tracker("recommend_reference_title.json")
    tracker.slots["profile"] = "not a profile"

    events, messages = await run_action(ActionRecommend(tiny_service), tracker)

    assert slot_events(events)["profile"]["references"] == ["wiki:Alien_(film)"]
    assert len(messages) == 1


# -- feedback -------------------------------------------------------------------


async def test_feedback_seen_and_dislike_refills(tiny_service):
    tracker = load_tracker("feedback_seen_and_dislike.json")
    rejected = shown_ids(tracker)[:2]

    events, messages = await run_action(ActionFeedback(tiny_service), tracker)

    profile = slot_events(events)["profile"]
    assert profile["seen"] == [rejected[0]]
    assert profile["disliked"] == [rejected[1]]
    assert len(profile["last_shown"]) == 3
    assert not set(rejected) & set(profile["last_shown"])
    assert slot_events(events)["needs_preference"] is False
    assert len(messages) == 1
    assert [item["id"] for item in messages[0]["custom"]["items"]] == profile["last_shown"]


async def test_feedback_like_is_acknowledged(tiny_service):
    tracker = load_tracker("feedback_like.json")
    third = shown_ids(tracker)[2]

    events, messages = await run_action(ActionFeedback(tiny_service), tracker)

    profile = slot_events(events)["profile"]
    assert profile["liked"] == [third]
    assert profile["last_shown"] == shown_ids(tracker)
    assert len(messages) == 1
    assert messages[0]["text"]
    assert not messages[0].get("custom")


async def test_feedback_nothing_shown(tiny_service):
    events, messages = await run_action(ActionFeedback(tiny_service), load_tracker("feedback_nothing_shown.json"))

    slots = slot_events(events)
    assert slots["needs_preference"] is True
    assert slots["profile"]["liked"] == []
    assert "haven't recommended anything" in messages[0]["text"]


async def test_feedback_fifth_of_three(tiny_service):
    tracker = load_tracker("feedback_out_of_range.json")

    events, messages = await run_action(ActionFeedback(tiny_service), tracker)

    profile = slot_events(events)["profile"]
    assert profile["liked"] == []
    assert profile["last_shown"] == shown_ids(tracker)
    assert "fifth" in messages[0]["text"]
    assert "3 movies" in messages[0]["text"]


# -- explain and reset ------------------------------------------------------------


async def test_explain_second_item(tiny_service):
    tracker = load_tracker("explain_second.json")
    second = tiny_service.engine.catalog.get(shown_ids(tracker)[1])

    events, messages = await run_action(ActionExplain(tiny_service), tracker)

    assert len(messages) == 1
    assert second.title in messages[0]["text"]
    assert "science fiction like Alien (1979)" in messages[0]["text"]
    assert slot_events(events)["needs_preference"] is False


async def test_explain_nothing_shown(tiny_service):
    tracker = load_tracker("feedback_nothing_shown.json", text="why the second one?")

    events, messages = await run_action(ActionExplain(tiny_service), tracker)

    assert slot_events(events)["needs_preference"] is True
    assert "nothing to explain" in messages[0]["text"]


async def test_reset_forgets_preferences(tiny_service):
    tracker = load_tracker("reset_after_yes.json")

    events, messages = await run_action(ActionReset(tiny_service), tracker)

    slots = slot_events(events)
    assert slots["needs_preference"] is True
    assert slots["profile"]["references"] == []
    assert slots["profile"]["excluded_genres"] == []
    assert slots["profile"]["year_min"] is None
    # Already shown movies stay blocked after a reset.
    assert slots["profile"]["shown"] == shown_ids(tracker)
    assert len(messages) == 1


# -- failures and wiring ------------------------------------------------------------


class BrokenService:
    """A service whose engine cannot load, as with a missing index."""

    def _fail(self, *args: Any) -> None:
        raise FileNotFoundError("models/index/index.faiss")

    recommend = feedback = explain = reset = _fail


@pytest.mark.parametrize("action_class", ACTION_CLASSES)
async def test_engine_failure_sends_apology(action_class):
    tracker = load_tracker("feedback_like.json")
    profile_before = tracker.get_slot("profile")

    events, messages = await run_action(action_class(BrokenService()), tracker)

    assert len(messages) == 1
    assert messages[0]["response"] == "utter_engine_unavailable"
    assert not messages[0]["text"]
    slots = slot_events(events)
    assert slots["profile"] == profile_before
    assert slots["needs_preference"] is False


def test_executor_registers_the_actions():
    executor = ActionExecutor()
    executor.register_package("actions")

    registered = set(executor.actions)

    assert {cls().name() for cls in ACTION_CLASSES} <= registered
    assert not any(name.startswith("Recommender") for name in registered)


def test_actions_and_slots_are_in_domain():
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())

    assert {cls().name() for cls in ACTION_CLASSES} == set(domain["actions"])
    assert {"profile", "needs_preference", "preference"} <= set(domain["slots"])
    assert "utter_engine_unavailable" in domain["responses"]


def test_import_loads_no_torch():
    code = "import sys, actions.recommender, actions.backend; print('torch' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "False"
