"""League and breaches commands (filled in with the SLA work)."""

from __future__ import annotations

import argparse


def add_commands(sub, add_db) -> None:  # noqa: ANN001 - argparse internals
    return None


def run(args: argparse.Namespace) -> int:
    raise ValueError(f"unknown command {args.command}")
