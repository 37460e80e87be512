"""The web chat page in headless Chromium against the real Rasa and action servers.

Chromium comes from Debian's ``chromium`` package; Playwright only drives it
and never downloads a browser. Set BOT_WEBCHAT_SCREENSHOT to a path (such as
docs/img/webchat.png) to save a screenshot of the conversation there.
"""

from __future__ import annotations

import functools
import os
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.catalog import load_catalog
from bot.feedback import FeedbackStore
from bot.settings import Settings
from tests.stack import ROOT, Stack, free_port, missing_artifacts

pytestmark = [pytest.mark.fullstack, pytest.mark.slow, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPLY_TIMEOUT_MS = 180_000
BOT_ITEMS = ".chat-message.from-bot .chat-items"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass


@pytest.fixture(scope="module")
def page_url():
    """Serve web/ on 127.0.0.1 as scripts/web.sh does."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(ROOT / "web")))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found; install Debian's chromium package (apt-get install chromium)")
    playwright = playwright_api.sync_playwright().start()
    try:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()
    finally:
        playwright.stop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    reason = missing_artifacts()
    if reason:
        pytest.skip(reason)
    # The project's own credentials.yml, which enables the Socket.IO channel.
    running = Stack(work_dir=tmp_path_factory.mktemp("webchat"), credentials=ROOT / "credentials.yml")
    try:
        running.start_actions()
        running.start_rasa()
        yield running
    finally:
        running.stop_all()


@pytest.fixture(scope="module")
def page(browser, stack, page_url):
    context = browser.new_context(viewport={"width": 900, "height": 1000})
    opened = context.new_page()
    opened.goto(f"{page_url}?server={stack.rasa_url}")
    yield opened
    context.close()


def wait_online(page) -> None:
    page.wait_for_selector('.chat-status[data-state="online"]', timeout=60_000)


def send(page, text: str) -> None:
    page.fill(".chat-input", text)
    page.press(".chat-input", "Enter")


def item_lists(page) -> list[list[str]]:
    """Return the item ids of every recommendation list on the page, oldest first."""
    return page.eval_on_selector_all(
        BOT_ITEMS, "lists => lists.map(list => [...list.querySelectorAll('.chat-item')].map(row => row.dataset.itemId))"
    )


def test_recommend_dislike_and_reload(page, stack):
    catalog = load_catalog(Settings().catalog_path)
    wait_online(page)
    session_id = page.evaluate("localStorage.getItem('moviebot.session_id')")
    assert session_id

    # A preference gets recommendations from the catalog, with buttons.
    send(page, "something like Alien but less scary, from the 80s")
    page.wait_for_selector(f"{BOT_ITEMS} .chat-item", timeout=REPLY_TIMEOUT_MS)
    first = item_lists(page)[0]
    assert len(first) == 3
    reply_text = page.inner_text(".chat-message.from-bot:last-child .chat-text")
    for item_id in first:
        item = catalog.get(item_id)
        assert item is not None, f"{item_id} is not a catalog item"
        assert item.title in reply_text
    assert page.locator(f'{BOT_ITEMS} .chat-item button[data-signal="dislike"]').count() == 3

    # 👎 on the second item replaces the list.
    page.click(f'{BOT_ITEMS} .chat-item[data-item-id="{first[1]}"] button[data-signal="dislike"]')
    page.wait_for_function(f"document.querySelectorAll('{BOT_ITEMS}').length >= 2", timeout=REPLY_TIMEOUT_MS)
    second = item_lists(page)[1]
    assert second
    assert first[1] not in second
    assert page.locator(f"{BOT_ITEMS} >> nth=0 >> button:enabled").count() == 0, "the old list's buttons are disabled"

    # The press is stored as feedback for this conversation.
    events = FeedbackStore(stack.feedback_url).events(session_id)
    assert [(event.item_id, event.signal) for event in events] == [(first[1], "dislike")]

    screenshot = os.environ.get("BOT_WEBCHAT_SCREENSHOT")
    if screenshot:
        page.screenshot(path=screenshot, full_page=False)

    # After a reload the transcript is back and the server continues the same conversation.
    transcript = page.inner_text(".chat-log")
    page.reload()
    wait_online(page)
    assert page.evaluate("localStorage.getItem('moviebot.session_id')") == session_id
    assert page.inner_text(".chat-log") == transcript
    assert item_lists(page) == [first, second]
    assert page.locator(".chat-action.chosen").count() == 1

    send(page, "I've seen the first one")
    page.wait_for_function(f"document.querySelectorAll('{BOT_ITEMS}').length >= 3", timeout=REPLY_TIMEOUT_MS)
    events = FeedbackStore(stack.feedback_url).events(session_id)
    assert [(event.item_id, event.signal) for event in events] == [(first[1], "dislike"), (second[0], "seen")]
    stack.wait_for_turns(session_id, 3)
    assert stack.user_texts(session_id)[0] == "something like Alien but less scary, from the 80s"


def test_unreachable_server_shows_status(browser, page_url, page, stack):
    context = browser.new_context()
    unreachable = context.new_page()
    try:
        unreachable.goto(f"{page_url}?server=http://127.0.0.1:{free_port()}")
        unreachable.wait_for_selector('.chat-status[data-state="offline"]', timeout=30_000)
        assert "Can't reach the bot" in unreachable.inner_text(".chat-status-text")
        assert unreachable.is_visible(".chat-retry")
        assert unreachable.is_disabled(".chat-input")
    finally:
        context.close()

    # The connected page notices when the Rasa server goes down.
    wait_online(page)
    stack.stop_rasa()
    page.wait_for_selector('.chat-status[data-state="offline"]', timeout=60_000)
    assert page.is_disabled(".chat-input")
    assert page.is_visible(".chat-retry")
