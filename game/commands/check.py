"""`tightrope check PATH...`: every problem in the files with file:line:col, a summary, and an exit code.

With `--report`, each valid file's balance report follows: endings, choices and one-sided players.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from game.commands import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Command

if TYPE_CHECKING:
    from game.balance import BalanceReport
    from game.library import Checked


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    parser.add_argument("--strict", action="store_true", help="fail on warnings too")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--report",
        action="store_true",
        help="add each valid file's balance report: endings, choices, one-sided players",
    )


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
        if args.report:
            report["reports"] = [_balance(checked).as_dict() for checked in results if _balanced(checked)]
        print(json.dumps(report, indent=2))
    else:
        for problem in problems:
            print(problem)
        print(
            f"checked {_count(len(files), 'file')}: {_count(errors, 'error')}, {_count(warnings, 'warning')}"
        )
        if args.report:
            _print_reports(results)
    failed = errors > 0 or (args.strict and warnings > 0)
    return EXIT_PROBLEMS if failed else EXIT_OK


def _balanced(checked: Checked) -> bool:
    return checked.loaded.scenario is not None and checked.analysis is not None


def _balance(checked: Checked) -> BalanceReport:
    from game.balance import balance

    assert checked.loaded.scenario is not None and checked.analysis is not None
    return balance(checked.loaded.scenario, checked.analysis)


def _print_reports(results: list[Checked]) -> None:
    from game.authoring.report import report_lines

    for checked in results:
        print()
        if _balanced(checked):
            print("\n".join(report_lines(_balance(checked), checked.loaded.file)))
        else:
            print(f"no balance report for {checked.loaded.file}: fix its errors first")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


COMMAND = Command("check", "validate scenario files and analyse their story graphs", register, run)
