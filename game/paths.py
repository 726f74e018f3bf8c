"""Where the shipped scenarios and assets are, in a source checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def shipped(name: str) -> Path:
    """`shipped("scenarios")` or `shipped("assets")`: inside the wheel, or at the repository root."""
    installed = _PACKAGE / "_shipped" / name
    return installed if installed.is_dir() else _PACKAGE.parent / name


DATA_DIR_ENV = "TIGHTROPE_HOME"


def data_dir() -> Path:
    """Where saves, the profile and the results store live: `$TIGHTROPE_HOME`, else the platform's
    user data folder. Tests and cohort machines point the variable somewhere of their own."""
    import os

    from platformdirs import user_data_dir

    override = os.environ.get(DATA_DIR_ENV)
    return Path(override) if override else Path(user_data_dir("tightrope", appauthor=False))
