"""`play FILE --watch`: edit → reload in place → a broken edit shows its errors and play goes on → fixed."""

from __future__ import annotations

from pathlib import Path

import pytest

from game.scenario import load_file
from game.screens.play import PlayScreen
from game.watch_app import WatchingApp
from scoring import load_catalogue

TINY = Path(__file__).parent.parent / "fixtures" / "tiny.yaml"


async def test_edit_reload_break_and_fix_while_playing(
    tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "draft.yaml"
    path.write_text(TINY.read_text())
    scenario = load_file(path, load_catalogue()).scenario
    assert scenario is not None
    app = WatchingApp([], path=path, scenario=scenario, poll_every=None, tick_every=None, data=home)
    notes: list[tuple[str, str]] = []
    monkeypatch.setattr(
        app, "notify", lambda message, **kw: notes.append((kw.get("severity", "information"), message))
    )

    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen) and app.screen.explaining
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen) and app.screen.state.scene == "second"

        # An edit to the scene on screen: the player stays where they were, in the new text.
        path.write_text(TINY.read_text().replace("What now?", "What happens next?"))
        app.check_for_changes()
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)
        assert app.screen.state.scene == "second" and len(app.screen.state.history) == 1
        assert app.screen.engine.scene(app.screen.state).text == "What happens next?"
        assert notes[-1] == ("information", "Reloaded: you are where you were.")

        # A broken edit: the errors are shown with file:line and the last good version plays on.
        path.write_text(TINY.read_text().replace("    text: What now?", "    txt: What now?"))
        app.check_for_changes()
        await pilot.pause()
        severity, message = notes[-1]
        assert severity == "error"
        assert f"{path}:27:5: error: unknown key 'txt' (did you mean 'text'?)" in message
        assert app.broken and isinstance(app.screen, PlayScreen)
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen) and app.screen.explaining
        await pilot.press("enter")
        await pilot.pause()

        # Fixed: it reloads; the run finished meanwhile, so the debrief stays as it is.
        path.write_text(TINY.read_text())
        app.check_for_changes()
        await pilot.pause()
        assert not app.broken
