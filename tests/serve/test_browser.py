"""A real browser: Debian's Chromium, headless, driven by Playwright, against the real server.

The terminal is drawn on a canvas, so the test reads what the page received over its websocket into
a terminal emulator, the same bytes xterm.js draws, and keeps a screenshot for a person to look at.
"""

from __future__ import annotations

import codecs
import os
import shutil
import time
from pathlib import Path

import pyte
import pytest

from game.store import open_store
from tests.serve.conftest import SCENARIOS
from tests.serve.harness import running_server

CHROMIUM = os.environ.get("TIGHTROPE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(os.environ.get("TIGHTROPE_SCREENSHOTS", Path(__file__).parent / "screenshots"))
# Flags for a sandboxed root CI run on a machine with no outside network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class Screen:
    def __init__(self, width: int = 100, height: int = 30) -> None:
        self.screen = pyte.Screen(width, height)
        self.stream = pyte.Stream(self.screen)
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def feed(self, payload: bytes | str) -> None:
        if isinstance(payload, bytes):
            self.stream.feed(self.decoder.decode(payload))

    def text(self) -> str:
        return "\n".join(self.screen.display)


def test_a_player_joins_chooses_and_sees_the_explanation_in_chromium(tmp_path: Path) -> None:
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run .ci/run, or apt-get install -y chromium")
    store = tmp_path / "results.sqlite3"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    arguments = ["--scenarios", str(SCENARIOS), "--store", str(store), "--scenario", "tiny"]
    with running_server(arguments) as (url, _), playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 760})
        screen: Screen | None = None
        outside: list[str] = []

        def websocket_opened(socket: object) -> None:
            nonlocal screen
            query = dict(part.split("=", 1) for part in socket.url.split("?", 1)[1].split("&"))  # type: ignore[attr-defined]
            screen = Screen(int(query["width"]), int(query["height"]))
            socket.on("framereceived", lambda frame: screen.feed(frame) if screen else None)  # type: ignore[attr-defined]

        page.on("websocket", websocket_opened)
        page.on(
            "request", lambda request: None if request.url.startswith(url) else outside.append(request.url)
        )

        def wait_for(text: str, timeout: float = 30.0) -> None:
            deadline = time.monotonic() + timeout
            while screen is None or text not in screen.text():
                if time.monotonic() > deadline:
                    shown = screen.text() if screen else "(no terminal yet)"
                    raise AssertionError(f"{text!r} never appeared; screen:\n{shown}")
                page.wait_for_timeout(100)

        page.goto(url + "/")
        assert page.title() == "Tightrope"
        wait_for("Your name, as the facilitator will see it")
        page.focus(".xterm-helper-textarea")  # keyboard focus, without a click landing on a widget
        page.keyboard.type("Ann")
        page.keyboard.press("Enter")
        wait_for("Someone reports a problem")
        page.keyboard.press("1")
        wait_for("Thanks invite more reports")
        page.wait_for_timeout(400)  # let the canvas catch up with the stream before the picture
        page.screenshot(path=str(SCREENSHOTS / "browser-explanation.png"))
        browser.close()
    assert outside == [], f"the page fetched from outside the server: {outside}"
    (run,) = open_store(store).runs()
    assert run.start.player_name == "Ann" and run.decisions == 1
