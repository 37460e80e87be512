"""Socket.IO channel for the web chat page in ``web/``.

It subclasses Rasa 3.6's ``SocketIOInput`` for four reasons:

- Rasa's ``SocketIOOutput.send_custom_json`` calls ``emit(event, **payload)``,
  which raises TypeError for the actions' ``{"items": [...]}`` payload. Here a
  recommendation is one ``bot_uttered`` message with the text and the items,
  each with its button payloads.
- With ``session_persistence``, Rasa 3.6.21 calls ``sio.enter_room`` without
  ``await``. That method is a coroutine in python-socketio 5.18 (the version
  Rasa installs), so the socket never joins the session's room and never
  receives a reply.
- The session id must be the one the socket asked for with ``session_request``.
  Rasa takes the ``session_id`` field of every message at face value, so any
  client could write into any conversation whose id it has.
- ``cors_allowed_origins`` can be set, so that only the page's own origin may
  connect.

Messages the page receives on ``bot_uttered``:
``{"text": str}``, ``{"text": str, "items": [item, ...]}`` or ``{"custom": {...}}``,
where an item is ``{"id", "title", "year", "position", "label", "buttons"}`` and a
button is ``{"signal", "text", "name", "payload"}``.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import rasa.core.channels.channel
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from rasa.shared.exceptions import InvalidConfigException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from channels.items import BUTTON_TEXT, SIGNAL_NAMES, SIGNALS, ShownItem, feedback_payload, shown_items

logger = logging.getLogger(__name__)

# web/chat.js stores 32 hex characters and Rasa generates uuid4 hex strings.
# Other clients may choose their own ids within these characters.
SESSION_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,128}$")


def item_message(item: ShownItem) -> dict[str, Any]:
    """Describe one item and its quick-action buttons for the page."""
    return {
        "id": item.id,
        "title": item.title,
        "year": item.year,
        "position": item.position,
        "label": item.label,
        "buttons": [
            {
                "signal": signal,
                "text": BUTTON_TEXT[signal],
                "name": f"{SIGNAL_NAMES[signal]}: {item.title}",
                "payload": feedback_payload(item.id, signal),
            }
            for signal in SIGNALS
        ],
    }


class WebChatOutput(SocketIOOutput):
    """Socket.IO output that sends each recommendation as one message with its items and buttons."""

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        items = shown_items(message.get("custom"))
        if not items:
            await super().send_response(recipient_id, message)
            return
        payload = {"text": (message.get("text") or "").strip(), "items": [item_message(item) for item in items]}
        await self._send_message(recipient_id, payload)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class WebChatInput(SocketIOInput):
    """Rasa's Socket.IO input channel with checked session ids and the output above.

    Credentials (all optional): those of Rasa's ``socketio`` channel, plus
    ``cors_allowed_origins``, a list of page origins such as
    ``["https://movies.example.org"]``. The default, an empty list, accepts
    every origin, as Rasa does.
    """

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WebChatInput:
        credentials = credentials or {}
        origins = credentials.get("cors_allowed_origins", [])
        if isinstance(origins, str):
            origins = [origins]
        if not isinstance(origins, list) or not all(isinstance(origin, str) for origin in origins):
            raise InvalidConfigException(
                f"Invalid cors_allowed_origins {origins!r} for {cls.__name__}: "
                "expected a list of origins such as ['https://movies.example.org']"
            )
        return cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            credentials.get("session_persistence", False),
            credentials.get("socketio_path", "/socket.io"),
            credentials.get("jwt_key"),
            credentials.get("jwt_method", "HS256"),
            credentials.get("metadata_key", "metadata"),
            cors_allowed_origins=origins,
        )

    def __init__(self, *args: Any, cors_allowed_origins: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cors_allowed_origins = list(cors_allowed_origins or [])

    def get_output_channel(self) -> WebChatOutput | None:
        if self.sio is None:
            return None
        return WebChatOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=self.cors_allowed_origins)
        socketio_webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: dict, auth: dict | None) -> bool:
            if not self.jwt_key:
                return True
            token = auth.get("token") if isinstance(auth, dict) else None
            if token and rasa.core.channels.channel.decode_bearer_token(token, self.jwt_key, self.jwt_algorithm):
                return True
            logger.warning("Rejected Socket.IO connection %s: missing or invalid JWT", sid)
            return False

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            if isinstance(requested, str) and SESSION_ID_PATTERN.match(requested):
                session_id = requested
            else:
                if requested is not None:
                    logger.warning("Socket %s requested invalid session id %r; starting a new session", sid, requested)
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.save_session(sid, {"session_id": session_id}, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)
            logger.debug("Socket %s joined session %s", sid, session_id)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            if not isinstance(data, dict) or not isinstance(data.get("message"), str):
                logger.warning("Ignored a message from socket %s without a 'message' string: %r", sid, data)
                return
            sender_id = sid
            if self.session_persistence:
                session = await sio.get_session(sid, namespace=self.namespace)
                sender_id = session.get("session_id")
                if sender_id is None:
                    logger.warning("Ignored a message from socket %s, which sent no session_request first", sid)
                    return
                if data.get("session_id") not in (None, sender_id):
                    logger.warning(
                        "Ignored a message from socket %s for session %r; the socket joined session %s",
                        sid,
                        data.get("session_id"),
                        sender_id,
                    )
                    return
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except json.JSONDecodeError:
                    logger.warning("Ignored invalid JSON metadata from socket %s", sid)
                    metadata = {}
            message = UserMessage(
                data["message"],
                WebChatOutput(sio, self.bot_message_evt),
                sender_id,
                input_channel=self.name(),
                metadata=metadata if isinstance(metadata, dict) else {},
            )
            await on_new_message(message)

        return socketio_webhook
