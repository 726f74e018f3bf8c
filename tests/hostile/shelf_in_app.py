"""The game's picker on a folder of hostile files, as its own process (so that a test can limit its memory):
`python -m tests.hostile.shelf_in_app FOLDER`. Prints one JSON object: what the picker listed, what
happened when each broken entry was picked, and whether the one good scenario then played."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from game.app import TightropeApp
from game.commands.app import load_shelf
from game.screens.picker import PickerScreen
from game.screens.play import PlayScreen


async def visit(folder: Path) -> dict[str, object]:
    entries, note = load_shelf(folder)
    app = TightropeApp(entries, tick_every=None, empty_note=note)
    picked: dict[str, str] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("home")
        for entry in entries:
            if not entry.playable:
                await pilot.press("enter")
                await pilot.pause()
                picked[entry.path.name] = type(app.screen).__name__
            await pilot.press("down")
        playable = [n for n, e in enumerate(entries) if e.playable]
        played = False
        if playable:
            await pilot.press("home", *["down"] * playable[0], "enter")
            await pilot.pause()
            played = isinstance(app.screen, PlayScreen)
        still_picker = all(name == PickerScreen.__name__ for name in picked.values())
    return {
        "entries": [
            {"file": e.path.name, "playable": e.playable, "problem": e.problem, "title": e.title}
            for e in entries
        ],
        "picking_a_broken_entry_stays_on_the_picker": still_picker,
        "the_good_one_plays": played,
    }


def main() -> None:
    print(json.dumps(asyncio.run(visit(Path(sys.argv[1])))))


if __name__ == "__main__":
    main()
