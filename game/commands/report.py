"""`tightrope report`: the facilitator's view of what the room chose, live in a dashboard or as CSV/JSON;
the same runs as xAPI statements, written out or sent to a learning record store."""

from __future__ import annotations

import argparse
import base64
import csv
import json
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from game.commands import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Command

if TYPE_CHECKING:
    from game.roomreport import RoomReport
    from game.scenario.models import Scenario

CSV_COLUMNS = (
    "cohort",
    "scenario_id",
    "scenario_title",
    "scene_id",
    "scene_heading",
    "decided",
    "choice_id",
    "choice_text",
    "count",
    "percent",
    "timed_out",
)

LRS_AUTH = "TIGHTROPE_LRS_AUTH"
"""The environment variable with the LRS's credentials, `user:password`: never a command-line argument,
which any user of the machine can read in the process list."""

EPILOG = """\
Without --format, a dashboard that refreshes every few seconds while the cohort plays:
q quits, r refreshes now, tab (or p s m e t) moves between panels, [ and ] switch scenario.
Without --cohort it lists the latest 100 players of each scenario and how many more (every count is
still over every player); --format json lists every player.

--format csv writes one row per (scenario, scene, choice), in the scenario's order:
  cohort          the --cohort given (empty: every cohort)
  scenario_id     the scenario's id
  scenario_title  its title
  scene_id        the scene where the decision is taken
  scene_heading   the scene's title as players saw it
  decided         how many players decided in this scene
  choice_id       the choice's id
  choice_text     the choice as players read it
  count           how many players took it
  percent         count / decided × 100, one decimal (0 when nobody decided)
  timed_out       how many of those had it taken for them when the scene timer ran out

--format json writes one document: {"cohort", "scenario", "scenarios": [...]}, each scenario with
player_counts, players, splits (per scene: decided, choices with count, percent, timed_out),
average_meters, zones, endings, talking_points and discussion.

Runs rewound from another run are listed among the players but left out of every count.

--format xapi writes a JSON array of xAPI 1.0.3 statements: one `answered` per decision (the scene,
the choice as the response, meters, meter changes and principle as result extensions) and one
`completed` per finished run (score 0..100, success for a good ending, duration). The actor is the
player's id as an account of the cohort's home page; no names or e-mail addresses are sent. IRIs are
under --xapi-base (default https://tightrope.invalid).

--lrs URL sends those statements to a learning record store (its xAPI endpoint, e.g.
https://lrs.example.org/xAPI/) in batches of 50, retrying with backoff when it is busy or away.
Credentials come from the environment, never the command line: TIGHTROPE_LRS_AUTH=user:password
(HTTP basic). Statement ids are derived from the runs, so sending again never stores anything twice.
"""


