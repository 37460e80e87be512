"""Telegram channel: Rasa 3.6's Telegram connector with a secret token and inline keyboards.

Differences from ``rasa.core.channels.telegram.TelegramInput``:

- ``secret_token`` is required. It is registered with ``setWebhook``, and an
  update without the same ``X-Telegram-Bot-Api-Secret-Token`` header gets 401.
  Rasa's ``verify`` setting only compares the bot's own username (fetched with
  ``getMe`` on every update) with the configured one, which authenticates
  nothing.
- The webhook is registered after the server has started, and a failure is
  logged instead of stopping the server. Rasa registers it with
  ``asyncio.run`` while the app is built, on an event loop that is then closed.
- Updates are acknowledged at once and processed in the background, so a slow
  first reply (the action server loading its models) does not make Telegram
  redeliver. A redelivered ``update_id`` is ignored.
- Messages from bots and edited messages are ignored. ``/start``, the first
  message of every new chat, becomes ``/greet``.
- Recommendations get an inline keyboard. Telegram limits ``callback_data`` to
  64 bytes, so a button carries a 17-byte token (see
  :func:`channels.items.callback_data`). A press is mapped back to the catalog
  id through the items of this chat's earlier bot messages in the tracker
  store, then acknowledged with ``answerCallbackQuery``.
- ``api_url`` sets the Bot API base URL, for a self-hosted Bot API server or a
  local stand-in.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from aiogram import Bot
from aiogram.bot.api import TelegramAPIServer, check_token
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.exceptions import TelegramAPIError, ValidationError
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.telegram import TelegramInput, TelegramOutput
from rasa.shared.core.events import BotUttered
from rasa.shared.exceptions import InvalidConfigException
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.dedupe import RecentKeys
from channels.items import (
    SHORT_BUTTON_TEXT,
    SIGNAL_NAMES,
    SIGNALS,
    ShownItem,
    callback_data,
    feedback_payload,
    parse_callback_data,
    resolve_callback_token,
    shown_items,
)

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's rule for secret_token: 1-256 characters, A-Z, a-z, 0-9, _ and -.
SECRET_TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
MAX_MESSAGE_CHARS = 4096
ALLOWED_UPDATES = ["message", "callback_query"]
START_COMMAND = "/start"
GREET_MESSAGE = "/greet"
EXPIRED_BUTTON_NOTICE = "This button has expired. Please type your feedback instead."
# Updates are acknowledged before processing, so Telegram redelivers one only
# after a failed delivery. NOTE: Telegram does not document its retry schedule
# (it keeps updates for up to 24 hours); one hour of memory is an estimate.
UPDATE_MEMORY_S = 3600.0
LOG_EVERY_REJECTIONS = 100


def recommendation_keyboard(items: list[ShownItem]) -> InlineKeyboardMarkup:
    """Build one keyboard row per item: like, dislike and seen, labelled with the item's position."""
    keyboard = InlineKeyboardMarkup()
    for item in items:
        keyboard.row(
            *[
                InlineKeyboardButton(
                    f"{item.position}. {SHORT_BUTTON_TEXT[signal]}", callback_data=callback_data(item.id, signal)
                )
                for signal in SIGNALS
            ]
        )
    return keyboard


