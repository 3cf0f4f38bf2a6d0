"""Do Pantau, the naive baseline and the floor give the same numbers per unit?

Counts (complaints, on_time, late, open_overdue) must be equal. Median and p90 response days are
compared within TOLERANCE: all three follow docs/metrics.md to the day (whole working days per
complaint, linear interpolation between them for the quantiles, as pandas and DuckDB's
quantile_cont both do), so any difference larger than floating-point rounding is a real one.
"""

from __future__ import annotations

import math

COUNTS = ("complaints", "on_time", "late", "open_overdue")
DAYS = ("median_response_days", "p90_response_days")
TOLERANCE = 1e-9
MAX_REPORTED = 20


def _same(a: float | None, b: float | None, exact: bool) -> bool:
    a_missing = a is None or (isinstance(a, float) and math.isnan(a))
    b_missing = b is None or (isinstance(b, float) and math.isnan(b))
    if a_missing or b_missing:
        return a_missing and b_missing
    return a == b if exact else abs(a - b) <= TOLERANCE


def differences(reference: list[dict], other: list[dict], name: str) -> list[str]:
    """Human-readable differences of ``other`` from ``reference`` (one dict per unit, key "unit");
    empty when they agree."""
    ref = {r["unit"]: r for r in reference}
    oth = {r["unit"]: r for r in other}
    out = [f"{name}: unit {u!r} missing" for u in sorted(set(ref) - set(oth))]
    out += [f"{name}: unexpected unit {u!r}" for u in sorted(set(oth) - set(ref))]
    for unit in sorted(set(ref) & set(oth)):
        for col in (*COUNTS, *DAYS):
            a, b = ref[unit].get(col), oth[unit].get(col)
            if not _same(a, b, exact=col in COUNTS):
                out.append(f"{name}: {unit} {col} = {b}, Pantau {a}")
    if not reference:
        out.append(f"{name}: Pantau's league is empty, nothing was compared")
    return out[:MAX_REPORTED] + ([f"... and {len(out) - MAX_REPORTED} more"] if len(out) > MAX_REPORTED else [])
