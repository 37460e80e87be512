"""Button payloads, Telegram callback tokens and the redelivery memory of the channels."""

from __future__ import annotations

import json

import pytest

from bot.catalog import load_catalog
from bot.settings import Settings
from channels.dedupe import RecentKeys
from channels.items import (
    MAX_ITEMS_WITH_BUTTONS,
    ShownItem,
    callback_data,
    callback_token,
    feedback_payload,
    parse_callback_data,
    parse_feedback_payload,
    resolve_callback_token,
    shown_items,
)

# Telegram Bot API: callback_data is 1-64 bytes.
TELEGRAM_CALLBACK_MAX_BYTES = 64
AWKWARD_IDS = [
    "wiki:Alien_(film)",
    "wiki:Don%27t_Be_a_Menace_to_South_Central_While_Drinking_Your_Juice_in_the_Hood",
    'wiki:Quote"and\\backslash',
    "wiki:Amélie",
    "wiki:Braces_{x}_@at",
]


@pytest.fixture(scope="module")
def catalog_ids() -> list[str]:
    path = Settings().catalog_path
    if not path.exists():
        pytest.skip(f"Catalog {path} not found; run scripts/setup.sh")
    return [item.id for item in load_catalog(path)]


@pytest.mark.parametrize("item_id", AWKWARD_IDS)
@pytest.mark.parametrize("signal", ["like", "dislike", "seen"])
def test_payload_round_trip(item_id, signal):
    payload = feedback_payload(item_id, signal)
    assert payload.startswith("/give_feedback{")
    assert json.loads(payload[len("/give_feedback") :]) == {"item_id": item_id, "feedback_signal": signal}
    assert parse_feedback_payload(payload) == (item_id, signal)


def test_payload_rejects_unknown_signal():
    with pytest.raises(ValueError, match="'love'"):
        feedback_payload("wiki:Alien_(film)", "love")


@pytest.mark.parametrize(
    "text",
    [
        "I liked the first one",
        "/give_feedback",
        "/give_feedback{not json}",
        '/give_feedback{"item_id": "wiki:Alien_(film)", "feedback_signal": "love"}',
        '/give_feedback{"item_id": 7, "feedback_signal": "like"}',
        '/greet{"item_id": "wiki:Alien_(film)", "feedback_signal": "like"}',
    ],
)
def test_parse_payload_ignores_other_text(text):
    assert parse_feedback_payload(text) is None


def test_catalog_payloads_round_trip(catalog_ids):
    for item_id in catalog_ids:
        assert parse_feedback_payload(feedback_payload(item_id, "seen")) == (item_id, "seen")


def test_callback_data_fits_telegram_for_catalog(catalog_ids):
    longest = max(catalog_ids, key=lambda item_id: len(item_id.encode("utf-8")))
    # The raw payload would not fit, which is why the token exists.
    assert len(feedback_payload(longest, "dislike").encode("utf-8")) > TELEGRAM_CALLBACK_MAX_BYTES
    for item_id in catalog_ids:
        for signal in ("like", "dislike", "seen"):
            data = callback_data(item_id, signal)
            assert len(data.encode("utf-8")) <= TELEGRAM_CALLBACK_MAX_BYTES
            assert parse_callback_data(data) == (callback_token(item_id), signal)


def test_callback_tokens_unique_in_catalog(catalog_ids):
    tokens = {callback_token(item_id) for item_id in catalog_ids}
    assert len(tokens) == len(set(catalog_ids))


def test_resolve_callback_token():
    shown = ["wiki:Alien_(film)", "wiki:Aliens_(film)", "wiki:Heat_(1995_film)"]
    for item_id in shown:
        assert resolve_callback_token(callback_token(item_id), shown) == item_id
    assert resolve_callback_token(callback_token("wiki:Jaws_(film)"), shown) is None


@pytest.mark.parametrize(
    "data",
    [
        "",
        "fb",
        "fb:d",
        "fb:x:AAAAAAAAAAAA",
        "fb:d:short",
        "fb:d:AAAAAAAAAAAAA",
        "xx:d:AAAAAAAAAAAA",
        "fb:d:AAAAAAAAAAAA:x",
        '/give_feedback{"item_id": "wiki:Alien_(film)", "feedback_signal": "like"}',
    ],
)
def test_parse_callback_data_rejects_other_data(data):
    assert parse_callback_data(data) is None


def test_shown_items_reads_action_payload():
    custom = {
        "items": [
            {
                "id": "wiki:Alien_(film)",
                "title": "Alien",
                "year": 1979,
                "genres": ["Horror"],
                "position": 1,
                "reasons": [],
            },
            {"id": "wiki:Aliens_(film)", "title": "Aliens", "year": None, "genres": [], "position": 2, "reasons": []},
        ]
    }
    items = shown_items(custom)
    assert items == [
        ShownItem(id="wiki:Alien_(film)", title="Alien", year=1979, position=1),
        ShownItem(id="wiki:Aliens_(film)", title="Aliens", year=None, position=2),
    ]
    assert items[0].label == "1. Alien (1979)"
    assert items[1].label == "2. Aliens"


@pytest.mark.parametrize("custom", [None, "items", {}, {"items": "x"}, {"other": []}])
def test_shown_items_without_items(custom):
    assert shown_items(custom) == []


def test_shown_items_skips_invalid_entries():
    valid = {"id": "wiki:Alien_(film)", "title": "Alien", "year": 1979, "position": 1}
    invalid = [
        "wiki:Alien_(film)",
        {**valid, "id": ""},
        {**valid, "id": 3},
        {**valid, "title": None},
        {**valid, "position": "1"},
        {**valid, "position": True},
    ]
    assert shown_items({"items": [*invalid, valid]}) == [ShownItem("wiki:Alien_(film)", "Alien", 1979, 1)]


def test_shown_items_caps_buttons():
    many = [{"id": f"wiki:Film_{n}", "title": f"Film {n}", "year": 2000, "position": n} for n in range(1, 15)]
    items = shown_items({"items": many})
    assert len(items) == MAX_ITEMS_WITH_BUTTONS
    assert items[-1].position == MAX_ITEMS_WITH_BUTTONS


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_recent_keys_forget_after_ttl():
    clock = FakeClock()
    recent = RecentKeys(ttl_s=60, max_keys=100, clock=clock)
    assert recent.seen_before("Ev1") is False
    clock.now = 59
    assert recent.seen_before("Ev1") is True
    assert recent.seen_before("Ev2") is False
    clock.now = 61
    assert recent.seen_before("Ev1") is False
    assert recent.seen_before("Ev2") is True


def test_recent_keys_drop_oldest_when_full():
    recent = RecentKeys(ttl_s=3600, max_keys=3, clock=FakeClock())
    for key in ("a", "b", "c", "d"):
        assert recent.seen_before(key) is False
    assert recent.seen_before("d") is True
    assert recent.seen_before("a") is False


@pytest.mark.parametrize("ttl_s, max_keys", [(0, 10), (-1, 10), (10, 0)])
def test_recent_keys_reject_invalid_limits(ttl_s, max_keys):
    with pytest.raises(ValueError):
        RecentKeys(ttl_s=ttl_s, max_keys=max_keys)
