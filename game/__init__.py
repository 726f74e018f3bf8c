"""Tightrope: scenario format, engine, front ends and the `tightrope` command."""

__version__ = "0.1.0"
