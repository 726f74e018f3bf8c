"""The choices on offer in a scene, numbered 1-9: arrows and Enter, a number key, or a click."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from game.scenario.models import Choice
from game.text import printable


class ChoiceList(OptionList):
    """Posts `ChoiceList.Chosen` with the choice id; never shows a choice it was not given."""

    class Chosen(Message):
        def __init__(self, choice_id: str) -> None:
            super().__init__()
            self.choice_id = choice_id

    def show(self, choices: Sequence[Choice]) -> None:
        self.set_options(
            Option(Text.assemble((f"{number}. ", "bold"), printable(choice.text)), id=choice.key)
            for number, choice in enumerate(choices, start=1)
        )
        self.highlighted = 0 if choices else None

    def pick(self, number: int) -> None:
        """Choose the `number`th choice (1-based), as a number key does; out of range does nothing."""
        if 1 <= number <= self.option_count:
            self.highlighted = number - 1
            self.action_select()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Chosen(event.option.id))
