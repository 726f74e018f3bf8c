"""This machine's player id: a random id made once and kept in the data folder, so terminal runs of the
same person group together in the results store without asking anyone for an e-mail address."""

from __future__ import annotations

import secrets
from pathlib import Path

from game.paths import data_dir


def local_player_id(folder: Path | None = None) -> str:
    path = (folder or data_dir()) / "player-id"
    try:
        existing = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        existing = ""
    if len(existing) == 32 and all(c in "0123456789abcdef" for c in existing):
        return existing
    player_id = secrets.token_hex(16)
    try:
        from game.saves import atomic_write

        atomic_write(path, player_id + "\n")
    except OSError:
        pass  # an id for this session only is still better than none
    return player_id
