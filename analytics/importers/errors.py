"""The one error an importer raises for a file it will not take."""

from __future__ import annotations

from pathlib import Path


class RefusedFile(ValueError):
    """A file that cannot be imported at all. Nothing is written; the CLI exits with status 2.

    The message names the file, the problem and, where it helps, the columns that were expected.
    """

    def __init__(self, path: str | Path, problem: str, expected: list[str] | None = None):
        self.path = Path(path)
        self.problem = problem
        self.expected = list(expected or [])
        msg = f"{self.path.name}: {problem}"
        if self.expected:
            msg += "\n  expected columns: " + ", ".join(self.expected)
        super().__init__(msg)
