"""The Rasa project files, checked with the Rasa 3.6 command line of .venv-rasa.

``rasa data validate`` runs in seconds. The slow tests train a model into a
temporary folder (Rasa restores unchanged components from its cache), run the
test stories, and start real Rasa and action servers to check replies over REST.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RASA = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"
ENGINE_UNAVAILABLE = "Sorry, I can't reach my recommendation engine right now; please try again in a minute."
GREETING = "Hi! I recommend movies. Tell me what you're in the mood for, or name a film you loved."
DEFAULT_REPLY = (
    "Sorry, I didn't understand that. Tell me a genre, a film you loved, an actor or a decade, "
    "for example 'something like Alien but less scary'."
)
SERVER_START_TIMEOUT_S = 720

pytestmark = pytest.mark.skipif(
    not RASA.exists(), reason=f"Rasa is not installed at {RASA}; create the .venv-rasa environment first"
)


def rasa_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "OMP_NUM_THREADS": env.get("OMP_NUM_THREADS", "2"),
            "TF_CPP_MIN_LOG_LEVEL": "2",
            # Rasa 3.6 reports usage telemetry unless this is false, and tests must not reach any outside host.
            "RASA_TELEMETRY_ENABLED": "false",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        }
    )
    return env


def run_rasa(*args: str, timeout: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(RASA), *args],
        cwd=PROJECT_ROOT,
        env=rasa_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def warning_lines(output: str) -> list[str]:
    """Return the lines of Rasa output that report a warning about the project data."""
    pattern = re.compile(r"UserWarning|\bWARNING\b")
    return [line for line in output.splitlines() if pattern.search(line)]


def test_data_validate_passes_without_warnings():
    result = run_rasa("data", "validate", "--fail-on-warnings", timeout=300)
    output = result.stdout + result.stderr

    assert result.returncode == 0, output[-4000:]
    assert warning_lines(output) == []


def test_warning_filter_catches_rasa_warnings():
    sample = (
        "2026-01-01 10:00:00 WARNING  rasa.validator  - something\n"
        "/x/io.py:100: UserWarning: The utterance 'utter_x' is not used in any story or rule.\n"
        "/x/y.py:3: DeprecationWarning: pkg_resources is deprecated\n"
    )
    assert len(warning_lines(sample)) == 2


# Runs in the Rasa environment (Python 3.10), which the test process cannot import.
POLICY_CHECK = """
import json
import tempfile
from pathlib import Path

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_addons.policies import ActionFailurePolicy, failed_custom_action

domain = Domain.load("domain.yml")
start = [ActionExecuted("action_listen"), UserUttered("recommend a comedy", {"name": "request_recommendation"})]
cases = {
    "failed": start + [ActionExecuted("action_recommend")],
    "uttered": start + [ActionExecuted("action_recommend"), BotUttered("Here are three comedies")],
    "slot_only": start + [ActionExecuted("action_recommend"), SlotSet("profile", None)],
    "response": start + [ActionExecuted("utter_greet")],
    "form": start + [ActionExecuted("preference_form")],
    "user_only": start,
}
found = {
    name: failed_custom_action(DialogueStateTracker.from_events("t", events), domain)
    for name, events in cases.items()
}
storage = LocalModelStorage(Path(tempfile.mkdtemp()))
policy = ActionFailurePolicy.create(
    ActionFailurePolicy.get_default_config(), storage, Resource("failure"), ExecutionContext(GraphSchema({}), "test")
)
predictions = {}
for name in ("failed", "uttered"):
    prediction = policy.predict_action_probabilities(DialogueStateTracker.from_events("t", cases[name]), domain)
    best = prediction.max_confidence_index
    predictions[name] = {
        "action": domain.action_names_or_texts[best] if prediction.max_confidence > 0 else None,
        "confidence": prediction.max_confidence,
        "no_user": prediction.is_no_user_prediction,
        "priority": prediction.policy_priority,
    }
