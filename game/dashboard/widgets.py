"""The dashboard's panels, its status line and its scenario tabs: each draws one part of a `ScenarioReport`.

Panels receive the report through data binding and never look at one another. Every name and text that
came from a player or an author is drawn as plain text, never read as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, tzinfo
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static, Tab, Tabs

from game.dashboard.room_map import RoomMap
from game.roomreport import Player, Position, RoomGoal, RoomReport, RoomRewards, ScenarioReport
from game.text import printable
from game.widgets.challenges import MET, NOT_YET
from game.widgets.symbols import MINUS, TONE_WORDS, ZONE_MARKS

BAR_WIDTH = 12
BAR, HALF_BAR, TRACK = "━", "╸", "─"


def bar(fraction: float, width: int = BAR_WIDTH) -> tuple[str, str]:
    """A bar in half cells, as a heavy line on a light track: the filled part and the rest, `width` cells.

    Lines rather than blocks, so the bars of neighbouring rows stay apart.
    """
    halves = round(max(0.0, min(1.0, fraction)) * width * 2)
    filled = BAR * (halves // 2) + HALF_BAR * (halves % 2)
    return filled, TRACK * (width - len(filled))


def clock_time(stamp: str | None, timezone: tzinfo | None) -> str:
    """`14:02` in `timezone` (None: this machine's) from an ISO time; the store writes UTC."""
    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return "?"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(timezone).strftime("%H:%M")


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def tone_mark(tone: str | None) -> str:
    return TONE_WORDS.get(tone or "", "? ending").partition(" ")[0]


class Panel(VerticalScroll):
    """A bordered, focusable panel that scrolls and redraws itself whenever its report changes."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "panel--dim",
        "panel--heading",
        "panel--bar",
        "panel--loss",
        "panel--good",
        "panel--mixed",
        "panel--poor",
    }
    TITLE: ClassVar[str] = ""
    EMPTY: ClassVar[str] = ""

    current: reactive[ScenarioReport | None] = reactive(None)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="panel")
        self.body = Static(classes="panel-body")

    def compose(self) -> ComposeResult:
        yield self.body

    def on_mount(self) -> None:
        self.border_title = self.TITLE

    def watch_current(self, report: ScenarioReport | None) -> None:
        self.body.update(self.draw(report) if report is not None else self.words("dim", self.EMPTY))

    def draw(self, report: ScenarioReport) -> RenderableType:
        raise NotImplementedError

    def tint(self, name: str) -> Style:
        return self.get_component_rich_style(f"panel--{name}")

    def words(self, name: str, text: str) -> Text:
        return Text(text, style=self.tint(name))


class PlayersPanel(Panel):
    """Who is playing and where they are: one row per run, as the store lists them (the most recent ones
    of a big room, then how many more there are)."""

    TITLE = "[u]P[/u]layers"
    EMPTY = "Nobody has started yet: players appear here as soon as they open a scenario."

    def __init__(self, timezone: tzinfo | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.timezone = timezone

    def draw(self, report: ScenarioReport) -> RenderableType:
        if not report.players:
            return self.words("dim", self.EMPTY)
        table = Table(box=None, expand=True, padding=(0, 1, 0, 0), header_style=self.tint("heading"))
        table.add_column("Player", ratio=2, no_wrap=True, overflow="ellipsis")
        table.add_column("Now at", ratio=3, no_wrap=True, overflow="ellipsis")
        table.add_column("Dec", justify="right", no_wrap=True)
        table.add_column("Zone", no_wrap=True)
        table.add_column("Start", no_wrap=True)
        table.add_column("Status", no_wrap=True)
        for player in report.players:
            table.add_row(*self._row(player))
        if report.unlisted:
            table.add_row(self.words("dim", f"and {report.unlisted:,} more"))
        return table

    def _row(self, player: Player) -> tuple[Text, ...]:
        name = Text(printable(player.name).replace("\n", " ") or "(no name)")
        where = Text(player.where)
        zone = Text(f"{ZONE_MARKS[player.zone]} {player.zone.value}")
        if player.rewind:
            status = self.words("dim", "↺ rewind")
            name.stylize(self.tint("dim"))
        elif player.finished:
            tone = player.ending_tone or ""
            status = Text(f"{tone_mark(tone)} {clock_time(player.finished_at, self.timezone)}")
            status.stylize(self.tint(tone) if tone in TONE_WORDS else Style())
        else:
            status = Text("playing")
        if not player.on_map:
            zone = self.words("dim", "–")
        return (
            name,
            where,
            Text(str(player.decisions)),
            zone,
            Text(clock_time(player.started_at, self.timezone)),
            status,
        )


class SplitsPanel(Panel):
    """How the room split at each decision: every choice with its count and share, in scenario order."""

    TITLE = "How the room [u]s[/u]plit"
    EMPTY = "The split at each decision appears here once players start choosing."

    def draw(self, report: ScenarioReport) -> RenderableType:
        parts: list[RenderableType] = []
        for split in report.splits:
            heading = Text.assemble((split.heading, self.tint("heading")))
            if not split.decided:
                heading.append("  nobody here yet", style=self.tint("dim"))
                parts.append(heading)
                continue
            heading.append(f"  {plural(split.decided, 'decision')}", style=self.tint("dim"))
            table = Table(box=None, expand=True, show_header=False, padding=(0, 1, 0, 0))
            table.add_column(width=BAR_WIDTH, no_wrap=True)
            table.add_column(justify="right", no_wrap=True)
            table.add_column(justify="right", no_wrap=True)
            table.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
            for choice in split.choices:
                filled, empty = bar(choice.percent / 100)
                text = Text(choice.text)
                if choice.timed_out:
                    text = Text(f"[{choice.timed_out} timed out] ", style=self.tint("dim")) + text
                if not choice.count:
                    text.stylize(self.tint("dim"))
                table.add_row(
                    Text.assemble((filled, self.tint("bar")), (empty, self.tint("dim"))),
                    Text(str(choice.count)),
                    Text(f"{choice.percent:.0f}%"),
                    text,
                )
            parts.extend([heading, table])
        return Group(*parts) if parts else self.words("dim", self.EMPTY)


class MapPanel(Panel):
    """The spread of the room over the four zones, with the average meters and the count in each zone."""

    TITLE = "Room [u]m[/u]ap"
    EMPTY = "Players appear on the map after their first decision."

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.map = RoomMap()

    def compose(self) -> ComposeResult:
        yield self.map
        yield self.body

    def watch_current(self, report: ScenarioReport | None) -> None:
        self.map.show(
            marks(report.positions) if report is not None else (), report.zones if report is not None else {}
        )
        super().watch_current(report)

    def draw(self, report: ScenarioReport) -> RenderableType:
        average = report.average
        if average is None:
            return self.words("dim", self.EMPTY)
        return Text.assemble(
            ("Average ", self.tint("heading")),
            f"safety {average.safety:.0f} · standards {average.standards:.0f}",
            (f" · trust {average.trust:.0f}", self.tint("dim")),
        )


def marks(positions: Sequence[Position]) -> list[Player]:
    """A stand-in player per run on the map, for `RoomMap`, which marks players: at most ten per position,
    since a cell shows a count only up to nine (then +), so the marks are the same as for every run."""
    return [
        Player("", "", "", "" if position.finished else None, 1, "", "", position.meters)
        for position in positions
        for _ in range(min(position.players, 10))
    ]


class EndingsPanel(Panel):
    """Endings reached by the players who have finished, with the tone of each in words."""

    TITLE = "[u]E[/u]ndings"
    EMPTY = "Endings appear here as players finish."

    def draw(self, report: ScenarioReport) -> RenderableType:
        if not report.endings:
            return self.words("dim", self.EMPTY)
        table = Table(box=None, expand=True, show_header=False, padding=(0, 1, 0, 0))
        table.add_column(no_wrap=True)
        table.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        table.add_column(justify="right", no_wrap=True)
        table.add_column(justify="right", no_wrap=True)
        for ending in report.endings:
            tone = Text(TONE_WORDS.get(ending.tone, ending.tone), style=self.tint(ending.tone))
            title = Text(ending.title)
            if not ending.count:
                tone.stylize(self.tint("dim"))
                title.stylize(self.tint("dim"))
            table.add_row(tone, title, Text(str(ending.count)), Text(f"{ending.percent:.0f}%"))
        return table


class TalkingPointsPanel(Panel):
    """Where the room most often lost safety or standards, then the scenario's discussion questions."""

    TITLE = "[u]T[/u]alking points"
    EMPTY = "Talking points appear here once players start losing safety or standards."

    def draw(self, report: ScenarioReport) -> RenderableType:
        parts: list[RenderableType] = []
        if report.talking_points:
            points = Table.grid(padding=(0, 1, 0, 0), expand=True)
            points.add_column(no_wrap=True)
            points.add_column(ratio=1)
            for number, point in enumerate(report.talking_points, start=1):
                summary = Text.assemble((point.heading, self.tint("heading")))
                summary.append(f": {point.lost} of {point.decided} lost ")
                summary.append(point.meter, style=self.tint("loss"))
                summary.append(f" ({MINUS}{point.average_loss:.0f} avg)", style=self.tint("dim"))
                points.add_row(Text(f"{number}."), summary)
                for choice in point.choices:
                    points.add_row(Text(""), Text(f"{choice.count} × ", style=self.tint("dim")) + choice.text)
            parts.append(points)
        else:
            parts.append(self.words("dim", self.EMPTY))
        if report.discussion:
            parts.append(Text("\nDiscussion", style=self.tint("heading")))
            questions = Table.grid(padding=(0, 1, 0, 0), expand=True)
            questions.add_column(no_wrap=True)
            questions.add_column(ratio=1)
            for number, question in enumerate(report.discussion, start=1):
                questions.add_row(Text(f"{number}."), Text(question))
            parts.append(questions)
        return Group(*parts)


class GoalsPanel(Panel):
    """The room's goals, and the achievements its players have earned: how many players, never who."""

    TITLE = "Room [u]g[/u]oals"
    EMPTY = "Room goals and achievements appear here once the store has been read."
    NO_GOALS = "No room goals set: give some with tightrope serve --challenge, like learning:80%."
    UNCOUNTED = "Too many players to count achievements across every cohort: give --cohort to see a cohort's."

    room: reactive[RoomReport | None] = reactive(None)

    def watch_current(self, report: ScenarioReport | None) -> None:
        """The goals are the whole room's, whichever scenario is chosen: see `watch_room`."""

    def watch_room(self, room: RoomReport | None) -> None:
        if room is None:
            self.body.update(self.words("dim", self.EMPTY))
        elif room.rewards is None:
            self.body.update(self.words("dim", self.UNCOUNTED))
        else:
            self.body.update(self._draw(room.rewards))

    def _draw(self, rewards: RoomRewards) -> RenderableType:
        parts: list[RenderableType] = []
        if rewards.goals:
            goals = Table.grid(expand=True, padding=(0, 1, 0, 0))
            goals.add_column(no_wrap=True)
            goals.add_column(ratio=1)
            for goal in rewards.goals:
                goals.add_row(*self._goal(goal))
            parts.append(goals)
        else:
            parts.append(self.words("dim", self.NO_GOALS))
        heading = Text.assemble(("Achievements", self.tint("heading")))
        heading.append(
            f"  {len(rewards.achievements)} of {rewards.available} earned · "
            f"{plural(rewards.players, 'player')} finished",
            style=self.tint("dim"),
        )
        parts.extend([Text(""), heading])
        if not rewards.achievements:
            parts.append(self.words("dim", "None yet: they appear here as players earn them."))
            return Group(*parts)
        table = Table(box=None, expand=True, show_header=False, padding=(0, 1, 0, 0))
        table.add_column(width=BAR_WIDTH, no_wrap=True)
        table.add_column(justify="right", no_wrap=True)
        table.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        for count in rewards.achievements:
            filled, empty = bar(count.players / rewards.players if rewards.players else 0.0)
            table.add_row(
                Text.assemble((filled, self.tint("bar")), (empty, self.tint("dim"))),
                Text(str(count.players)),
                Text(printable(count.achievement.name)),
            )
        parts.append(table)
        return Group(*parts)

    def _goal(self, goal: RoomGoal) -> tuple[Text, Text]:
        """`✓ at least 5 finished runs`, and under it the bar and `7, goal 5`."""
        progress, target = goal.progress, goal.challenge.target
        if target == "percent":
            figure = f"{progress.current}%, goal {progress.target}%"
            fraction = progress.current / progress.target if progress.target else 1.0
        elif target == "runs":
            figure, fraction = (
                f"{progress.current}, goal {progress.target}",
                progress.current / progress.target,
            )
        else:
            figure = f"{progress.counted} of {progress.considered} players"
            fraction = progress.counted / progress.considered if progress.considered else 0.0
        tint = self.tint("good" if progress.met else "bar")
        filled, empty = bar(1.0 if progress.met else fraction)
        line = Text.assemble(
            (filled, tint),
            (empty, self.tint("dim")),
            " ",
            (figure, self.tint("good") if progress.met else ""),
        )
        title = Text(goal.challenge.describe(), style=self.tint("heading") if progress.met else "")
        return Text(MET if progress.met else NOT_YET), title + Text("\n") + line


class BoardPanel(Panel):
    """The chosen scenario's opt-in leaderboard (`tightrope serve --leaderboard`): only the players who
    chose to be on it, and only while someone has; hidden otherwise."""

    TITLE = "Lea[u]d[/u]erboard"
    EMPTY = "Nobody has chosen to be ranked in this scenario."

    room: reactive[RoomReport | None] = reactive(None)

    def watch_room(self, room: RoomReport | None) -> None:
        self.display = room is not None and room.rewards is not None and bool(room.rewards.boards)
        self.watch_current(self.current)

    def draw(self, report: ScenarioReport) -> RenderableType:
        rewards = self.room.rewards if self.room is not None else None
        board = rewards.boards.get(report.scenario_id) if rewards is not None else None
        if board is None:
            return self.words("dim", self.EMPTY)
        table = Table(box=None, expand=True, show_header=False, padding=(0, 1, 0, 0))
        table.add_column(justify="right", no_wrap=True)
        table.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        table.add_column(justify="right", no_wrap=True)
        table.add_column(no_wrap=True)
        for line in board.lines:
            zone = f"{ZONE_MARKS[line.zone]} {line.zone.value}" if line.zone is not None else ""
            table.add_row(f"{line.rank}.", Text(printable(line.name)), str(line.score), zone)
        listed = (
            f"{len(board.lines)} of {plural(board.players, 'player')} chose to be listed; best full run each"
        )
        return Group(table, self.words("dim", listed))


class StatusLine(Static):
    """One line at the top: what this is, the cohort, how many play, and when the store was last read."""

    current: reactive[ScenarioReport | None] = reactive(None)
    updated: reactive[datetime | None] = reactive(None)
    problem: reactive[str | None] = reactive(None)

    def __init__(self, cohort: str | None, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.cohort = cohort

    def _redraw(self) -> None:
        line = Text.assemble(("Room report", "bold"))
        line.append(f" · cohort {printable(self.cohort)}" if self.cohort else " · every cohort")
        report = self.current
        if report is not None:
            line.append(f" · {report.playing} playing, {report.finished} finished")
            if report.rewinds:
                line.append(f", {plural(report.rewinds, 'rewind')}")
        self.set_class(bool(self.problem), "-problem")
        if self.problem:
            line.append(f" · ⚠ {self.problem}")
        elif self.updated is not None:
            line.append(" · no runs yet" if report is None else "")
            line.append(f" · {self.updated:%H:%M:%S}")
        else:
            line.append(" · reading the store…")
        line.no_wrap, line.overflow = True, "ellipsis"
        self.update(line)

    def watch_current(self) -> None:
        self._redraw()

    def watch_updated(self) -> None:
        self._redraw()

    def watch_problem(self) -> None:
        self._redraw()


class ScenarioTabs(Tabs):
    """One tab per scenario in the room; choosing one sends `ScenarioTabs.Chosen`."""

    class Chosen(Message):
        def __init__(self, scenario_id: str) -> None:
            super().__init__()
            self.scenario_id = scenario_id

    room: reactive[RoomReport | None] = reactive(None)
    selected: reactive[str | None] = reactive(None)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._tab_ids: dict[str, str] = {}
        self._mounted: set[str] = set()

    async def watch_room(self, room: RoomReport | None) -> None:
        # Scenarios only ever join the room (runs are never deleted), so tabs are only ever added.
        for report in room.scenarios if room is not None else ():
            if report.scenario_id not in self._tab_ids:
                tab_id = f"scenario-{len(self._tab_ids)}"
                self._tab_ids[report.scenario_id] = tab_id
                await self.add_tab(Tab(Content(report.title), id=tab_id))
                self._mounted.add(tab_id)
        self.display = bool(self._tab_ids)
        self._activate()

    def watch_selected(self) -> None:
        self._activate()

    def _activate(self) -> None:
        tab_id = self._tab_ids.get(self.selected or "")
        if tab_id in self._mounted and self.active != tab_id:
            self.active = tab_id

    @on(Tabs.TabActivated)
    def _chosen(self, event: Tabs.TabActivated) -> None:
        event.stop()
        chosen = next((sid for sid, tid in self._tab_ids.items() if tid == event.tab.id), None)
        if chosen is not None:
            self.post_message(self.Chosen(chosen))


ReportClock = Callable[[], datetime]
