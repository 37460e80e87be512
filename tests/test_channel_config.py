"""Channel settings: credentials.yml, credentials.example.yml and invalid settings, read by Rasa itself."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.stack import RASA, ROOT

pytestmark = pytest.mark.slow

# Runs in .venv-rasa: builds every channel of each credentials file the way
# `rasa run --credentials FILE` does, then the invalid cases, and prints one
# JSON object with the outcomes.
CHECK_SCRIPT = """
import json
from rasa.core.run import create_http_input_channels
from channels.slack import SlackEventsInput
from channels.telegram import TelegramWebhookInput
from channels.socketio import WebChatInput

SETTINGS = ["slack_token", "slack_signing_secret", "access_token", "verify", "webhook_url", "secret_token",
            "cors_allowed_origins", "session_persistence"]

# Returns {class path: {setting: value}} for each channel of a credentials file.
def build(path):
    try:
        channels = create_http_input_channels(None, path)
    except Exception as error:
        return "failed: " + type(error).__name__ + ": " + str(error)
    return {
        type(channel).__module__ + "." + type(channel).__name__:
            {name: getattr(channel, name) for name in SETTINGS if hasattr(channel, name)}
        for channel in channels
    }

def error_of(factory, credentials):
    try:
        factory(credentials)
    except Exception as error:
        return type(error).__name__ + ": " + str(error)
    return None

telegram = {"access_token": "123:abc", "verify": "bot", "webhook_url": "https://x/webhooks/telegram/webhook",
            "secret_token": "s3cret"}
slack = {"slack_token": "xoxb-1", "slack_signing_secret": "secret"}
print(json.dumps({
    "credentials.yml": build("credentials.yml"),
    "credentials.example.yml": build("credentials.example.yml"),
    "slack without signing secret": error_of(SlackEventsInput.from_credentials, {"slack_token": "xoxb-1"}),
    "slack without token": error_of(SlackEventsInput.from_credentials, {"slack_signing_secret": "secret"}),
    "slack": error_of(SlackEventsInput.from_credentials, slack),
    "telegram without secret": error_of(TelegramWebhookInput.from_credentials, {**telegram, "secret_token": None}),
    "telegram with invalid secret": error_of(
        TelegramWebhookInput.from_credentials, {**telegram, "secret_token": "a b"}
    ),
    "telegram without webhook url": error_of(TelegramWebhookInput.from_credentials, {**telegram, "webhook_url": None}),
    "telegram without token": error_of(TelegramWebhookInput.from_credentials, {**telegram, "access_token": None}),
    "telegram with invalid token": error_of(
        TelegramWebhookInput.from_credentials, {**telegram, "access_token": "not a token"}
    ),
    "telegram": error_of(TelegramWebhookInput.from_credentials, telegram),
    "web chat with invalid origins": error_of(WebChatInput.from_credentials, {"cors_allowed_origins": [1]}),
}))
"""

EXAMPLE_VARIABLES = {
    "WEBCHAT_ORIGIN": "https://movies.example.org",
    "SLACK_TOKEN": "xoxb-0000-example",
    "SLACK_SIGNING_SECRET": "example-signing-secret",
    "TELEGRAM_TOKEN": "123456789:AAexample",
    "TELEGRAM_BOT_USERNAME": "example_bot",
    "PUBLIC_HOST": "bot.example.org",
    "TELEGRAM_SECRET_TOKEN": "example-secret_token",
}


@pytest.fixture(scope="module")
def outcomes() -> dict:
    if not RASA.exists():
        pytest.skip("The Rasa environment .venv-rasa is missing; run scripts/setup.sh")
    env = {name: value for name, value in os.environ.items() if name not in EXAMPLE_VARIABLES}
    # credentials.yml must load with none of the variables set, and the example with all of them.
    completed = subprocess.run(
        [str(RASA.parent / "python"), "-c", CHECK_SCRIPT.replace('build("credentials.example.yml")', "None")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false"},
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    without_variables = json.loads(completed.stdout.strip().splitlines()[-1])
    completed = subprocess.run(
        [str(RASA.parent / "python"), "-c", CHECK_SCRIPT],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**env, **EXAMPLE_VARIABLES, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false"},
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    with_variables = json.loads(completed.stdout.strip().splitlines()[-1])
    return {"without variables": without_variables, "with variables": with_variables}


def test_credentials_load_without_variables(outcomes):
    channels = outcomes["without variables"]["credentials.yml"]
    assert list(channels) == ["rasa.core.channels.rest.RestInput", "channels.socketio.WebChatInput"]
    assert channels["channels.socketio.WebChatInput"]["session_persistence"] is True


def test_example_credentials_read_variables(outcomes):
    channels = outcomes["with variables"]["credentials.example.yml"]
    assert list(channels) == [
        "rasa.core.channels.rest.RestInput",
        "channels.socketio.WebChatInput",
        "channels.slack.SlackEventsInput",
        "channels.telegram.TelegramWebhookInput",
    ]
    assert channels["channels.socketio.WebChatInput"]["cors_allowed_origins"] == [EXAMPLE_VARIABLES["WEBCHAT_ORIGIN"]]
    slack = channels["channels.slack.SlackEventsInput"]
    assert slack["slack_token"] == EXAMPLE_VARIABLES["SLACK_TOKEN"]
    assert slack["slack_signing_secret"] == EXAMPLE_VARIABLES["SLACK_SIGNING_SECRET"]
    telegram = channels["channels.telegram.TelegramWebhookInput"]
    assert telegram["access_token"] == EXAMPLE_VARIABLES["TELEGRAM_TOKEN"]
    assert telegram["verify"] == EXAMPLE_VARIABLES["TELEGRAM_BOT_USERNAME"]
    assert telegram["secret_token"] == EXAMPLE_VARIABLES["TELEGRAM_SECRET_TOKEN"]
    assert telegram["webhook_url"] == f"https://{EXAMPLE_VARIABLES['PUBLIC_HOST']}/webhooks/telegram/webhook"


@pytest.mark.parametrize("case", ["slack", "telegram"])
def test_valid_settings_accepted(outcomes, case):
    assert outcomes["with variables"][case] is None


@pytest.mark.parametrize(
    "case, expected",
    [
        ("slack without signing secret", "slack_signing_secret"),
        ("slack without token", "slack_token"),
        ("telegram without secret", "secret_token"),
        ("telegram with invalid secret", "secret_token"),
        ("telegram without webhook url", "webhook_url"),
        ("telegram without token", "access_token"),
        ("telegram with invalid token", "access_token"),
        ("web chat with invalid origins", "cors_allowed_origins"),
    ],
)
def test_invalid_settings_rejected(outcomes, case, expected):
    error = outcomes["with variables"][case]
    assert error is not None, f"{case} was accepted"
    assert expected in error
