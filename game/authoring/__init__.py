"""Tools for facilitators who write scenarios: a starter file, the story map, the balance report as text."""
