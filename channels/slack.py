"""Slack channel: Rasa 3.6's Slack connector with stricter checks and button blocks.

Differences from ``rasa.core.channels.slack.SlackInput``:

- The reply to the ``url_verification`` challenge is the bare challenge as
  text/plain, a form Slack documents. Rasa returns it JSON-quoted.
- A request with a missing or wrong ``X-Slack-Signature``, or with an
  ``X-Slack-Request-Timestamp`` more than five minutes away from the server
  clock, gets 401 before its body is parsed. Rasa responds with 400 and parses
  the body first.
- An Events API delivery whose ``event_id`` was seen in the last hour gets 200
  with ``X-Slack-No-Retry: 1`` and is not processed again. Slack retries
  deliveries (``X-Slack-Retry-Num``) that were not acknowledged within three
  seconds. A retry of an event that never arrived is processed, so that it is
  not lost. Rasa drops every retry with reason ``http_timeout`` instead.
- Messages with a ``bot_id`` or ``bot_profile``, and message subtypes other
  than those a person types (``bot_message``, ``message_changed`` and the
  like), are ignored.
- Replies that carry recommendation items are posted as one message with a
  Block Kit button row per item.
- ``api_url`` sets the Web API base URL, for a proxy or a local stand-in.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from rasa.shared.exceptions import InvalidConfigException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

from channels.dedupe import RecentKeys
from channels.items import BUTTON_TEXT, SIGNAL_NAMES, SIGNALS, ShownItem, feedback_payload, shown_items

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
# Message subtypes that carry text a person wrote; see Slack's "message" event docs.
USER_MESSAGE_SUBTYPES = {None, "thread_broadcast", "file_share", "me_message"}
# Block Kit limits: 3000 characters per section text, 75 per button text and
# accessibility label.
MAX_SECTION_CHARS = 3000
MAX_LABEL_CHARS = 75
# Slack retries within about five minutes (immediately, after 1 and after 5 minutes).
EVENT_MEMORY_S = 3600.0
LOG_EVERY_REJECTIONS = 100


def recommendation_blocks(text: str, items: list[ShownItem]) -> list[dict[str, Any]]:
    """Build Block Kit blocks: the reply text, then per item its label and three buttons."""
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "plain_text", "text": chunk, "emoji": True}}
        for chunk in _chunks(text, MAX_SECTION_CHARS)
    ]
    for item in items:
        blocks.append({"type": "section", "text": {"type": "plain_text", "text": item.label[:MAX_SECTION_CHARS]}})
        blocks.append(
            {
                "type": "actions",
                "block_id": f"feedback-{item.position}",
                "elements": [
                    {
                        "type": "button",
                        "action_id": f"feedback-{item.position}-{signal}",
                        "text": {"type": "plain_text", "text": BUTTON_TEXT[signal], "emoji": True},
                        "accessibility_label": f"{SIGNAL_NAMES[signal]}: {item.title}"[:MAX_LABEL_CHARS],
                        "value": feedback_payload(item.id, signal),
                    }
                    for signal in SIGNALS
                ],
            }
        )
    return blocks


def _chunks(text: str, size: int) -> list[str]:
    text = text.strip()
    return [text[start : start + size] for start in range(0, len(text), size)]


class SlackBlocksOutput(SlackBot):
    """Rasa's Slack output, with a configurable API URL and button blocks for recommendations."""

    def __init__(
        self,
        token: str,
        slack_channel: str | None = None,
        thread_id: str | None = None,
        proxy: str | None = None,
        api_url: str = DEFAULT_API_URL,
    ) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        self.client = AsyncWebClient(token, proxy=proxy, base_url=api_url)

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        items = shown_items(message.get("custom"))
        if not items:
            await super().send_response(recipient_id, message)
            return
        text = (message.get("text") or "").strip() or "\n".join(item.label for item in items)
        await self._post_message(
            channel=self.slack_channel or recipient_id, text=text, blocks=recommendation_blocks(text, items)
        )


