"""The facilitator's dashboard: the room's choices, live, while a cohort plays.

`reader` (no Textual) reads the results store on a thread of its own; `app`, `screen` and the widget
modules draw what `game.roomreport` makes of it.
"""
