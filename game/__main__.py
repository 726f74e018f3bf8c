"""`python -m game` runs the `tightrope` command."""

from game.cli import main

raise SystemExit(main())