class SlackEventsInput(SlackInput):
    """Slack Events API and interactivity webhook at ``/webhooks/slack/webhook``.

    Credentials: those of Rasa's ``slack`` channel (``slack_token`` and
    ``slack_signing_secret`` are required), plus ``api_url``. Unlike Rasa,
    ``errors_ignore_retry`` defaults to no reasons, because redeliveries are
    recognised by their event id.
    """

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SlackEventsInput:
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(
            credentials.get("slack_token"),
            credentials.get("slack_channel"),
            credentials.get("proxy"),
            credentials.get("slack_retry_reason_header", "x-slack-retry-reason"),
            credentials.get("slack_retry_number_header", "x-slack-retry-num"),
            credentials.get("errors_ignore_retry") or [],
            credentials.get("use_threads", False),
            credentials.get("slack_signing_secret", ""),
            credentials.get("conversation_granularity", "sender"),
            api_url=credentials.get("api_url") or DEFAULT_API_URL,
        )

    def __init__(
        self,
        slack_token: str,
        slack_channel: str | None = None,
        proxy: str | None = None,
        slack_retry_reason_header: str | None = "x-slack-retry-reason",
        slack_retry_number_header: str | None = "x-slack-retry-num",
        errors_ignore_retry: list[str] | None = None,
        use_threads: bool = False,
        slack_signing_secret: str = "",
        conversation_granularity: str = "sender",
        api_url: str = DEFAULT_API_URL,
    ) -> None:
        super().__init__(
            slack_token,
            slack_channel,
            proxy,
            slack_retry_reason_header,
            slack_retry_number_header,
            errors_ignore_retry,
            use_threads,
            slack_signing_secret,
            conversation_granularity,
        )
        if not slack_token:
            raise InvalidConfigException(
                "Missing slack_token for the Slack channel: set it to the app's bot token (xoxb-...)"
            )
        # Rasa replaces an empty or missing list with ("http_timeout",).
        self.errors_ignore_retry = tuple(errors_ignore_retry or ())
        self.api_url = api_url
        self._recent_events = RecentKeys(ttl_s=EVENT_MEMORY_S)
        self._rejected_requests = 0

    @staticmethod
    def _is_user_message(slack_event: dict[str, Any]) -> bool:
        if not SlackInput._is_user_message(slack_event):
            return False
        event = slack_event["event"]
        return not event.get("bot_profile") and event.get("subtype") in USER_MESSAGE_SUBTYPES

    def get_output_channel(self, channel: str | None = None, thread_id: str | None = None) -> OutputChannel:
        return SlackBlocksOutput(self.slack_token, channel or self.slack_channel, thread_id, self.proxy, self.api_url)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        slack_webhook = super().blueprint(on_new_message)

        @slack_webhook.middleware("request")
        async def check_request(request: Request) -> HTTPResponse | None:
            if not request.path.rstrip("/").endswith("/webhook"):
                return None
            if not self.is_request_from_slack_authentic(request):
                self._log_rejection(request)
                return response.text(
                    "Missing or invalid X-Slack-Signature, or X-Slack-Request-Timestamp more than 5 minutes off",
                    status=HTTPStatus.UNAUTHORIZED,
                )
            body = _json_body(request)
            if body.get("type") == "url_verification" and isinstance(body.get("challenge"), str):
                return response.text(body["challenge"])
            event_id = body.get("event_id")
            if isinstance(event_id, str) and self._recent_events.seen_before(event_id):
                logger.info(
                    "Ignored a redelivery of Slack event %s (retry %s, reason %s)",
                    event_id,
                    request.headers.get(self.retry_num_header),
                    request.headers.get(self.retry_reason_header),
                )
                return response.text("", status=HTTPStatus.OK, headers={"X-Slack-No-Retry": "1"})
            return None

        return slack_webhook

    def _log_rejection(self, request: Request) -> None:
        self._rejected_requests += 1
        if self._rejected_requests == 1 or self._rejected_requests % LOG_EVERY_REJECTIONS == 0:
            logger.warning(
                "Rejected a request to %s from %s: missing or invalid Slack signature or timestamp "
                "(%d rejected since start)",
                request.path,
                request.ip,
                self._rejected_requests,
            )


def _json_body(request: Request) -> dict[str, Any]:
    """Return the JSON object of an Events API request, or {} for other requests."""
    if request.headers.get("content-type") != "application/json":
        return {}
    try:
        body = json.loads(request.body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}