def register(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--cohort", metavar="NAME", help="only this cohort's runs (default: every cohort)")
    parser.add_argument("--scenario", metavar="ID", help="only this scenario (default: every one played)")
    parser.add_argument(
        "--store",
        metavar="PATH",
        help="the results store (default: results.sqlite3 in the user data folder)",
    )
    parser.add_argument(
        "--format",
        choices=("csv", "json", "xapi"),
        help="write the report to stdout instead of the dashboard",
    )
    parser.add_argument(
        "--lrs",
        metavar="URL",
        help=f"send the runs as xAPI statements to this learning record store (credentials: {LRS_AUTH})",
    )
    parser.add_argument(
        "--xapi-base",
        default=None,
        metavar="IRI",
        help="where the xAPI statements' IRIs live (default: https://tightrope.invalid)",
    )
    parser.add_argument(
        "--every",
        type=float,
        default=2.0,
        metavar="SECONDS",
        help="how often the dashboard reads the store (default: 2)",
    )


def run(args: argparse.Namespace) -> int:
    from game.dashboard.reader import read_room
    from game.store import StoreError, is_database_url, open_store, resolve_target

    target = resolve_target(args.store)
    if not is_database_url(target) and not Path(target).is_file():
        _error(
            f"there is no results store at {target}: nobody has played on this machine yet, or give --store"
        )
        return EXIT_PROBLEMS
    if args.every <= 0:
        _error("--every needs a number of seconds above 0")
        return EXIT_USAGE
    problem = _xapi_usage_problem(args)
    if problem:
        _error(problem)
        return EXIT_USAGE
    folder = args.scenarios or _default_folder()
    scenarios = load_scenarios(folder)
    if args.format == "xapi" or args.lrs:
        return _xapi(args, target, folder, scenarios)
    try:
        store = open_store(target)
        try:
            room = read_room(store, scenarios, cohort=args.cohort, scenario_id=args.scenario)
        finally:
            store.close()
    except StoreError as exc:
        _error(str(exc))
        return EXIT_PROBLEMS
    if args.scenario and room.scenario(args.scenario) is None:
        _error(f"no scenario {args.scenario!r} in {folder}, and no runs of it in the store")
        return EXIT_USAGE
    if args.format == "json":
        document = {"cohort": args.cohort, "scenario": args.scenario, **room.as_dict()}
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    elif args.format == "csv":
        write_csv(room, args.cohort or "")
    else:
        return _dashboard(args, target, scenarios)
    return EXIT_OK


def load_scenarios(folder: Path) -> list[Scenario]:
    """Every valid scenario in `folder`; a broken file is `tightrope check`'s business, not the report's."""
    from game.library import scenario_files
    from game.scenario.loader import load_file
    from scoring import load_catalogue

    if not folder.is_dir():
        return []
    catalogue = load_catalogue()
    loaded = (load_file(path, catalogue).scenario for path in scenario_files([folder]))
    return [scenario for scenario in loaded if scenario is not None]


def write_csv(room: RoomReport, cohort: str) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for scenario in room.scenarios:
        for split in scenario.splits:
            for choice in split.choices:
                writer.writerow(
                    (
                        cohort,
                        scenario.scenario_id,
                        scenario.title,
                        split.scene_id,
                        split.heading,
                        split.decided,
                        choice.choice_id,
                        choice.text,
                        choice.count,
                        f"{choice.percent:.1f}",
                        choice.timed_out,
                    )
                )


def _dashboard(args: argparse.Namespace, target: str, scenarios: list[Scenario]) -> int:
    from game.dashboard.app import DashboardApp
    from game.store import open_store

    DashboardApp(
        lambda: open_store(target),
        scenarios,
        cohort=args.cohort,
        scenario_id=args.scenario,
        every=args.every,
    ).run()
    return EXIT_OK


def _default_folder() -> Path:
    from game.library import default_folder

    return default_folder()


def _error(message: str) -> None:
    print(f"tightrope report: {message}", file=sys.stderr)


# --- xAPI: the runs as statements, written out or sent to a learning record store --------------------


def _xapi_usage_problem(args: argparse.Namespace) -> str | None:
    if args.lrs and args.format not in (None, "xapi"):
        return "--lrs sends xAPI statements: give it alone, or with --format xapi"
    if args.xapi_base is not None and not args.xapi_base.startswith(("https://", "http://")):
        return "--xapi-base needs an http:// or https:// IRI"
    if args.lrs:
        parts = urlsplit(args.lrs)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return f"--lrs needs the LRS's http:// or https:// address, not {args.lrs!r}"
        if parts.username or parts.password:
            return f"put the LRS's credentials in {LRS_AUTH}=user:password, not in the URL"
    credentials = os.environ.get(LRS_AUTH)
    if args.lrs and credentials is not None and ":" not in credentials:
        return f"{LRS_AUTH} needs user:password"
    return None


def _xapi(args: argparse.Namespace, target: str, folder: Path, scenarios: list[Scenario]) -> int:
    from game.roomreport import read_rows
    from game.store import StoreError, open_store
    from game.xapi import DEFAULT_BASE, statements

    try:
        store = open_store(target)
        try:
            runs, decisions = read_rows(store, cohort=args.cohort, scenario_id=args.scenario)
        finally:
            store.close()
    except StoreError as exc:
        _error(str(exc))
        return EXIT_PROBLEMS
    if args.scenario and not runs and all(s.id != args.scenario for s in scenarios):
        _error(f"no scenario {args.scenario!r} in {folder}, and no runs of it in the store")
        return EXIT_USAGE
    found = statements(runs, decisions, scenarios, base=args.xapi_base or DEFAULT_BASE)
    if args.format == "xapi":
        sys.stdout.write(json.dumps(found, indent=2, ensure_ascii=False) + "\n")
    if not args.lrs:
        return EXIT_OK
    sender = LrsSender(args.lrs, os.environ.get(LRS_AUTH))
    try:
        delivery = sender.send(found)
    except LrsError as exc:
        _error(
            f"{exc}; {exc.sent} of {len(found)} statements were sent before it. Sending again is safe: "
            "the LRS keeps one copy of each statement"
        )
        return EXIT_PROBLEMS
    message = f"sent {len(found)} xAPI statements to {sender.statements_url} in {delivery.batches} batch(es)"
    if delivery.conflicts:
        message += (
            f"; the LRS already had {delivery.conflicts} of them with other content (a scenario file "
            "has changed since they were sent) and kept its own"
        )
    _error(message)
    return EXIT_OK


class LrsError(Exception):
    """The LRS did not take the statements; the message is one line, `sent` says how many it had taken."""

    def __init__(self, message: str, sent: int = 0) -> None:
        super().__init__(message)
        self.sent = sent


@dataclass(frozen=True)
class Delivery:
    batches: int
    conflicts: int  # statements whose id the LRS already had, with other content


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirected POST would arrive as a GET without its statements: an error, not a success."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


Response = tuple[int, str, str | None]
"""Status, body (for messages) and Retry-After, as the LRS answered."""


class LrsSender:
    """Sends statements to an LRS's statements resource in batches, retrying what may pass later.

    Busy or away (no connection, a timeout, 429, 5xx) is retried with exponential backoff, honouring
    Retry-After; anything else is the LRS's last word. A batch refused with 409 holds a statement whose
    id the LRS already has with other content, and xAPI stores nothing of such a batch: its statements
    are then sent one by one (PUT with their id), and a 409 for one of them counts as already there.
    """

    RETRIED = frozenset({429, 500, 502, 503, 504})

    def __init__(
        self,
        url: str,
        credentials: str | None,
        *,
        batch: int = 50,
        attempts: int = 5,
        backoff: float = 1.0,
        max_wait: float = 30.0,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        from game.xapi import XAPI_VERSION

        base = url.rstrip("/")
        self.statements_url = base if base.endswith("/statements") else base + "/statements"
        self.headers = {"X-Experience-API-Version": XAPI_VERSION, "Content-Type": "application/json"}
        if credentials:
            token = base64.b64encode(credentials.encode("utf-8")).decode("ascii")
            self.headers["Authorization"] = f"Basic {token}"
        self.batch, self.attempts, self.backoff, self.max_wait = batch, attempts, backoff, max_wait
        self.timeout = timeout
        self.sleep = sleep
        self._opener = urllib.request.build_opener(_NoRedirects)

    def send(self, statements: Sequence[dict[str, Any]]) -> Delivery:
        sent = conflicts = batches = 0
        for first in range(0, len(statements), self.batch):
            chunk = statements[first : first + self.batch]
            try:
                status, body, _ = self._retrying("POST", self.statements_url, chunk)
                if status == 409:
                    conflicts += self._one_by_one(chunk)
                elif status not in (200, 204):
                    raise LrsError(self._refusal(status, body))
            except LrsError as exc:
                raise LrsError(str(exc), sent) from None
            sent += len(chunk)
            batches += 1
        return Delivery(batches, conflicts)

    def _one_by_one(self, chunk: Sequence[dict[str, Any]]) -> int:
        conflicts = 0
        for statement in chunk:
            url = f"{self.statements_url}?statementId={quote(str(statement['id']), safe='')}"
            status, body, _ = self._retrying("PUT", url, statement)
            if status == 409:
                conflicts += 1
            elif status not in (200, 204):
                raise LrsError(self._refusal(status, body))
        return conflicts

    def _retrying(self, method: str, url: str, document: object) -> Response:
        data = json.dumps(document, ensure_ascii=False).encode("utf-8")
        for attempt in range(1, self.attempts + 1):
            try:
                status, body, retry_after = self._request(method, url, data)
            except (urllib.error.URLError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                problem = f"cannot reach the LRS at {self.statements_url}: {reason}"
                status, retry_after = 0, None
            else:
                if status not in self.RETRIED:
                    return status, body, retry_after
                problem = self._refusal(status, body)
            if attempt == self.attempts:
                raise LrsError(f"{problem} (tried {self.attempts} times)")
            self.sleep(self._wait(attempt, retry_after))
        raise AssertionError("unreachable")

    def _wait(self, attempt: int, retry_after: str | None) -> float:
        wait = self.backoff * 2.0 ** (attempt - 1)
        if retry_after is not None and retry_after.strip().isdigit():
            wait = max(wait, float(retry_after))
        return min(wait, self.max_wait)

    def _request(self, method: str, url: str, data: bytes) -> Response:
        request = urllib.request.Request(url, data=data, method=method, headers=self.headers)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.status, response.read().decode("utf-8", "replace"), None
        except urllib.error.HTTPError as error:
            body = error.read().decode("utf-8", "replace")
            return error.code, body, error.headers.get("Retry-After")

    def _refusal(self, status: int, body: str) -> str:
        detail = " ".join(body.split())[:300]
        if status in (401, 403):
            return (
                f"the LRS at {self.statements_url} refused the credentials ({status}): "
                f"set {LRS_AUTH}=user:password"
            )
        return f"the LRS at {self.statements_url} answered {status}: {detail or 'no detail'}"


COMMAND = Command("report", "the facilitator's view of a cohort: live dashboard, CSV or JSON", register, run)