def split_message(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Split ``text`` into parts of at most ``limit`` characters, at line breaks where possible."""
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    parts.append(rest)
    return parts


class TelegramKeyboardOutput(TelegramOutput):
    """Rasa's Telegram output, with a configurable API URL and inline keyboards for recommendations."""

    def __init__(self, access_token: str, api_url: str = DEFAULT_API_URL) -> None:
        Bot.__init__(self, access_token, server=TelegramAPIServer.from_base(api_url))

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        items = shown_items(message.get("custom"))
        if not items:
            await super().send_response(recipient_id, message)
            return
        text = (message.get("text") or "").strip() or "\n".join(item.label for item in items)
        parts = split_message(text)
        for part in parts[:-1]:
            await self.send_message(recipient_id, part)
        await self.send_message(recipient_id, parts[-1], reply_markup=recommendation_keyboard(items))


class TelegramWebhookInput(TelegramInput):
    """Telegram webhook at ``/webhooks/telegram/webhook``.

    Credentials: ``access_token`` (from BotFather), ``verify`` (the bot's
    username), ``webhook_url`` (the public HTTPS URL of the webhook) and
    ``secret_token`` are required. ``api_url`` defaults to Telegram's Bot API,
    and ``set_webhook: false`` skips the registration at start-up.
    """

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramWebhookInput:
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(
            credentials.get("access_token"),
            credentials.get("verify"),
            credentials.get("webhook_url"),
            secret_token=credentials.get("secret_token"),
            api_url=credentials.get("api_url") or DEFAULT_API_URL,
            set_webhook=bool(credentials.get("set_webhook", True)),
        )

    def __init__(
        self,
        access_token: str | None,
        verify: str | None,
        webhook_url: str | None,
        secret_token: str | None = None,
        api_url: str = DEFAULT_API_URL,
        set_webhook: bool = True,
    ) -> None:
        super().__init__(access_token, verify, webhook_url, debug_mode=False)
        if not access_token:
            raise InvalidConfigException(
                "Missing access_token for the Telegram channel: set it to the token from BotFather"
            )
        try:
            check_token(access_token)
        except ValidationError as error:
            raise InvalidConfigException(
                f"Invalid access_token for the Telegram channel ({error}): expected the token from BotFather, "
                "in the form 123456789:AA..."
            ) from error
        if not isinstance(secret_token, str) or not SECRET_TOKEN_PATTERN.match(secret_token):
            raise InvalidConfigException(
                "Missing or invalid secret_token for the Telegram channel: set it to 1-256 characters "
                "from A-Z, a-z, 0-9, '_' and '-', e.g. the output of `openssl rand -hex 32`"
            )
        if set_webhook and not webhook_url:
            raise InvalidConfigException(
                "Missing webhook_url for the Telegram channel: set it to the public HTTPS URL of "
                "/webhooks/telegram/webhook, or set set_webhook: false and register the webhook yourself"
            )
        self.secret_token = secret_token
        self.api_url = api_url
        self.set_webhook = set_webhook
        self._recent_updates = RecentKeys(ttl_s=UPDATE_MEMORY_S)
        self._background_tasks: set[asyncio.Task] = set()
        self._rejected_requests = 0

    def get_output_channel(self) -> TelegramKeyboardOutput:
        return TelegramKeyboardOutput(self.access_token, self.api_url)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        telegram_webhook = Blueprint("telegram_webhook", __name__)
        out_channel = self.get_output_channel()

        @telegram_webhook.listener("after_server_start")
        async def register_webhook(_app: Any, _loop: Any) -> None:
            if self.set_webhook:
                await self._register_webhook(out_channel)

        @telegram_webhook.listener("before_server_stop")
        async def close_session(_app: Any, _loop: Any) -> None:
            await out_channel.close()

        @telegram_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @telegram_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            received = request.headers.get(SECRET_HEADER, "")
            if not hmac.compare_digest(received.encode("utf-8"), self.secret_token.encode("utf-8")):
                self._log_rejection(request)
                return response.text(f"Missing or invalid {SECRET_HEADER} header", status=HTTPStatus.UNAUTHORIZED)
            try:
                update = request.json
            except InvalidUsage:
                update = None
            if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
                return response.text(
                    "Invalid update: expected a JSON object with an integer update_id", status=HTTPStatus.BAD_REQUEST
                )
            if self._recent_updates.seen_before(str(update["update_id"])):
                logger.info("Ignored a redelivery of Telegram update %s", update["update_id"])
                return response.text("duplicate")

            message = await self._user_message(update, out_channel, request)
            if message is not None:
                task = asyncio.create_task(self._handle(on_new_message, message))
                self._background_tasks.add(task)
                task.add_done_callback(self._background_tasks.discard)
            return response.text("success")

        return telegram_webhook

    async def _register_webhook(self, bot: TelegramKeyboardOutput) -> None:
        try:
            me = await bot.get_me()
            if self.verify and me.username != self.verify:
                logger.error(
                    "The Telegram access_token belongs to bot '%s', but verify is '%s'; check both settings",
                    me.username,
                    self.verify,
                )
            await bot.request(
                "setWebhook",
                {
                    "url": self.webhook_url,
                    "secret_token": self.secret_token,
                    "allowed_updates": json.dumps(ALLOWED_UPDATES),
                },
            )
            logger.info("Registered the Telegram webhook %s for bot '%s'", self.webhook_url, me.username)
        except (TelegramAPIError, asyncio.TimeoutError) as error:
            logger.error(
                "Failed to register the Telegram webhook %s: %s. Check access_token, webhook_url and api_url; "
                "Telegram sends no updates until the webhook is registered",
                self.webhook_url,
                error,
            )

    async def _user_message(
        self, update: dict[str, Any], out_channel: TelegramKeyboardOutput, request: Request
    ) -> UserMessage | None:
        """Turn an update into a user message, or return None for updates the bot ignores."""
        if isinstance(update.get("callback_query"), dict):
            return await self._button_message(update["callback_query"], out_channel, request)
        message = update.get("message")
        if not isinstance(message, dict):
            logger.debug("Ignored Telegram update %s without a new message or button press", update["update_id"])
            return None
        sender = message.get("from") or {}
        chat_id = (message.get("chat") or {}).get("id")
        text = message.get("text")
        if sender.get("is_bot") or not isinstance(chat_id, int) or not isinstance(text, str):
            logger.debug(
                "Ignored Telegram update %s: from a bot, without a chat id, or without text", update["update_id"]
            )
            return None
        if text == START_COMMAND or text.startswith(START_COMMAND + " "):
            text = GREET_MESSAGE
        return UserMessage(text, out_channel, str(chat_id), input_channel=self.name())

    async def _button_message(
        self, query: dict[str, Any], out_channel: TelegramKeyboardOutput, request: Request
    ) -> UserMessage | None:
        query_id, data = query.get("id"), query.get("data")
        sender = query.get("from") or {}
        chat_id = ((query.get("message") or {}).get("chat") or {}).get("id", sender.get("id"))
        if not isinstance(query_id, str) or not isinstance(data, str) or not isinstance(chat_id, int):
            logger.warning("Ignored an invalid Telegram callback query: %r", query)
            return None
        if sender.get("is_bot"):
            return None

        sender_id = str(chat_id)
        text: str | None = data
        notice: str | None = None
        parsed = parse_callback_data(data)
        if parsed is not None:
            token, signal = parsed
            item_id = resolve_callback_token(token, await self._shown_item_ids(request, sender_id))
            if item_id is None:
                logger.info("Telegram chat %s pressed a button for an item no longer in its conversation", sender_id)
                text, notice = None, EXPIRED_BUTTON_NOTICE
            else:
                text, notice = feedback_payload(item_id, signal), f"{SIGNAL_NAMES[signal]}: noted"
        try:
            await out_channel.answer_callback_query(query_id, text=notice)
        except (TelegramAPIError, asyncio.TimeoutError) as error:
            logger.warning("answerCallbackQuery failed for Telegram callback query %s: %s", query_id, error)
        if text is None:
            return None
        return UserMessage(text, out_channel, sender_id, input_channel=self.name())

    @staticmethod
    async def _shown_item_ids(request: Request, sender_id: str) -> list[str]:
        """Return the ids of the items shown with buttons in this conversation, newest first."""
        tracker = await request.app.ctx.agent.tracker_store.retrieve(sender_id)
        if tracker is None:
            return []
        item_ids: list[str] = []
        for event in reversed(tracker.events):
            if isinstance(event, BotUttered):
                item_ids.extend(item.id for item in shown_items((event.data or {}).get("custom")))
        return item_ids

    @staticmethod
    async def _handle(on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage) -> None:
        try:
            await on_new_message(message)
        except Exception:
            logger.exception("Failed to handle a Telegram message from chat %s", message.sender_id)

    def _log_rejection(self, request: Request) -> None:
        self._rejected_requests += 1
        if self._rejected_requests == 1 or self._rejected_requests % LOG_EVERY_REJECTIONS == 0:
            logger.warning(
                "Rejected a request to %s from %s: missing or invalid %s header (%d rejected since start)",
                request.path,
                request.ip,
                SECRET_HEADER,
                self._rejected_requests,
            )