print(json.dumps({"found": found, "predictions": predictions}))
"""


def test_failure_policy_detects_failed_action(tmp_path: Path):
    script = tmp_path / "policy_check.py"
    script.write_text(POLICY_CHECK)
    env = rasa_env()
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    result = subprocess.run(
        [str(RASA.parent / "python"), str(script)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])

    assert report["found"] == {
        "failed": "action_recommend",
        "uttered": None,
        "slot_only": None,
        "response": None,
        "form": None,
        "user_only": None,
    }
    assert report["predictions"]["failed"] == {
        "action": "utter_engine_unavailable",
        "confidence": 1.0,
        "no_user": True,
        "priority": 7,
    }
    assert report["predictions"]["uttered"]["action"] is None


# -- slow: trained model --------------------------------------------------------


@pytest.fixture(scope="module")
def rasa_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Train a model of the current project files into a temporary folder and return its path.

    Rasa 3.6 restores unchanged components from its cache (.rasa/), so this
    takes a minute or two when only stories or rules changed.
    """
    out_dir = tmp_path_factory.mktemp("rasa-model")
    result = run_rasa("train", "--out", str(out_dir), timeout=1800)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    match = re.search(r"trained and saved at '([^']+\.tar\.gz)'", output)
    assert match, f"no model path in the output of rasa train:\n{output[-4000:]}"
    return Path(match.group(1))


@pytest.mark.slow
def test_stories_pass(rasa_model: Path, tmp_path: Path):
    result = run_rasa(
        "test",
        "core",
        "--model",
        str(rasa_model),
        "--stories",
        "tests/test_stories.yml",
        "--out",
        str(tmp_path),
        "--fail-on-prediction-errors",
        timeout=900,
    )
    output = result.stdout + result.stderr
    failed = tmp_path / "failed_test_stories.yml"

    assert result.returncode == 0, output[-4000:]
    assert failed.exists()
    assert "None of the test stories failed" in failed.read_text(), failed.read_text()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def post_message(port: int, sender: str, text: str) -> list[dict]:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=300) as response:
        return json.loads(response.read())


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def texts(messages: list[dict]) -> list[str]:
    return [message["text"] for message in messages if message.get("text")]


def shown_items(messages: list[dict]) -> list[dict]:
    return [item for message in messages if message.get("custom") for item in message["custom"]["items"]]


def start_server(command: list[str], env: dict[str, str], ready_url: str, log_path: Path) -> subprocess.Popen:
    """Start a server process and wait until ``ready_url`` returns status 200."""
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while True:
        if process.poll() is not None:
            pytest.fail(f"{command[0]} exited with {process.returncode}:\n{log_path.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(ready_url, timeout=5) as response:
                if response.status == 200:
                    return process
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            stop_server(process)
            pytest.fail(f"{ready_url} did not answer within {SERVER_START_TIMEOUT_S} s:\n{log_path.read_text()[-4000:]}")
        time.sleep(2)


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)


