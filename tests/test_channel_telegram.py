"""Telegram channel against the real Rasa and action servers, with a local Bot API stand-in.

The tests post updates, shaped as Telegram sends them, to the Rasa server's
Telegram webhook, and read what the bot sends on the stand-in.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid

import pytest

from bot.feedback import FeedbackStore
from channels.items import callback_token, parse_callback_data
from tests.stack import Stack, missing_artifacts
from tests.standins.telegram_api import TelegramBotAPI, callback_update, text_update

pytestmark = [pytest.mark.fullstack, pytest.mark.slow]

TOKEN = "1234567890:AAtestTOKENtestTOKENtestTOKENtest12"
USERNAME = "movie_test_bot"
SECRET = "webhook-secret_0123456789abcdef"
WEBHOOK_URL = "https://bot.example.org/webhooks/telegram/webhook"


@pytest.fixture(scope="module")
def telegram_api():
    api = TelegramBotAPI(TOKEN, USERNAME).start()
    yield api
    api.stop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory, telegram_api):
    reason = missing_artifacts()
    if reason:
        pytest.skip(reason)
    work_dir = tmp_path_factory.mktemp("telegram")
    credentials = work_dir / "credentials.yml"
    credentials.write_text(
        "channels.telegram.TelegramWebhookInput:\n"
        f'  access_token: "{TOKEN}"\n'
        f"  verify: {USERNAME}\n"
        f"  webhook_url: {WEBHOOK_URL}\n"
        f"  secret_token: {SECRET}\n"
        f"  api_url: {telegram_api.api_url}\n"
    )
    running = Stack(work_dir=work_dir, credentials=credentials)
    with running.running():
        yield running


def new_chat() -> tuple[int, int]:
    """Return a fresh chat id and a base for update ids."""
    number = uuid.uuid4().int
    return 10_000_000 + number % 90_000_000, (number >> 64) % 1_000_000_000 * 100


def post_update(stack: Stack, update: dict, secret: str | None = SECRET) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(
        f"{stack.rasa_url}/webhooks/telegram/webhook",
        data=json.dumps(update).encode("utf-8"),
        method="POST",
        headers=headers,
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def keyboard_rows(message: dict) -> list[list[dict]]:
    return message["reply_markup"]["inline_keyboard"]


def test_webhook_registered_with_secret(stack, telegram_api):
    calls = telegram_api.find("setWebhook")
    assert len(calls) == 1
    params = calls[0].params
    assert params["url"] == WEBHOOK_URL
    assert params["secret_token"] == SECRET
    assert json.loads(params["allowed_updates"]) == ["message", "callback_query"]
    assert calls[0].status == 200


def test_updates_without_secret_rejected(stack, telegram_api):
    chat_id, update_id = new_chat()
    assert post_update(stack, text_update(update_id, chat_id, "hi"), secret=None) == 401
    assert post_update(stack, text_update(update_id + 1, chat_id, "hi"), secret="wrong-secret") == 401
    assert post_update(stack, text_update(update_id + 2, chat_id, "hi"), secret=SECRET[:-1]) == 401

    # The same update with the secret is accepted, so only the header was wrong.
    assert post_update(stack, text_update(update_id + 3, chat_id, "hi")) == 200
    telegram_api.wait_for_messages(chat_id, 1)
    stack.wait_for_turns(str(chat_id), 1)
    assert stack.user_texts(str(chat_id)) == ["hi"]


def test_start_command_greets(stack, telegram_api):
    chat_id, update_id = new_chat()
    assert post_update(stack, text_update(update_id, chat_id, "/start")) == 200
    reply = telegram_api.wait_for_messages(chat_id, 1)[0]
    assert "recommend movies" in reply["text"]


def test_keyboard_presses_store_feedback(stack, telegram_api, catalog):
    chat_id, update_id = new_chat()
    assert post_update(stack, text_update(update_id, chat_id, "a funny heist movie from the 90s")) == 200
    reply = telegram_api.wait_for_messages(chat_id, 1)[0]

    shown = stack.wait_for_turns(str(chat_id), 1)["slots"]["profile"]["last_shown"]
    assert len(shown) == 3
    rows = keyboard_rows(reply)
    assert len(rows) == len(shown)
    for item_id, row in zip(shown, rows):
        item = catalog.get(item_id)
        assert item is not None, f"{item_id} is not a catalog item"
        assert item.title in reply["text"]
        parsed = [parse_callback_data(button["callback_data"]) for button in row]
        assert parsed == [(callback_token(item_id), signal) for signal in ("like", "dislike", "seen")]
        assert all(len(button["callback_data"].encode("utf-8")) <= 64 for button in row)

    # Press "seen it" on the second item and 👍 on the third.
    seen_button, like_button = rows[1][2], rows[2][0]
    assert post_update(stack, callback_update(update_id + 1, chat_id, reply, seen_button["callback_data"])) == 200
    refill = telegram_api.wait_for_messages(chat_id, 2)[1]
    answers = telegram_api.wait_for(
        "answerCallbackQuery", where=lambda call: call.params["callback_query_id"] == f"{chat_id}{update_id + 1}"
    )
    assert answers[0].status == 200
    refilled = stack.wait_for_turns(str(chat_id), 2)["slots"]["profile"]["last_shown"]
    assert shown[1] not in refilled
    assert len(keyboard_rows(refill)) == len(refilled)

    # A button of the older message still names its item, which the core
    # ignores because that item is no longer among the last shown ones.
    assert post_update(stack, callback_update(update_id + 2, chat_id, reply, like_button["callback_data"])) == 200
    telegram_api.wait_for_messages(chat_id, 3)
    stack.wait_for_turns(str(chat_id), 3)
    events = FeedbackStore(stack.feedback_url).events(str(chat_id))
    assert [(event.item_id, event.signal) for event in events] == [(shown[1], "seen")]
    assert stack.user_texts(str(chat_id))[-1] == f'/give_feedback{{"item_id": "{shown[2]}", "feedback_signal": "like"}}'


def test_expired_button_answered_without_message(stack, telegram_api):
    chat_id, update_id = new_chat()
    message = {"message_id": 1, "chat": {"id": chat_id, "type": "private"}, "date": 0, "text": "old"}
    assert post_update(stack, callback_update(update_id, chat_id, message, "fb:d:AAAAAAAAAAAA")) == 200
    answer = telegram_api.wait_for(
        "answerCallbackQuery", where=lambda call: call.params["callback_query_id"] == f"{chat_id}{update_id}"
    )
    assert "expired" in answer[0].params["text"]
    assert stack.user_texts(str(chat_id)) == []


def test_bot_and_duplicate_updates_ignored(stack, telegram_api):
    chat_id, update_id = new_chat()
    assert post_update(stack, text_update(update_id, chat_id, "hi from a bot", is_bot=True)) == 200
    edited = {
        "update_id": update_id + 1,
        "edited_message": text_update(update_id + 1, chat_id, "hi, edited")["message"],
    }
    assert post_update(stack, edited) == 200
    first = text_update(update_id + 2, chat_id, "hi")
    assert post_update(stack, first) == 200
    assert post_update(stack, first) == 200

    # Messages of one chat are handled in order, so once the reply to this one
    # is sent, a reply to any update above would have been sent too.
    assert post_update(stack, text_update(update_id + 3, chat_id, "thanks")) == 200
    telegram_api.wait_for_messages(chat_id, 2)
    stack.wait_for_turns(str(chat_id), 2)
    assert stack.user_texts(str(chat_id)) == ["hi", "thanks"]
    assert len(telegram_api.sent_messages(chat_id)) == 2
