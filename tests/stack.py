"""Start the real Rasa server and the real action server on 127.0.0.1 for tests."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
ACTIONS_PYTHON = ROOT / ".venv" / "bin" / "python"
RASA_MODEL_DIR = ROOT / "models" / "rasa"


def missing_artifacts() -> str | None:
    """Return what is missing for the full stack to start, with the fix, or None when nothing is."""
    from bot.settings import Settings

    if not RASA.exists():
        return "The Rasa environment .venv-rasa is missing; run scripts/setup.sh"
    if not list(RASA_MODEL_DIR.glob("*.tar.gz")):
        return "No trained Rasa model in models/rasa; run scripts/setup.sh"
    if not (Settings().index_dir / "manifest.json").exists():
        return "No vector index in models/index; run scripts/setup.sh"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_json(method: str, url: str, payload: object | None = None, timeout: float = 120, headers: dict | None = None):
    data = None if payload is None else json.dumps(payload).encode("utf-8")
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        body = response.read()
        return json.loads(body) if body else None


def wait_for(url: str, process: subprocess.Popen, log_path: Path, limit_s: float) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}; log:\n{log_path.read_text()[-4000:]}")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(1)
    raise TimeoutError(f"{url} did not answer within {limit_s:.0f} s; log:\n{log_path.read_text()[-4000:]}")


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@dataclass
class Stack:
    """Both servers with their own ports, tracker database and feedback database under ``work_dir``."""

    work_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    credentials: Path | None = None
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    rasa: subprocess.Popen | None = None
    actions: subprocess.Popen | None = None

    @property
    def feedback_url(self) -> str:
        return f"sqlite:///{self.work_dir / 'feedback.db'}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "BOT_FEEDBACK_DB": self.feedback_url,
                "OMP_NUM_THREADS": env.get("OMP_NUM_THREADS", "2"),
                "HF_HUB_OFFLINE": "1",
                "TRANSFORMERS_OFFLINE": "1",
                "PYTHONPATH": str(ROOT),
                "SANIC_HOST": "127.0.0.1",
                "RASA_TELEMETRY_ENABLED": "false",
            }
        )
        env.update(self.env)
        return env

    def write_endpoints(self) -> Path:
        path = self.work_dir / "endpoints.yml"
        path.write_text(
            f"action_endpoint:\n  url: \"http://127.0.0.1:{self.actions_port}/webhook\"\n"
            f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {self.work_dir / 'tracker.db'}\n"
        )
        return path

    def start_actions(self, limit_s: float = 420) -> None:
        log_path = self.work_dir / "actions.log"
        self.actions = subprocess.Popen(
            [str(ACTIONS_PYTHON), "-m", "rasa_sdk", "--actions", "actions", "--port", str(self.actions_port)],
            cwd=ROOT, env=self._env(), stdout=log_path.open("ab"), stderr=subprocess.STDOUT,
        )
        wait_for(f"http://127.0.0.1:{self.actions_port}/health", self.actions, log_path, limit_s)

    def start_rasa(self, limit_s: float = 720) -> None:
        log_path = self.work_dir / "rasa.log"
        command = [
            str(RASA), "run", "--enable-api", "-i", "127.0.0.1", "-p", str(self.rasa_port),
            "-m", str(RASA_MODEL_DIR), "--endpoints", str(self.write_endpoints()),
        ]
        if self.credentials is not None:
            command += ["--credentials", str(self.credentials)]
        self.rasa = subprocess.Popen(command, cwd=ROOT, env=self._env(), stdout=log_path.open("ab"), stderr=subprocess.STDOUT)
        wait_for(f"{self.rasa_url}/status", self.rasa, log_path, limit_s)

    def stop_rasa(self) -> None:
        stop(self.rasa)
        self.rasa = None

    def stop_actions(self) -> None:
        stop(self.actions)
        self.actions = None

    def stop_all(self) -> None:
        self.stop_rasa()
        self.stop_actions()

    @contextlib.contextmanager
    def running(self) -> Iterator["Stack"]:
        """Start the action server and the Rasa server, and stop both on exit, even after a failure."""
        try:
            self.start_actions()
            self.start_rasa()
            yield self
        finally:
            self.stop_all()

    def say(self, sender: str, message: str) -> list[dict]:
        """Send ``message`` over the REST channel and return the bot's messages."""
        return http_json("POST", f"{self.rasa_url}/webhooks/rest/webhook", {"sender": sender, "message": message})

    def tracker(self, sender: str) -> dict:
        return http_json("GET", f"{self.rasa_url}/conversations/{urllib.parse.quote(sender, safe='')}/tracker")

    def user_texts(self, sender: str) -> list[str]:
        """Return the texts of the user messages stored for ``sender``, oldest first."""
        return [event.get("text") for event in self.tracker(sender)["events"] if event["event"] == "user"]

    def wait_for_turns(self, sender: str, count: int, limit_s: float = 120) -> dict:
        """Wait until ``count`` user messages of ``sender`` are handled and stored; return the tracker.

        Channels send the bot's replies while Rasa handles a message, and Rasa
        stores the tracker afterwards, so a reply can arrive before its turn is
        stored. A handled turn ends with action_listen.
        """
        deadline = time.monotonic() + limit_s
        while True:
            tracker = self.tracker(sender)
            events = tracker["events"]
            handled = sum(event["event"] == "user" for event in events)
            if handled >= count and events[-1]["event"] == "action" and events[-1]["name"] == "action_listen":
                return tracker
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{count} handled user messages of {sender!r} expected within {limit_s:.0f} s, found {handled}"
                )
            time.sleep(0.5)
