"""Stand-in for the Slack Web API, and builders of signed Events API and interactivity requests.

The Web API part responds to ``POST /api/<method>`` like https://slack.com/api/:
HTTP 200 with ``{"ok": true, ...}``, or ``{"ok": false, "error": "<code>"}``
for a missing or wrong bot token, a missing channel or text, and blocks that
break Block Kit's limits.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import urllib.parse
from typing import Any

from tests.standins.base import RecordingServer

BOT_USER_ID = "U0BOT0001"
BOT_ID = "B0BOT0001"
TEAM_ID = "T0TEAM001"
API_APP_ID = "A0APP0001"

# Block Kit limits (api.slack.com/reference/block-kit).
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_ACTIONS_ELEMENTS = 25
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ID_CHARS = 255


class SlackWebAPI(RecordingServer):
    """Records ``chat.postMessage`` and serves ``auth.test``. Clients take ``api_url`` as the base URL."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        self._timestamps = itertools.count(1)

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def handle(self, path: str, params: dict[str, Any], headers: dict[str, str]) -> tuple[str, int, dict[str, Any]]:
        if not path.startswith("/api/"):
            return path, 404, {"ok": False, "error": "unknown_method"}
        method = path[len("/api/") :]
        authorization = headers.get("authorization", "")
        token = authorization.removeprefix("Bearer ") if authorization.startswith("Bearer ") else params.get("token")
        if not token:
            return method, 200, {"ok": False, "error": "not_authed"}
        if token != self.token:
            return method, 200, {"ok": False, "error": "invalid_auth"}
        if method == "auth.test":
            return (
                method,
                200,
                {
                    "ok": True,
                    "url": "https://example.slack.com/",
                    "team": "Test",
                    "user": "moviebot",
                    "team_id": TEAM_ID,
                    "user_id": BOT_USER_ID,
                    "bot_id": BOT_ID,
                    "is_enterprise_install": False,
                },
            )
        if method == "chat.postMessage":
            return method, *self._post_message(params)
        return method, 200, {"ok": False, "error": "unknown_method"}

    def _post_message(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        channel = params.get("channel")
        if not channel:
            return 200, {"ok": False, "error": "channel_not_found"}
        blocks = params.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        if not params.get("text") and not blocks and not params.get("attachments"):
            return 200, {"ok": False, "error": "no_text"}
        if blocks:
            errors = block_errors(blocks)
            if errors:
                return 200, {"ok": False, "error": "invalid_blocks", "errors": errors}
        ts = f"{int(time.time())}.{next(self._timestamps):06d}"
        message = {"type": "message", "text": params.get("text", ""), "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": ts}
        if blocks:
            message["blocks"] = blocks
        return 200, {"ok": True, "channel": channel, "ts": ts, "message": message}

    def posts(self, channel: str) -> list[dict[str, Any]]:
        """Return the parameters of the messages posted to ``channel`` that Slack accepted, oldest first."""
        return [call.params for call in self.find("chat.postMessage", lambda call: _accepted_in(call, channel))]

    def wait_for_posts(self, channel: str, count: int, timeout_s: float = 180) -> list[dict[str, Any]]:
        calls = self.wait_for("chat.postMessage", count, lambda call: _accepted_in(call, channel), timeout_s)
        return [call.params for call in calls]


def _accepted_in(call: Any, channel: str) -> bool:
    return call.params.get("channel") == channel and call.reply.get("ok") is True


def block_errors(blocks: Any) -> list[str]:
    """Return the Block Kit rules that ``blocks`` breaks (the subset this bot's messages use)."""
    if not isinstance(blocks, list):
        return ["blocks must be an array"]
    errors = []
    if len(blocks) > MAX_BLOCKS:
        errors.append(f"more than {MAX_BLOCKS} blocks")
    block_ids: set[str] = set()
    action_ids: set[str] = set()
    for index, block in enumerate(blocks):
        block_type = block.get("type") if isinstance(block, dict) else None
        block_id = block.get("block_id") if isinstance(block, dict) else None
        if block_id is not None:
            if len(block_id) > MAX_ID_CHARS or block_id in block_ids:
                errors.append(f"block {index}: block_id too long or not unique")
            block_ids.add(block_id)
        if block_type == "section":
            text = block.get("text") or {}
            if (
                text.get("type") not in ("plain_text", "mrkdwn")
                or not 1 <= len(text.get("text", "")) <= MAX_SECTION_TEXT
            ):
                errors.append(f"block {index}: section text missing or longer than {MAX_SECTION_TEXT}")
        elif block_type == "actions":
            elements = block.get("elements") or []
            if not 1 <= len(elements) <= MAX_ACTIONS_ELEMENTS:
                errors.append(f"block {index}: actions need 1 to {MAX_ACTIONS_ELEMENTS} elements")
            for element in elements:
                errors.extend(f"block {index}: {error}" for error in _button_errors(element, action_ids))
        elif block_type not in ("context", "divider", "header", "image"):
            errors.append(f"block {index}: unsupported type {block_type!r}")
    return errors


def _button_errors(element: Any, action_ids: set[str]) -> list[str]:
    if not isinstance(element, dict) or element.get("type") != "button":
        return ["only buttons are expected in actions"]
    errors = []
    text = element.get("text") or {}
    if text.get("type") != "plain_text" or not 1 <= len(text.get("text", "")) <= MAX_BUTTON_TEXT:
        errors.append(f"button text must be plain_text of 1 to {MAX_BUTTON_TEXT} characters")
    if len(element.get("value", "")) > MAX_BUTTON_VALUE:
        errors.append(f"button value longer than {MAX_BUTTON_VALUE}")
    if len(element.get("accessibility_label", "")) > MAX_BUTTON_TEXT:
        errors.append(f"accessibility_label longer than {MAX_BUTTON_TEXT}")
    action_id = element.get("action_id")
    if action_id is not None:
        if len(action_id) > MAX_ID_CHARS or action_id in action_ids:
            errors.append("action_id too long or not unique")
        action_ids.add(action_id)
    return errors


def signature_headers(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Return the headers Slack signs a request with: HMAC-SHA256 of ``v0:<timestamp>:<body>``."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode("utf-8"), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}


def message_event(event_id: str, user: str, channel: str, text: str, **event_fields: Any) -> dict[str, Any]:
    """Build an Events API ``event_callback`` for a direct message, as Slack delivers it."""
    ts = f"{time.time():.6f}"
    event = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel_type": "im",
        "client_msg_id": event_id.lower(),
        **event_fields,
    }
    return {
        "token": "verification-token-not-used",
        "team_id": TEAM_ID,
        "api_app_id": API_APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }


def block_actions_body(
    user: str, channel: str, message: dict[str, Any], action: dict[str, Any], response_url: str
) -> bytes:
    """Build the form-encoded body Slack posts to the interactivity URL when a button is pressed."""
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": "ann", "name": "ann", "team_id": TEAM_ID},
        "api_app_id": API_APP_ID,
        "token": "verification-token-not-used",
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel, "is_ephemeral": False},
        "trigger_id": "1111.2222.abcd",
        "team": {"id": TEAM_ID, "domain": "test"},
        "channel": {"id": channel, "name": "directmessage"},
        "message": message,
        "response_url": response_url,
        "actions": [{**action, "action_ts": f"{time.time():.6f}"}],
    }
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode("utf-8")
