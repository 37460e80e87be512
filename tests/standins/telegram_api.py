"""Stand-in for the Telegram Bot API, and builders of the updates Telegram posts to a webhook.

It responds to ``/bot<token>/<method>`` like https://api.telegram.org:
``{"ok": true, "result": ...}``, 401 for a wrong token, 404 for an unknown
method and 400 with Telegram's descriptions for invalid parameters,
including callback data outside 1-64 bytes.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from typing import Any

from tests.standins.base import RecordingServer

MAX_TEXT_CHARS = 4096
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_CHARS = 200
SECRET_TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class BadRequest(Exception):
    """A parameter error; the message is Telegram's description without "Bad Request: "."""


class TelegramBotAPI(RecordingServer):
    """Records what the bot sends; ``api_url`` is the base URL to configure in the bot."""

    def __init__(self, token: str, username: str) -> None:
        super().__init__()
        self.token = token
        self.username = username
        self.bot_id = int(token.split(":")[0])
        self._message_ids = itertools.count(1)

    @property
    def api_url(self) -> str:
        return self.url

    def handle(self, path: str, params: dict[str, Any], headers: dict[str, str]) -> tuple[str, int, dict[str, Any]]:
        match = re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)", path)
        if match is None:
            return path, 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        token, method = match.groups()
        if token != self.token:
            return method, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        handler = getattr(self, f"_{_snake_case(method)}", None)
        if handler is None:
            return method, 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
        try:
            return method, 200, {"ok": True, "result": handler(params)}
        except BadRequest as error:
            return method, 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {error}"}

    @property
    def bot_user(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": "Movie Bot", "username": self.username}

    def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        if not params.get("url", "").startswith(("https://", "http://")):
            raise BadRequest("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not SECRET_TOKEN_PATTERN.match(secret):
            raise BadRequest("secret token contains unallowed characters")
        return True

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        return True

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        if chat_id in (None, ""):
            raise BadRequest("chat_id is empty")
        text = params.get("text", "")
        if not text.strip():
            raise BadRequest("message text is empty")
        if len(text) > MAX_TEXT_CHARS:
            raise BadRequest("message is too long")
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "from": self.bot_user,
            "chat": {"id": int(chat_id), "type": "private", "first_name": "Ann"},
            "date": int(time.time()),
            "text": text,
        }
        markup = params.get("reply_markup")
        if markup is not None:
            markup = json.loads(markup) if isinstance(markup, str) else markup
            _check_inline_keyboard(markup)
            message["reply_markup"] = markup
        return message

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        if not params.get("callback_query_id"):
            raise BadRequest("query is too old and response timeout expired or query ID is invalid")
        if len(params.get("text") or "") > MAX_CALLBACK_ANSWER_CHARS:
            raise BadRequest("MESSAGE_TOO_LONG")
        return True

    def sent_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Return the messages accepted for ``chat_id``, oldest first, as Telegram stored them."""
        return [call.reply["result"] for call in self.find("sendMessage", lambda call: _accepted_in(call, chat_id))]

    def wait_for_messages(self, chat_id: int, count: int, timeout_s: float = 180) -> list[dict[str, Any]]:
        calls = self.wait_for("sendMessage", count, lambda call: _accepted_in(call, chat_id), timeout_s)
        return [call.reply["result"] for call in calls]


def _accepted_in(call: Any, chat_id: int) -> bool:
    return call.status == 200 and call.reply["result"]["chat"]["id"] == chat_id


def _check_inline_keyboard(markup: Any) -> None:
    keyboard = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    if not isinstance(keyboard, list) or not all(isinstance(row, list) for row in keyboard):
        raise BadRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    for row in keyboard:
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise BadRequest(
                    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
                raise BadRequest("BUTTON_DATA_INVALID")


def _snake_case(method: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", method).lower()


def text_update(update_id: int, chat_id: int, text: str, is_bot: bool = False) -> dict[str, Any]:
    """Build an update with a new private-chat text message."""
    sender = {"id": chat_id, "is_bot": is_bot, "first_name": "Ann", "language_code": "en"}
    message = {
        "message_id": update_id,
        "from": sender,
        "chat": {"id": chat_id, "first_name": "Ann", "type": "private"},
        "date": int(time.time()),
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]
    return {"update_id": update_id, "message": message}


def callback_update(update_id: int, chat_id: int, message: dict[str, Any], data: str) -> dict[str, Any]:
    """Build an update for a press on an inline keyboard button of the bot's ``message``."""
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"{chat_id}{update_id}",
            "from": {"id": chat_id, "is_bot": False, "first_name": "Ann", "language_code": "en"},
            "message": message,
            "chat_instance": "-5099443822338540000",
            "data": data,
        },
    }
