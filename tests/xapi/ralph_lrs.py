"""Runs Ralph's LRS with its filesystem backend, in Ralph's own venv: `python ralph_lrs.py HOST PORT`.

Settings come from the environment as Ralph reads them (RALPH_AUTH_FILE, RALPH_RUNSERVER_BACKEND=fs,
RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH). One change, to storage only: Ralph's filesystem
backend creates its statements file on every write and refuses any write once the file exists
(5.1.0: "already exists and overwrite is not allowed"), so an LRS on it takes one POST in its life.
Here it appends instead, as its APPEND operation does. Validation, the duplicate and conflict checks
and reading statements back are Ralph's own, unchanged.
"""

from __future__ import annotations

import sys

# Ralph's venv has these; the game's does not.
import uvicorn  # type: ignore[import-not-found, unused-ignore]
from ralph.backends.data.base import BaseOperationType  # type: ignore[import-not-found, unused-ignore]
from ralph.backends.lrs.fs import FSLRSBackend  # type: ignore[import-not-found, unused-ignore]


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    FSLRSBackend.default_operation_type = BaseOperationType.APPEND
    # No reloader or workers: the app is imported in this process, so the change above holds.
    uvicorn.run("ralph.api:app", host=host, port=port, log_level="warning")


if __name__ == "__main__":
    main()
