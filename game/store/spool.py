"""Writes waiting for a database that is away, kept in a local file so that a crash does not lose them.

Each open store that has had to wait keeps one spool file, one JSON line per write, and holds an
exclusive `flock` on it for as long as it lives. A file whose lock can be taken therefore belongs to a
process that has gone (crashed, killed, or closed while the database was still away): the next store
that opens the same database adopts its writes and deletes it. Writes are idempotent, so a write that
reaches the database twice (once before a crash, once from the spool) is harmless.

The spool is a safety net, not the queue itself: the queue lives in memory and a spool that cannot be
written (read-only folder, full disk, a platform without `flock`) leaves the store working without it.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

from game.store.base import DecisionRow, Listing, RunFinish, RunStart
from game.store.sql import Write

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no spool, the queue stays in memory only
    fcntl = None  # type: ignore[assignment]

_KINDS: dict[str, type[RunStart] | type[DecisionRow] | type[RunFinish] | type[Listing]] = {
    "start": RunStart,
    "decision": DecisionRow,
    "finish": RunFinish,
    "listing": Listing,
}
_KIND_OF = {cls: kind for kind, cls in _KINDS.items()}


def encode(write: Write) -> str:
    return json.dumps({"kind": _KIND_OF[type(write)], "row": asdict(write)}, separators=(",", ":"))


def decode(line: str) -> Write | None:
    """The write on one spool line, or None for a line a crash cut short."""
    try:
        data = json.loads(line)
        return _KINDS[data["kind"]](**data["row"])
    except (ValueError, KeyError, TypeError):
        return None


def _try_lock(file: IO[Any]) -> bool:
    if fcntl is None:
        return False
    try:
        fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


class Spool:
    """This store's spool file for one database, created the first time a write has to wait."""

    def __init__(self, folder: Path, key: str) -> None:
        self.folder = folder
        self.key = key
        self.path: Path | None = None
        self._file: IO[str] | None = None
        self._lines = 0
        self.enabled = fcntl is not None

    def append(self, writes: Sequence[Write]) -> None:
        """Add writes to the end of the file and sync it; a spool that cannot be written turns itself off."""
        if not self.enabled or not writes:
            return
        try:
            file = self._file or self._create()
            file.write("".join(encode(write) + "\n" for write in writes))
            file.flush()
            os.fsync(file.fileno())
            self._lines += len(writes)
        except OSError:
            self.enabled = False

    def clear(self) -> None:
        """Every spooled write has reached the database."""
        if self._file is None or not self._lines:
            return
        try:
            self._file.seek(0)
            self._file.truncate()
            self._lines = 0
        except OSError:
            self.enabled = False

    def close(self) -> None:
        """Release the file: deleted when empty, left for the next store to adopt when not."""
        if self._file is None:
            return
        if not self._lines and self.path is not None:
            self.path.unlink(missing_ok=True)
        self._file.close()  # closing releases the lock
        self._file = None

    def adopt_orphans(self) -> list[Write]:
        """The writes of spool files left by stores that are gone, in file order; the files are deleted.

        Call `append` with the result before anything else, so the writes are on disk again (in this
        store's own file) before the orphans are deleted.
        """
        if not self.enabled:
            return []
        adopted: list[Write] = []
        orphans: list[tuple[Path, IO[str]]] = []
        for path in sorted(self.folder.glob(f"{self.key}-*.jsonl")):
            try:
                file = path.open("r", encoding="utf-8")
            except OSError:
                continue
            if not _try_lock(file):
                file.close()  # a live store's file
                continue
            orphans.append((path, file))
            adopted.extend(w for w in map(decode, file) if w is not None)
        self.append(adopted)
        for orphan_path, orphan in orphans:
            if self.enabled or not adopted:  # only once the writes are safe in this store's own file
                orphan_path.unlink(missing_ok=True)
            orphan.close()
        return adopted

    def _create(self) -> IO[str]:
        # Made under a hidden name, locked, then renamed: another store only ever sees it locked.
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{self.key}-{os.getpid()}-{secrets.token_hex(4)}.jsonl"
        hidden = self.folder / f".{name}.new"
        file = hidden.open("w+", encoding="utf-8")
        if not _try_lock(file):
            file.close()
            hidden.unlink(missing_ok=True)
            raise OSError("cannot lock a new spool file")
        hidden.replace(self.folder / name)
        self.path = self.folder / name
        self._file = file
        return file
