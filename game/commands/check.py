"""`tightrope check PATH...`: every problem in the files with file:line:col, a summary, and an exit code."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from game.commands import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Command


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    parser.add_argument("--strict", action="store_true", help="fail on warnings too")
    parser.add_argument("--format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace) -> int:
    from game.library import check_files, scenario_files
    from game.scenario.errors import sort_problems

    missing = [p for p in args.paths if not p.exists()]
    if missing:
        print(f"tightrope check: no such file or folder: {missing[0]}", file=sys.stderr)
        return EXIT_USAGE
    files = scenario_files(args.paths)
    results = check_files(files)
    problems = sort_problems([p for r in results for p in r.problems])
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if args.format == "json":
        report = {
            "files": [str(f) for f in files],
            "errors": errors,
            "warnings": warnings,
            "problems": [p.as_dict() for p in problems],
        }
        print(json.dumps(report, indent=2))
    else:
        for problem in problems:
            print(problem)
        print(
            f"checked {_count(len(files), 'file')}: {_count(errors, 'error')}, {_count(warnings, 'warning')}"
        )
    failed = errors > 0 or (args.strict and warnings > 0)
    return EXIT_PROBLEMS if failed else EXIT_OK


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


COMMAND = Command("check", "validate scenario files and analyse their story graphs", register, run)
