"""Making untrusted text safe to show: no terminal escape sequences, no control characters."""

from __future__ import annotations

import re

# Sequences first, so that their parameters do not survive as stray printable characters: CSI (7- and
# 8-bit), then the string sequences (OSC, DCS, SOS, PM, APC) up to their terminator or the end of the
# line, then any other escape. The control characters left after that are removed one by one.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
# C0 and C1 controls except newline and tab, DEL, and the bidirectional overrides and isolates that
# can make text read differently from what it is ("Trojan Source").
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` with escape sequences and control characters removed; newlines and tabs kept."""
    if text.isprintable():
        return text
    return _CONTROLS.sub("", _ESCAPES.sub("", text.replace("\r\n", "\n")))


def shortened(text: str, limit: int = 60) -> str:
    """`text` cut to `limit` characters, ending in … where it was cut: a message quotes, never floods."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quoted(value: object, limit: int = 60) -> str:
    """`repr(value)` for a message, cut to `limit` characters."""
    return shortened(repr(value), limit)
