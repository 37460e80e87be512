"""A threaded HTTP server on 127.0.0.1 that records the API calls it receives."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Call:
    """One API request: the method name, its parameters and the reply sent back."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    status: int = 200
    reply: dict[str, Any] = field(default_factory=dict)


def parse_params(content_type: str, body: bytes, query: str) -> dict[str, Any]:
    """Read request parameters the way Slack and Telegram accept them.

    Both take a query string, a form-encoded body, a multipart body or a JSON
    object. Values of form fields stay strings, as on the real services.
    """
    params: dict[str, Any] = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
    media_type = content_type.split(";")[0].strip().lower()
    if media_type == "application/json" and body:
        decoded = json.loads(body)
        if not isinstance(decoded, dict):
            raise ValueError("the JSON body is not an object")
        params.update(decoded)
    elif media_type == "application/x-www-form-urlencoded":
        params.update(urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    elif media_type == "multipart/form-data":
        message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + body)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name:
                params[name] = (
                    part.get_content() if part.get_content_maintype() == "text" else part.get_payload(decode=True)
                )
    return params


class RecordingServer:
    """Serve ``handle(method_path, params, headers) -> (status, reply)`` on 127.0.0.1 and record each call."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._changed = threading.Condition()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                self._answer()

            def _answer(self) -> None:
                path, _, query = self.path.partition("?")
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {name.lower(): value for name, value in self.headers.items()}
                try:
                    params = parse_params(headers.get("content-type", ""), body, query)
                except (ValueError, UnicodeDecodeError) as error:
                    status, reply, method = 400, {"ok": False, "error": f"invalid request body: {error}"}, path
                else:
                    method, status, reply = server.handle(path, params, headers)
                    server._record(Call(method=method, params=params, headers=headers, status=status, reply=reply))
                data = json.dumps(reply).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._http.serve_forever, name=type(self).__name__, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._http.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> RecordingServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    def handle(self, path: str, params: dict[str, Any], headers: dict[str, str]) -> tuple[str, int, dict[str, Any]]:
        """Return (API method name, HTTP status, JSON reply) for one request."""
        raise NotImplementedError

    def _record(self, call: Call) -> None:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def find(self, method: str, where: Callable[[Call], bool] = lambda call: True) -> list[Call]:
        """Return the recorded calls of ``method`` that match ``where``, oldest first."""
        with self._changed:
            return [call for call in self.calls if call.method == method and where(call)]

    def wait_for(
        self, method: str, count: int = 1, where: Callable[[Call], bool] = lambda call: True, timeout_s: float = 180
    ) -> list[Call]:
        """Wait until ``count`` calls of ``method`` match ``where``; return them, or raise TimeoutError."""
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while True:
                matching = [call for call in self.calls if call.method == method and where(call)]
                if len(matching) >= count:
                    return matching
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    recorded = [(call.method, call.status) for call in self.calls[-10:]]
                    raise TimeoutError(
                        f"{count} call(s) of {method} expected within {timeout_s:.0f} s, found {len(matching)}; "
                        f"last calls recorded: {recorded}"
                    )
                self._changed.wait(remaining)
