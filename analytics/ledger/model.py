"""The ledger's shapes and words: months, appeal reasons, the refusal every ledger action raises,
and how a unit's final figures follow from its frozen counts and its accepted appeals."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from analytics.metrics.groups import VERIFIER_LABEL
from analytics.rules.periods import Period
from analytics.textfmt import round_half_up

VERIFIER_CODE = "VERIFIKATOR"
VERIFIER_NAME = VERIFIER_LABEL
# The kinds of unit a ledger holds: the two leagues and the verifier (a kelurahan is in neither
# league, so in no ledger either: docs/ledger.md).
UNIT_KINDS = ("opd", "camat", "verifikator")
COUNTED_STATES = ("late", "open_overdue")
LISTED_STATES = (*COUNTED_STATES, "uncertain")
DEFAULT_APPEAL_WORKING_DAYS = 5

# Appeal reasons: code -> (Indonesian, English). The codes are what the CLI takes and the store keeps.
REASONS: dict[str, tuple[str, str]] = {
    "bukan_wewenang": ("Bukan wewenang / salah disposisi", "Not ours / dispatched to the wrong unit"),
    "waktu_salah": ("Waktu di data salah", "The time in the data is wrong"),
    "pelapor_tidak_dapat_dihubungi": ("Pelapor tidak dapat dihubungi", "The reporter could not be reached"),
    "kahar": ("Keadaan kahar", "Force majeure"),
    "lainnya": ("Lainnya", "Other"),
}
DECISIONS = ("accepted", "rejected")
MAX_TEXT = 2000

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class LedgerError(ValueError):
    """A ledger action refused; the message (Indonesian / English) names the problem. Nothing
    was changed. The CLI exits 2 with it."""


def month_period(month: str) -> Period:
    """``YYYY-MM`` as the Period of its local calendar days."""
    m = _MONTH.match(str(month).strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or not 1990 <= int(m.group(1)) <= 2050:
        raise LedgerError(f"bulan {month!r} tidak dikenal, tulis seperti 2025-10 / "
                          f"unknown month {month!r}, write it like 2025-10")
    year, mon = int(m.group(1)), int(m.group(2))
    first = date(year, mon, 1)
    last = date(year + (mon == 12), mon % 12 + 1, 1).toordinal() - 1
    return Period(first, date.fromordinal(last))


def reason_label(code: str, lang: str = "id") -> str:
    pair = REASONS.get(code)
    return code if pair is None else pair[0 if lang == "id" else 1]


@dataclass(frozen=True)
class Appeal:
    appeal_id: int
    reason: str
    text: str
    filed_by: str
    filed_at: object
    decision: str | None
    decided_by: str | None
    decided_at: object
    note: str | None


@dataclass(frozen=True)
class Case:
    """One stage counted against (or listed for) a unit in a closed month."""

    id: str
    source: str
    stage: str
    deadline: object
    ended_at: object
    state: str
    working_days_over: float | None
    time_basis: str  # reported | estimated | open
    ended_after: object = None
    appeal: Appeal | None = None

    @property
    def counted(self) -> bool:
        return self.state in COUNTED_STATES

    @property
    def accepted(self) -> bool:
        return self.appeal is not None and self.appeal.decision == "accepted"


@dataclass(frozen=True)
class UnitFigures:
    """A unit's month: the frozen counts and what the appeals made of them.

    final_counted = counted - accepted; the final on-time rate leaves accepted cases out of the
    denominator too (a case that was not the unit's to answer is neither on time nor late):
    on_time / (on_time + final_counted). docs/ledger.md, "Angka akhir".
    """

    unit: str
    unit_code: str
    unit_kind: str
    due: int
    on_time: int
    late: int
    open_overdue: int
    uncertain: int
    unknown: int
    cases: tuple[Case, ...] = field(default=())

    @property
    def counted(self) -> int:
        return self.late + self.open_overdue

    @property
    def appealed(self) -> int:
        return sum(1 for c in self.cases if c.counted and c.appeal is not None)

    @property
    def accepted(self) -> int:
        return sum(1 for c in self.cases if c.counted and c.accepted)

    @property
    def final_counted(self) -> int:
        return self.counted - self.accepted

    @property
    def final_on_time_pct(self) -> float | None:
        judged = self.on_time + self.final_counted
        return None if judged == 0 else round_half_up(100.0 * self.on_time / judged, 1)
