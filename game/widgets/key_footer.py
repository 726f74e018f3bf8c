"""The keys a screen offers, on one line: each key and what it does, the command palette's key at the right.

One widget drawing one line, where Textual's footer is a widget per key (a quarter of the debrief's
widgets, each styled at every pass) and rebuilds them all whenever the screen's bindings are checked
again, a dozen times per choice. This one draws again only when the keys it shows change. A click on a
key presses it.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.style import Style
from textual.widget import Widget

Shown = tuple[tuple[str, str, str, bool], ...]
"""Each key shown: the key, how it is written, what it does, and whether it can be pressed now."""


class KeyFooter(Widget):
    # The widget's own defaults, as Textual's footer has them (both apps' stylesheets may override).
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
        link-style: none;
        link-background-hover: $block-hover-background;
        link-style-hover: none;
    }
    KeyFooter > .key-footer--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyFooter > .key-footer--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-footer--key", "key-footer--description"}
    ALLOW_SELECT = False

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: Shown = ()
        self._palette: Shown = ()

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.bindings_changed(self.screen)

    def bindings_changed(self, screen: Screen[object]) -> None:
        if screen is not self.screen:
            return
        shown, palette = self._keys_shown(screen)
        if (shown, palette) != (self._shown, self._palette):
            self._shown, self._palette = shown, palette
            self.refresh()

    def _keys_shown(self, screen: Screen[object]) -> tuple[Shown, Shown]:
        shown: list[tuple[str, str, str, bool]] = []
        palette: list[tuple[str, str, str, bool]] = []
        for key, (_, binding, enabled, _) in screen.active_bindings.items():
            entry = (binding.key, self._display(binding), binding.description, enabled)
            if key == self.app.COMMAND_PALETTE_BINDING:
                if self.app.ENABLE_COMMAND_PALETTE:
                    palette.append(entry)
            elif binding.show:
                shown.append(entry)
        return tuple(shown), tuple(palette)

    def _display(self, binding: Binding) -> str:
        return binding.key_display or self.app.get_key_display(binding)

    def render(self) -> Content:
        left = self._keys(self._shown)
        right = self._keys(self._palette)
        gap = max(1, self.size.width - left.cell_length - right.cell_length)
        return Content.assemble(left, " " * gap, right)

    def _keys(self, keys: Shown) -> Content:
        key_style = self.get_visual_style("key-footer--key", partial=True)
        words_style = self.get_visual_style("key-footer--description", partial=True)
        parts: list[Content] = []
        for key, display, description, enabled in keys:
            press = Style.from_meta({"@click": f"app.simulate_key({key!r})"})
            dim = Style(dim=not enabled)
            parts.append(
                Content.assemble(
                    (f" {display} ", key_style + press + dim),
                    (f"{description} ", words_style + press + dim),
                )
            )
        return Content("").join(parts)
