"""`python -m bot` is the same as the `stretchbot` console script."""

from bot.cli import main

raise SystemExit(main())
