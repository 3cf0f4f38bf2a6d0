"""Where Pantau keeps its data, and the few settings that are not per-policy.

One place decides the database path so the CLI, the dashboard and the tests agree:
``--db PATH`` beats the ``PANTAU_DB`` environment variable, which beats ``data/pantau.duckdb``.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
DATA_DIR = PROJECT_DIR / "data"
DEFAULT_DB = DATA_DIR / "pantau.duckdb"
DB_ENV_VAR = "PANTAU_DB"
DEFAULT_TZ = "Asia/Jakarta"
# Regency the demo generator builds; also the fallback region when a file names none.
DEMO_REGION = "kab-bekasi"


def db_path(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """The database file to use: the CLI value, else $PANTAU_DB, else data/pantau.duckdb."""
    if cli_value:
        return Path(cli_value)
    env = os.environ.get(DB_ENV_VAR, "").strip()
    return Path(env) if env else DEFAULT_DB
