"""`tightrope new ID`: write a small, valid, commented scenario to start from, and never overwrite one."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from game.commands import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Command


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", metavar="ID", help="the new scenario's id, like 'late-release'")
    parser.add_argument(
        "--dir",
        type=Path,
        default=Path("scenarios"),
        metavar="DIR",
        help="folder to write ID.yaml in (default: scenarios/)",
    )


def run(args: argparse.Namespace) -> int:
    from game.authoring.scaffold import is_slug, schema_reference, starter

    if not is_slug(args.id):
        print(
            f"tightrope new: {args.id!r} is not a valid id: use lowercase letters, digits and hyphens, "
            "like 'late-release'",
            file=sys.stderr,
        )
        return EXIT_USAGE
    folder: Path = args.dir
    path = folder / f"{args.id}.yaml"
    if path.exists():
        print(
            f"tightrope new: {path} already exists: choose another id, or move that file first",
            file=sys.stderr,
        )
        return EXIT_PROBLEMS
    text = starter(args.id, schema_reference(folder), path.as_posix())
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # "x" creates the file only if it does not exist, so a file appearing meanwhile is not lost.
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        print(
            f"tightrope new: {path} already exists: choose another id, or move that file first",
            file=sys.stderr,
        )
        return EXIT_PROBLEMS
    except OSError as exc:
        print(f"tightrope new: cannot write {path}: {exc.strerror}", file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"wrote {path}")
    print(f"next: edit it, then `tightrope check {path} --strict` and `tightrope graph {path} --format text`")
    return EXIT_OK


COMMAND = Command("new", "write a new scenario file to start from", register, run)
