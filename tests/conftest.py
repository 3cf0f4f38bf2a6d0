"""Shared fixtures: paths to the real third-party data beside the project, and fresh stores."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "real"


def real_file(*parts: str) -> Path:
    """A file from ../shared/data/real, or skip the test saying which file is missing."""
    path = REAL.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path}")
    return path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "pantau.duckdb"


@pytest.fixture
def con(db_path: Path):
    from analytics.store import connect

    c = connect(db_path)
    yield c
    c.close()


@pytest.fixture(autouse=True)
def no_users_file(tmp_path_factory, monkeypatch):
    """Tests never read the machine's own .streamlit/pantau-users.toml: each starts without a
    users file (nobody listed, not open); tests that need one write their own."""
    monkeypatch.setenv("PANTAU_USERS", str(tmp_path_factory.getbasetemp() / "no-users-file.toml"))
