"""Textual's footer, recomposed only when the keys it shows change.

The stock footer rebuilds all its key widgets whenever the screen's bindings are re-checked: on every
focus change and every `refresh_bindings`, a dozen times per choice. In a served room that rebuilding
was the largest single cost of a key press, so this one first compares what it would show.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    _shown: Hashable = None

    def _keys_shown(self, screen: Screen[object]) -> Hashable:
        return tuple(
            (binding.key, binding.key_display, binding.description, binding.action, enabled, tooltip)
            for key, (_, binding, enabled, tooltip) in screen.active_bindings.items()
            if binding.show or key == self.app.COMMAND_PALETTE_BINDING
        )

    def bindings_changed(self, screen: Screen[object]) -> None:
        if not (self.is_attached and screen is self.screen and screen.app.app_focus):
            super().bindings_changed(screen)
            return
        shown = self._keys_shown(screen)
        if shown != self._shown:
            self._shown = shown
            super().bindings_changed(screen)
