"""Live preview for authors: notice when a scenario file changes and carry the run over to the new version.

Polling is enough here: one file, checked a few times a second, works the same on every platform and
in a container, and needs no dependency. A change is a new (size, mtime, content hash); an editor that
rewrites the file with identical bytes causes no reload.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from game.engine import ChoiceError, Engine, RunState


@dataclass(frozen=True, slots=True)
class Fingerprint:
    size: int
    mtime_ns: int
    digest: bytes


def fingerprint(path: Path) -> Fingerprint | None:
    """None while the file is missing or unreadable (an editor mid-save), so the next poll retries."""
    try:
        stat = path.stat()
        digest = hashlib.blake2b(path.read_bytes(), digest_size=16).digest()
    except OSError:
        return None
    return Fingerprint(stat.st_size, stat.st_mtime_ns, digest)


class FileWatch:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.last = fingerprint(path)

    def changed(self) -> bool:
        current = fingerprint(self.path)
        if current is None or current == self.last:
            return False
        content_changed = self.last is None or current.digest != self.last.digest
        self.last = current
        return content_changed


def carry_over(state: RunState, engine: Engine) -> tuple[RunState, str]:
    """The run continued in the reloaded scenario, and a line saying what happened to it.

    The moves so far are replayed when the new version still allows them; otherwise, if the current
    scene still exists, the player stays there with the meters and flags they had; otherwise the
    run starts again.
    """
    try:
        replayed, _ = engine.replay(state.history)
        if replayed.scene == state.scene:
            return replayed, "Reloaded: you are where you were."
    except ChoiceError:
        pass
    if state.scene in engine.scenario.scenes and not engine.scenario.scenes[state.scene].is_ending:
        kept = RunState(
            scenario_id=engine.scenario.id,
            scene=state.scene,
            meters=state.meters,
            flags=state.flags,
        )
        return kept, "Reloaded: the earlier choices changed, so the history restarts here."
    return engine.start(), f"Reloaded: scene {state.scene!r} is gone, so the scenario restarts."
