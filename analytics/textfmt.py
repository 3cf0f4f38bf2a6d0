"""Numbers, percentages and dates as Pantau shows them: ``1.234,5``, ``87,3%``, ``13 Jun 2025``.

Pure functions, no Streamlit. Everything is formatted here, on the server, so the screen does not
depend on the phone's locale (``format="localized"`` would follow the phone). Rounding is half-up
and explicit (``round_half_up``), so a label and a ranking computed from the same value agree:
Python's own ``f"{91.25:.1f}"`` gives ``91.2`` (half-even on the binary value), a person expects
``91,3``.

Every function takes ``lang`` ("id" default, or "en"); English uses ``1,234.5`` and English month
abbreviations. Missing values (None, NaN, NaT, pd.NA) format as ``MISSING`` ("–").
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

import pandas as pd

MISSING = "–"  # en dash: visibly "no value", never mistaken for zero or a minus sign

MONTHS: dict[str, tuple[str, ...]] = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
_SEPARATORS = {"id": (".", ","), "en": (",", ".")}  # (thousands, decimal)

# Indonesia's three zones (no daylight saving). Other zones fall back to the zone's abbreviation.
_TZ_LABELS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Ujung_Pandang": "WITA",
    "Asia/Jayapura": "WIT",
}
_DELTA_UNITS = {"points": {"id": "poin", "en": "pts"}}


def is_missing(value: object) -> bool:
    """True for None, NaN, NaT and pd.NA (the values shown as ``MISSING``)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists, arrays: not a scalar, so not "missing"
        return False


def _decimal(value: float | int | Decimal | str) -> Decimal:
    # str() gives the shortest repr, so 91.25 is Decimal("91.25"), not 91.2499999...
    return value if isinstance(value, Decimal) else Decimal(str(value))


