"""Slack channel against the real Rasa and action servers, with a local Slack Web API stand-in.

The tests post signed Events API and interactivity requests, shaped as Slack
sends them, to the Rasa server's Slack webhook, and read what the bot posts to
``chat.postMessage`` on the stand-in.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid

import pytest

from bot.feedback import FeedbackStore
from channels.items import parse_feedback_payload
from tests.stack import Stack, missing_artifacts
from tests.standins.slack_api import (
    BOT_ID,
    BOT_USER_ID,
    SlackWebAPI,
    block_actions_body,
    message_event,
    signature_headers,
)

pytestmark = [pytest.mark.fullstack, pytest.mark.slow]

TOKEN = "xoxb-0000000000-test-token"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@pytest.fixture(scope="module")
def slack_api():
    api = SlackWebAPI(TOKEN).start()
    yield api
    api.stop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory, slack_api):
    reason = missing_artifacts()
    if reason:
        pytest.skip(reason)
    work_dir = tmp_path_factory.mktemp("slack")
    credentials = work_dir / "credentials.yml"
    credentials.write_text(
        "channels.slack.SlackEventsInput:\n"
        f"  slack_token: {TOKEN}\n"
        f"  slack_signing_secret: {SIGNING_SECRET}\n"
        f"  api_url: {slack_api.api_url}\n"
    )
    running = Stack(work_dir=work_dir, credentials=credentials)
    with running.running():
        yield running


def post(stack: Stack, body: bytes, headers: dict[str, str]) -> tuple[int, str, dict[str, str]]:
    """POST ``body`` to the Slack webhook; return the status, the body and the headers."""
    request = urllib.request.Request(
        f"{stack.rasa_url}/webhooks/slack/webhook", data=body, method="POST", headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode("utf-8"), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8"), dict(error.headers)


def send_event(
    stack: Stack, event: dict, extra_headers: dict[str, str] | None = None
) -> tuple[int, str, dict[str, str]]:
    body = json.dumps(event).encode("utf-8")
    headers = {"Content-Type": "application/json", **signature_headers(SIGNING_SECRET, body), **(extra_headers or {})}
    return post(stack, body, headers)


def new_ids() -> tuple[str, str, str]:
    """Return a fresh user id, direct-message channel id and event id."""
    suffix = uuid.uuid4().hex[:8].upper()
    return f"U{suffix}", f"D{suffix}", f"Ev{suffix}"


def button_values(message: dict) -> list[tuple[str, str]]:
    """Return (item id, signal) for every button of a posted message, in block order."""
    blocks = message["blocks"] if isinstance(message["blocks"], list) else json.loads(message["blocks"])
    values = []
    for block in blocks:
        for element in block.get("elements", []) if block["type"] == "actions" else []:
            values.append(parse_feedback_payload(element["value"]))
    return values


def test_unsigned_requests_rejected(stack, slack_api):
    user, channel, event_id = new_ids()
    body = json.dumps(message_event(event_id, user, channel, "hi")).encode("utf-8")
    now = int(time.time())
    cases = {
        "no signature": {"Content-Type": "application/json"},
        "wrong secret": {"Content-Type": "application/json", **signature_headers("not-the-secret", body, now)},
        "other body": {"Content-Type": "application/json", **signature_headers(SIGNING_SECRET, body + b" ", now)},
        "old timestamp": {"Content-Type": "application/json", **signature_headers(SIGNING_SECRET, body, now - 6 * 60)},
    }
    for case, headers in cases.items():
        status, _, _ = post(stack, body, headers)
        assert status == 401, case

    # Rejected before parsing: a body that is not JSON still gets 401.
    status, _, _ = post(stack, b"{not json", {"Content-Type": "application/json"})
    assert status == 401

    # A correctly signed copy is accepted, which shows the rejections above
    # came from the signature and the timestamp alone.
    status, _, _ = send_event(stack, message_event(f"{event_id}b", user, channel, "hi"))
    assert status == 200
    slack_api.wait_for_posts(channel, 1)
    stack.wait_for_turns(user, 1)
    assert stack.user_texts(user) == ["hi"]


def test_url_verification_returns_challenge(stack):
    status, body, _ = send_event(
        stack, {"token": "unused", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmd", "type": "url_verification"}
    )
    assert status == 200
    assert body == "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmd"


def test_recommendations_have_buttons_and_presses_store_feedback(stack, slack_api, catalog):
    user, channel, event_id = new_ids()
    status, _, _ = send_event(
        stack, message_event(event_id, user, channel, "something like Alien but less scary, from the 80s")
    )
    assert status == 200

    reply = slack_api.wait_for_posts(channel, 1)[0]
    buttons = button_values(reply)
    shown = list(dict.fromkeys(item_id for item_id, _ in buttons))
    assert len(shown) == 3
    assert buttons == [(item_id, signal) for item_id in shown for signal in ("like", "dislike", "seen")]
    for item_id in shown:
        item = catalog.get(item_id)
        assert item is not None, f"{item_id} is not a catalog item"
        assert item.title in reply["text"]
    assert stack.wait_for_turns(user, 1)["slots"]["profile"]["last_shown"] == shown

    # Press 👎 on the first item, as Slack posts it to the interactivity URL.
    blocks = reply["blocks"] if isinstance(reply["blocks"], list) else json.loads(reply["blocks"])
    action = next(
        element
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"].endswith("-dislike")
    )
    message = {
        "type": "message",
        "ts": "1700000000.000100",
        "text": reply["text"],
        "user": BOT_USER_ID,
        "bot_id": BOT_ID,
        "blocks": blocks,
    }
    body = block_actions_body(
        user, channel, message, {**action, "block_id": "feedback-1"}, f"{slack_api.url}/actions/1"
    )
    status, _, _ = post(
        stack, body, {"Content-Type": "application/x-www-form-urlencoded", **signature_headers(SIGNING_SECRET, body)}
    )
    assert status == 200

    refill = slack_api.wait_for_posts(channel, 2)[1]
    events = FeedbackStore(stack.feedback_url).events(user)
    assert [(event.item_id, event.signal) for event in events] == [(shown[0], "dislike")]
    refilled = list(dict.fromkeys(item_id for item_id, _ in button_values(refill)))
    assert refilled
    assert shown[0] not in refilled

    # Rasa read the press as the intent give_feedback with both entities.
    press = [event for event in stack.wait_for_turns(user, 2)["events"] if event["event"] == "user"][-1]
    assert press["parse_data"]["intent"]["name"] == "give_feedback"
    entities = {entity["entity"]: entity["value"] for entity in press["parse_data"]["entities"]}
    assert entities == {"item_id": shown[0], "feedback_signal": "dislike"}


def test_redelivered_event_processed_once(stack, slack_api):
    user, channel, event_id = new_ids()
    first = message_event(event_id, user, channel, "hi")
    assert send_event(stack, first)[0] == 200
    slack_api.wait_for_posts(channel, 1)

    for retry, reason in [("1", "http_timeout"), ("2", "http_error")]:
        status, _, headers = send_event(stack, first, {"X-Slack-Retry-Num": retry, "X-Slack-Retry-Reason": reason})
        assert status == 200
        assert headers.get("X-Slack-No-Retry") == "1"

    # Messages of one conversation are handled in order, so once the reply to
    # this one is posted, a duplicate of "hi" would have been posted too.
    assert send_event(stack, message_event(f"{event_id}b", user, channel, "thanks"))[0] == 200
    slack_api.wait_for_posts(channel, 2)
    stack.wait_for_turns(user, 2)
    assert stack.user_texts(user) == ["hi", "thanks"]
    assert len(slack_api.posts(channel)) == 2

    # A retry of an event that never arrived is the only copy, so it is processed.
    status, _, _ = send_event(
        stack,
        message_event(f"{event_id}c", user, channel, "bye"),
        {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"},
    )
    assert status == 200
    slack_api.wait_for_posts(channel, 3)
    stack.wait_for_turns(user, 3)
    assert stack.user_texts(user) == ["hi", "thanks", "bye"]


def test_bot_messages_ignored(stack, slack_api):
    user, channel, event_id = new_ids()
    own_echo = message_event(f"{event_id}a", BOT_USER_ID, channel, "Here are 3 you might enjoy", bot_id=BOT_ID)
    other_bot = message_event(f"{event_id}b", user, channel, "hi from a bot", subtype="bot_message", bot_id="B0OTHER01")
    other_bot["event"].pop("user")
    app_profile = message_event(
        f"{event_id}c", user, channel, "hi from an app", bot_profile={"id": "B0OTHER02", "name": "other"}
    )
    edited = message_event(f"{event_id}d", user, channel, "hi again", subtype="message_changed")
    for event in (own_echo, other_bot, app_profile, edited):
        assert send_event(stack, event)[0] == 200

    assert send_event(stack, message_event(f"{event_id}e", user, channel, "hi"))[0] == 200
    slack_api.wait_for_posts(channel, 1)
    stack.wait_for_turns(user, 1)
    assert stack.user_texts(user) == ["hi"]
    assert stack.user_texts(BOT_USER_ID) == []
    assert len(slack_api.posts(channel)) == 1
