"""A player's process as the Textual game is one, minus the screen: `python -m tests.hostile.save_worker
SCENARIO SAVES`. It resumes the saved run as `TightropeApp.start` does, then for each choice number on
stdin makes the move and writes the save as `PlayScreen._save` does, after every choice. It prints
`at N` when ready (N moves made) and `saved N` after each save, so that a test can kill it anywhere."""

from __future__ import annotations

import sys
from pathlib import Path

from game.engine import Engine
from game.library import check_file
from game.saves import SavedRun, Saves


def main() -> None:
    scenario = check_file(Path(sys.argv[1])).loaded.scenario
    assert scenario is not None
    saves = Saves(Path(sys.argv[2]))
    engine = Engine(scenario)
    read = saves.load(scenario.id)
    if read.problem:
        print(f"problem {read.problem}", flush=True)
    state = engine.replay(read.value.moves)[0] if read.value is not None else engine.start()
    print(f"at {len(state.history)}", flush=True)
    for line in sys.stdin:
        choice = engine.available(state)[int(line) - 1]
        state = engine.choose(state, choice.key).state
        saves.write(SavedRun(scenario_id=state.scenario_id, moves=state.history, baseline=None))
        if engine.is_over(state):
            saves.discard(scenario.id)  # as the game does when the run reaches its ending
            print("finished", flush=True)
            return
        print(f"saved {len(state.history)}", flush=True)


if __name__ == "__main__":
    main()
