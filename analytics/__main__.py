"""``python -m analytics ...``: see analytics/cli/main.py."""

import os
import sys

from analytics.cli.main import main

try:
    code = main()
    sys.stdout.flush()
except BrokenPipeError:
    # The reader stopped early (``... | head``): not an error of ours, and no traceback to show.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    code = 0
raise SystemExit(code)
