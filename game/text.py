"""Making untrusted text safe to show: no terminal escape sequences, no control characters."""

from __future__ import annotations

import re

# CSI and OSC sequences first, so their parameters do not survive as stray printable characters.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` with escape sequences and control characters removed; newlines and tabs kept."""
    return _CONTROLS.sub("", _ESCAPES.sub("", text.replace("\r\n", "\n")))