def start_rasa(model: Path, endpoints: Path, log_path: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    command = [
        str(RASA), "run", "--enable-api", "-i", "127.0.0.1", "-p", str(port),
        "-m", str(model), "--endpoints", str(endpoints), "--credentials", "credentials.yml",
    ]
    return start_server(command, rasa_env(), f"http://127.0.0.1:{port}/status", log_path), port


@pytest.fixture(scope="module")
def server_without_actions(rasa_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """Start a Rasa server whose action endpoint is a local port with nothing listening."""
    work = tmp_path_factory.mktemp("rasa-no-actions")
    endpoints = work / "endpoints.yml"
    endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{free_port()}/webhook"\n')
    process, port = start_rasa(rasa_model, endpoints, work / "rasa.log")
    yield port
    stop_server(process)


@pytest.mark.slow
def test_action_server_down_gets_apology(server_without_actions: int):
    replies = texts(post_message(server_without_actions, "down-1", "recommend a comedy from the 90s"))

    assert replies == [ENGINE_UNAVAILABLE]


@pytest.mark.slow
def test_action_server_down_conversation_goes_on(server_without_actions: int):
    first = texts(post_message(server_without_actions, "down-2", "the second one looks great"))
    second = texts(post_message(server_without_actions, "down-2", "hello"))

    assert first == [ENGINE_UNAVAILABLE]
    assert second == [GREETING]


@pytest.mark.slow
@pytest.mark.parametrize("text", ["", "   ", "🍿🎬🤔", "?!"])
def test_message_without_words_gets_fallback(server_without_actions: int, text: str):
    replies = texts(post_message(server_without_actions, "no-words", text))

    assert replies == [DEFAULT_REPLY]


# -- slow: Rasa server and action server together ----------------------------------


@pytest.fixture(scope="module")
def action_server(
    tiny_index_dir: Path, tiny_embedder_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[int]:
    """Start the action server over the tiny catalog, embedder and index from conftest.py."""
    work = tmp_path_factory.mktemp("action-server")
    models_dir = work / "models"
    models_dir.mkdir()
    (models_dir / "index").symlink_to(tiny_index_dir, target_is_directory=True)
    env = rasa_env()
    env.update(
        {
            "SANIC_HOST": "127.0.0.1",
            "BOT_CATALOG": str(PROJECT_ROOT / "tests" / "fixtures" / "tiny_catalog.jsonl"),
            "BOT_MODELS_DIR": str(models_dir),
            "BOT_EMBEDDER": str(tiny_embedder_path),
            "BOT_FEEDBACK_DB": f"sqlite:///{work / 'feedback.db'}",
            "BOT_WRITER": "template",
        }
    )
    port = free_port()
    command = [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)]
    process = start_server(command, env, f"http://127.0.0.1:{port}/health", work / "actions.log")
    yield port
    stop_server(process)


@pytest.mark.slow
def test_conversation_survives_rasa_restart(rasa_model: Path, action_server: int, tmp_path: Path):
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_server}/webhook"\n'
        f'tracker_store:\n  type: SQL\n  dialect: "sqlite"\n  db: "{tmp_path / "tracker.db"}"\n'
    )
    process, port = start_rasa(rasa_model, endpoints, tmp_path / "rasa-1.log")
    try:
        first = post_message(port, "stack-1", "something like Alien but less scary, maybe from the 80s")
        second = post_message(port, "stack-1", "I've seen the first one, and the second sounds boring")
    finally:
        stop_server(process)

    first_items = shown_items(first)
    second_items = shown_items(second)
    assert len(texts(first)) == 1
    assert len(first_items) == 3
    assert len(second_items) == 3
    assert not {item["id"] for item in first_items[:2]} & {item["id"] for item in second_items}

    process, port = start_rasa(rasa_model, endpoints, tmp_path / "rasa-2.log")
    try:
        why = texts(post_message(port, "stack-1", "why the second one?"))
        tracker = get_json(f"http://127.0.0.1:{port}/conversations/stack-1/tracker")
    finally:
        stop_server(process)

    assert len(why) == 1
    assert second_items[1]["title"] in why[0]
    assert tracker["slots"]["profile"]["seen"] == [first_items[0]["id"]]
    assert tracker["slots"]["profile"]["disliked"] == [first_items[1]["id"]]


@pytest.mark.slow
def test_hard_messages_get_replies(rasa_model: Path, action_server: int, tmp_path: Path):
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{action_server}/webhook"\n')
    process, port = start_rasa(rasa_model, endpoints, tmp_path / "rasa.log")
    try:
        long_text = "something like Alien but less scary " + "really " * 3000
        replies = {
            "feedback first": texts(post_message(port, "hard-1", "the second one looks great")),
            "non-English": texts(post_message(port, "hard-2", "quiero ver una película de terror por favor")),
            "unknown title": texts(post_message(port, "hard-3", "something like Zzyzxqwv Plonk")),
            "20,000 characters": texts(post_message(port, "hard-4", long_text)),
        }
        post_message(port, "hard-5", "a comedy from the 80s")
        replies["fifth of three"] = texts(post_message(port, "hard-5", "the fifth one looks great"))
    finally:
        stop_server(process)

    for case, case_replies in replies.items():
        assert len(case_replies) == 1, (case, case_replies)
        assert ENGINE_UNAVAILABLE not in case_replies, case
    assert "haven't recommended anything" in replies["feedback first"][0]
    assert "English" in replies["non-English"][0]
    assert "Zzyzxqwv" in replies["unknown title"][0]
    assert "fifth" in replies["fifth of three"][0]