def round_half_up(value: float | int | Decimal, decimals: int = 0) -> float:
    """Round half away from zero at ``decimals`` places: 91.25 -> 91.3, -0.5 -> -1.0.

    Use it wherever a rounded value is compared or ranked, so rankings agree with labels.
    """
    return float(_decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def _group(digits: str, sep: str) -> str:
    out = []
    while len(digits) > 3:
        out.append(digits[-3:])
        digits = digits[:-3]
    out.append(digits)
    return sep.join(reversed(out))


def _number(value: Decimal, decimals: int, lang: str) -> str:
    thousands, point = _SEPARATORS.get(lang, _SEPARATORS["id"])
    q = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "-" if q < 0 else ""
    whole, _, frac = f"{abs(q):f}".partition(".")
    text = _group(whole, thousands)
    if decimals > 0:
        text += point + frac.ljust(decimals, "0")[:decimals]
    return sign + text


def _finite_decimal(value: object) -> Decimal | None:
    """The value as a finite Decimal, or None for missing, unreadable or infinite values."""
    if is_missing(value):
        return None
    try:
        d = _decimal(value)  # type: ignore[arg-type]
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def fmt_num(value: object, decimals: int = 1, *, lang: str = "id") -> str:
    """``1234.5`` -> ``1.234,5``; ``fmt_num(2.25, 1)`` -> ``2,3``; missing -> ``–``."""
    d = _finite_decimal(value)
    return MISSING if d is None else _number(d, decimals, lang)


def fmt_int(value: object, *, lang: str = "id") -> str:
    """``1234`` -> ``1.234``; ``1234.5`` -> ``1.235`` (half-up); missing -> ``–``."""
    return fmt_num(value, 0, lang=lang)


def fmt_pct(value: object, decimals: int = 1, *, lang: str = "id") -> str:
    """A fraction as a percentage: ``0.873`` -> ``87,3%``; missing -> ``–``."""
    d = _finite_decimal(value)
    return MISSING if d is None else _number(d * 100, decimals, lang) + "%"


def fmt_delta(value: object, decimals: int = 1, *, kind: str = "points", lang: str = "id") -> str:
    """A KPI change with its sign, for ``st.metric(delta=...)`` and tables.

    kind "points": a difference of two fractions, in percentage points: ``0.03`` -> ``+3,0 poin``.
    kind "pct": a relative change: ``0.125`` -> ``+12,5%``.
    kind "number": a plain difference: ``fmt_delta(12, 0, kind="number")`` -> ``+12``.

    A change that rounds to zero has no sign (``0,0 poin``). Negative values start with an ASCII
    "-", which is what ``st.metric`` reads to draw the arrow and colour. Missing -> ``–``.
    """
    if kind not in ("points", "pct", "number"):
        raise ValueError(f"kind must be 'points', 'pct' or 'number', not {kind!r}")
    d = _finite_decimal(value)
    if d is None:
        return MISSING
    if kind in ("points", "pct"):
        d *= 100
    text = _number(d, decimals, lang)
    if text.lstrip("-").strip("0.,") == "":  # rounds to zero: no sign, no "-0,0"
        text = text.lstrip("-")
    elif not text.startswith("-"):
        text = "+" + text
    if kind == "points":
        return f"{text} {_DELTA_UNITS['points'].get(lang, 'poin')}"
    if kind == "pct":
        return text + "%"
    return text


def tz_label(tz: str | None, when: datetime | None = None) -> str:
    """``Asia/Jakarta`` -> ``WIB``, ``Asia/Makassar`` -> ``WITA``, ``Asia/Jayapura`` -> ``WIT``;
    other zones give their abbreviation at ``when`` (``UTC``, ``EST``)."""
    if not tz:
        return "UTC"
    if tz in _TZ_LABELS:
        return _TZ_LABELS[tz]
    moment = when or datetime(2025, 1, 1)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(ZoneInfo(tz)).tzname() or tz


def _local(ts: object, tz: str | None) -> datetime | date | None:
    """A datetime shown in ``tz``: aware values are converted, naive ones are taken as already
    local (the store's values are all aware, in UTC)."""
    if is_missing(ts):
        return None
    if isinstance(ts, str):
        ts = pd.Timestamp(ts)
    if isinstance(ts, datetime):  # includes pd.Timestamp
        if ts.tzinfo is not None and tz:
            ts = ts.astimezone(ZoneInfo(tz))
        return ts
    if isinstance(ts, date):
        return ts
    return pd.Timestamp(ts).to_pydatetime()  # numpy datetime64 and the like


def fmt_date(ts: object, tz: str | None = None, *, lang: str = "id") -> str:
    """``13 Jun 2025`` (``13 Agu 2025``; English ``13 Aug 2025``) in zone ``tz``; missing -> ``–``."""
    d = _local(ts, tz)
    if d is None:
        return MISSING
    months = MONTHS.get(lang, MONTHS["id"])
    return f"{d.day} {months[d.month - 1]} {d.year}"


def fmt_datetime(ts: object, tz: str | None = None, *, lang: str = "id", zone: bool = True) -> str:
    """``13 Jun 2025 15.05 WIB`` (Indonesian time uses a period; English ``15:05``).

    Without ``tz`` an aware value keeps its own zone; a naive one gets no zone label.
    ``zone=False`` leaves the label off (a table that names the zone once, in its header).
    """
    d = _local(ts, tz)
    if d is None:
        return MISSING
    if not isinstance(d, datetime):
        return fmt_date(d, tz, lang=lang)
    sep = "." if lang == "id" else ":"
    text = f"{fmt_date(d, None, lang=lang)} {d.hour:02d}{sep}{d.minute:02d}"
    if not zone:
        return text
    if tz:
        return f"{text} {tz_label(tz, d)}"
    if d.tzinfo is not None:
        return f"{text} {d.tzname()}"
    return text


def fmt_days(value: object, decimals: int = 1, *, lang: str = "id") -> str:
    """A duration in days: ``2.25`` -> ``2,3 hari`` / ``2.3 days``; missing -> ``–``."""
    if is_missing(value):
        return MISSING
    unit = "hari" if lang == "id" else ("day" if round_half_up(float(value), decimals) == 1 else "days")
    return f"{fmt_num(value, decimals, lang=lang)} {unit}"



def fmt_limit(days: int | None, hours: float | None, *, lang: str = "id") -> str:
    """A policy limit: ``8 hari kerja`` / ``8 working days``, ``24 jam`` / ``24 hours``."""
    if days is not None:
        return f"{fmt_int(days, lang=lang)} " + ("hari kerja" if lang == "id" else "working day" + ("" if days == 1 else "s"))
    if hours is not None:
        text = fmt_num(hours, 0 if float(hours).is_integer() else 1, lang=lang)
        return f"{text} " + ("jam" if lang == "id" else "hour" + ("" if hours == 1 else "s"))
    return MISSING
