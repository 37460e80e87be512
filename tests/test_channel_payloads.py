"""Quick-action button payloads through Rasa's message parser and the recommender core."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from bot.catalog import load_catalog
from bot.feedback import FeedbackStore
from bot.settings import Settings
from bot.textcheck import check_text
from channels.items import feedback_payload
from tests.stack import RASA, ROOT

# Runs in .venv-rasa: parses every payload as Rasa does for a "/intent{json}"
# message and prints the ids whose entities did not come back unchanged.
RASA_PARSE_SCRIPT = """
import json, sys
from rasa.shared.core.domain import Domain
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.nlu.training_data.message import Message
from channels.items import SIGNALS, feedback_payload

domain = Domain.load("domain.yml")
failed = []
for item_id in json.load(sys.stdin):
    for signal in SIGNALS:
        parsed = YAMLStoryReader.unpack_regex_message(Message(data={"text": feedback_payload(item_id, signal)}), domain)
        entities = {entity["entity"]: entity["value"] for entity in parsed.get("entities") or []}
        intent = (parsed.get("intent") or {}).get("name")
        if intent != "give_feedback" or entities != {"item_id": item_id, "feedback_signal": signal}:
            failed.append([item_id, signal, intent, entities])
print(json.dumps(failed))
"""


def button_entities(item_id: str, signal: str) -> list[dict]:
    """Entities as Rasa extracts them from a button payload."""
    return [{"entity": "item_id", "value": item_id}, {"entity": "feedback_signal", "value": signal}]


def press(service, profile: dict, item_id: str, signal: str, conversation_id: str):
    return service.feedback(
        profile, feedback_payload(item_id, signal), button_entities(item_id, signal), conversation_id
    )


def test_button_press_records_one_signal(tiny_service, tiny_settings):
    first = tiny_service.recommend(None, "science fiction like Alien", [], "press-1")
    shown = [item["id"] for item in first.items]
    assert len(shown) == 3
    store = FeedbackStore(tiny_settings.feedback_url)

    liked = press(tiny_service, first.profile, shown[0], "like", "press-1")
    assert [(event.item_id, event.signal) for event in store.events("press-1")] == [(shown[0], "like")]
    assert shown[0] in liked.profile["liked"]

    disliked = press(tiny_service, liked.profile, shown[1], "dislike", "press-1")
    assert [(event.item_id, event.signal) for event in store.events("press-1")] == [
        (shown[0], "like"),
        (shown[1], "dislike"),
    ]
    assert shown[1] in disliked.profile["disliked"]
    assert disliked.items, "a dislike is followed by new items"
    assert shown[1] not in [item["id"] for item in disliked.items]

    # The first list is no longer the last shown one, so its buttons change nothing.
    stale = press(tiny_service, disliked.profile, shown[2], "seen", "press-1")
    assert len(store.events("press-1")) == 2
    assert shown[2] not in stale.profile["seen"]


def test_button_press_skips_text_checks(tiny_service, tiny_settings):
    first = tiny_service.recommend(None, "science fiction like Alien", [], "press-2")
    item_id = first.items[0]["id"]
    # Text that the language check alone would reject as not English.
    text = '/give_feedback{"item_id": "' + item_id + '", "feedback_signal": "seen", "nota": "la la la la"}'
    assert check_text(text).problem == "not_english"
    result = tiny_service.feedback(first.profile, text, button_entities(item_id, "seen"), "press-2")
    events = FeedbackStore(tiny_settings.feedback_url).events("press-2")
    assert [(event.item_id, event.signal) for event in events] == [(item_id, "seen")]
    assert item_id in result.profile["seen"]


@pytest.mark.slow
def test_rasa_parses_every_catalog_payload():
    if not RASA.exists():
        pytest.skip("The Rasa environment .venv-rasa is missing; run scripts/setup.sh")
    item_ids = [item.id for item in load_catalog(Settings().catalog_path)]
    assert feedback_payload(item_ids[0], "like")
    completed = subprocess.run(
        [str(RASA.parent / "python"), "-c", RASA_PARSE_SCRIPT],
        input=json.dumps(item_ids),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false"},
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    failed = json.loads(completed.stdout.strip().splitlines()[-1])
    assert failed == [], f"{len(failed)} payloads changed in parsing, e.g. {failed[:3]}"
