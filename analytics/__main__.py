"""``python -m analytics ...``: see analytics/cli/main.py."""

from analytics.cli.main import main

raise SystemExit(main())
