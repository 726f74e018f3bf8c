"""Serving Tightrope to a room of browsers: textual-serve with our page, limits and session settings."""
