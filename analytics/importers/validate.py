"""Row checks applied to every import, whatever its format.

A row that fails a check goes to quarantine with every reason it failed (codes below, with the
offending value); the rest of the file is imported. Exact duplicate rows are counted and
dropped, not quarantined: exports often repeat a row, and the repeat carries nothing new.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field

import numpy as np
import pandas as pd

from analytics.importers.parsed import ParsedFile
from analytics.rules.model import CANONICAL_COLUMNS, STAGE_TIMES, STATUSES, reason_code
from analytics.security.privacy import mask_text, strip_anonymous_raw

_CONTENT = [c for c in CANONICAL_COLUMNS if c != "source"]
# The window every stage time must fall in (docs/import-template.md, "What happens to bad rows"):
# no complaint channel of a regency existed before 2000, and no stage can happen after the export
# was taken; a day of slack covers zones and clocks set wrong by hours. Year 1 and 9999 (filler
# dates, typos) used to be stored, and a league over them stopped with "year 0 is out of range".
EARLIEST_TIME = pd.Timestamp("2000-01-01", tz="Asia/Jakarta")
FUTURE_SLACK = pd.Timedelta(days=1)


@dataclass(frozen=True)
class Checked:
    """``good``: rows to store (unique by source_id). ``bad``: line number, source_id, raw row
    as a dict and the reasons, for quarantine. ``duplicates``: exact repeats dropped."""

    good: pd.DataFrame
    bad: pd.DataFrame
    duplicates: int
    # Status words found in no table: raw text -> rows. Those rows are kept, with the status their
    # stage times imply (infer_status), never quarantined.
    unknown_statuses: dict[str, int] = dataclass_field(default_factory=dict)


def _add(reasons: pd.Series, mask: pd.Series | np.ndarray, text: pd.Series | str | Callable[[], pd.Series]) -> pd.Series:
    """Append the reason ``text`` to the rows in ``mask``. A callable ``text`` is only built when
    some row needs it: most files have no bad rows, and building a million reason strings to
    throw them away cost a second per import."""
    if not mask.any():
        return reasons
    if callable(text):
        text = text()
    piece = text if isinstance(text, str) else text.astype("str")
    addition = pd.Series(piece, index=reasons.index).where(mask, "")
    joined = reasons.where(reasons == "", reasons + "; ") + addition
    return joined.where(mask, reasons)


def infer_status(frame: pd.DataFrame) -> pd.Series:
    """The status implied by which stage times are filled, for files that carry no status."""
    status = pd.Series("menunggu_verifikasi", index=frame.index, dtype="str")
    for col, code in [
        ("verified_at", "terverifikasi"),
        ("dispatched_at", "didisposisi"),
        ("first_response_at", "ditindaklanjuti"),
        ("resolved_at", "selesai"),
    ]:
        status = status.mask(frame[col].notna(), code)
    return status


def check_rows(parsed: ParsedFile, latest: pd.Timestamp | None = None) -> Checked:
    """``latest``: the snapshot (or import) time; a stage time more than FUTURE_SLACK after it, or
    before EARLIEST_TIME, goes to quarantine as ``time_out_of_range``."""
    f = parsed.frame.copy(deep=False)  # copy-on-write: the parsed frame is never changed
    f["_line"] = parsed.line_numbers.to_numpy()
    # Files without a status column: derive it from the stage times.
    no_status_given = f["status_raw"].isna() & f["status"].isna()
    if no_status_given.any():
        f.loc[no_status_given, "status"] = infer_status(f.loc[no_status_given])

    # 1. Exact duplicate rows (same canonical content): count, keep the first. Rows that repeat
    # each other share their id (or both lack one), so only those rows need their content hashed.
    dup = np.zeros(len(f), dtype=bool)
    maybe = (f["source_id"].duplicated(keep=False) | f["source_id"].isna()).to_numpy()
    if maybe.sum() > 1:
        digest = pd.util.hash_pandas_object(f.loc[maybe, list(_CONTENT)], index=False)
        dup[maybe] = digest.duplicated(keep="first").to_numpy()
    duplicates = int(dup.sum())
    raw = parsed.raw
    values = dict(parsed.raw_values)
    if duplicates:
        f = f.loc[~dup]
        raw = raw.loc[~dup]
        values = {k: v.loc[~dup] for k, v in values.items()}

    reasons = pd.Series("", index=f.index, dtype="str")
    reasons = _add(reasons, f["source_id"].isna(), "missing_id")
    for field in STAGE_TIMES:
        text = values.get(field)
        if text is not None:
            bad = f[field].isna() & text.notna()
            reasons = _add(reasons, bad, lambda field=field, text=text: "bad_time:" + field + "=" + text.fillna("").str.slice(0, 40))
    rec_missing = f["received_at"].isna()
    rec_text = values.get("received_at")
    if rec_text is not None:
        rec_missing = rec_missing & rec_text.isna()
    reasons = _add(reasons, rec_missing, "missing_received_at")
    # Plain numpy instants: NaT compares False, like the missing times it stands for.
    t = {c: f[c].to_numpy(dtype="datetime64[us]") for c in STAGE_TIMES}
    for field in STAGE_TIMES[1:]:
        early = t[field] < t["received_at"]
        code = "resolved_before_received" if field == "resolved_at" else "before_received:" + field
        reasons = _add(reasons, early, code)
    # Stage order after receipt: verified <= dispatched <= first response <= resolved.
    order = ["verified_at", "dispatched_at", "first_response_at", "resolved_at"]
    for a_i, a in enumerate(order):
        for b in order[a_i + 1 :]:
            wrong = (t[b] < t[a]) & ~(t[b] < t["received_at"])
            reasons = _add(reasons, wrong, f"stage_order:{b}<{a}")
    lo = np.datetime64(EARLIEST_TIME.tz_convert("UTC").tz_localize(None), "us")
    hi = np.datetime64((latest + FUTURE_SLACK).tz_convert("UTC").tz_localize(None), "us") if latest is not None else None
    for name in STAGE_TIMES:  # NaT compares False: a missing time is never out of range
        outside = (t[name] < lo) | (t[name] > hi) if hi is not None else t[name] < lo
        shown = values.get(name)
        reasons = _add(reasons, outside, lambda name=name, shown=shown: "time_out_of_range:" + name + "=" + (
            shown.fillna("") if shown is not None else f[name].astype("str")).str.slice(0, 40))
    # An unknown status word never costs a complaint: the row keeps its text (status_raw) and gets
    # the status its times imply; the report lists the word with its count and the fix.
    unknown = f["status"].isna() & f["status_raw"].notna()
    unknown_statuses: dict[str, int] = {}
    if unknown.any():
        unknown_statuses = {str(k): int(v) for k, v in f.loc[unknown, "status_raw"].value_counts().items()}
        f = f.copy()
        f.loc[unknown, "status"] = infer_status(f.loc[unknown])
    for field in ("lat", "lon", "rating", "redispatch_count"):
        text = values.get(field)
        if text is not None:
            bad = f[field].isna() & text.notna()
            reasons = _add(reasons, bad, lambda field=field, text=text: "bad_number:" + field + "=" + text.fillna("").str.slice(0, 40))
    rating = f["rating"].astype("float64")
    reasons = _add(reasons, ((rating < 1) | (rating > 5)).fillna(False), "rating_out_of_range")
    lat, lon = f["lat"], f["lon"]
    reasons = _add(
        reasons, ((lat.abs() > 90) | (lon.abs() > 180)).fillna(False), "bad_coordinates"
    )
    reasons = _add(reasons, (f["redispatch_count"].astype("float64") < 0).fillna(False), "negative_redispatch")

    # 2. An id seen twice with different content: we cannot tell which is right, keep neither.
    repeated = maybe[~dup] if duplicates else maybe  # "duplicated or missing", computed above
    if repeated.any():
        conflict = f["source_id"].notna() & f["source_id"].duplicated(keep=False)
        reasons = _add(reasons, conflict, "duplicate_id_conflict")

    bad_mask = (reasons != "").to_numpy()
    if not bad_mask.any():
        good = f.drop(columns="_line").reset_index(drop=True)
        good["redispatch_count"] = good["redispatch_count"].fillna(0)
        empty = pd.DataFrame({"row_number": pd.Series(dtype="int64"), "source_id": pd.Series(dtype="str"),
                              "raw": pd.Series(dtype=object), "reasons": pd.Series(dtype="str")})
        return Checked(good=good, bad=empty, duplicates=duplicates, unknown_statuses=unknown_statuses)
    # Anonim: the reporter's identity is never stored, and the raw row is stored. So it leaves
    # here without identity columns, with numbers in its other cells and in the reasons (which
    # quote the value that failed) masked.
    anon = f.loc[bad_mask, "anonymous"].fillna(False).astype("bool")
    bad_reasons = reasons[bad_mask]
    if anon.any():
        bad_reasons = bad_reasons.where(~anon, bad_reasons.map(mask_text))
    bad = pd.DataFrame(
        {
            "row_number": f.loc[bad_mask, "_line"].astype("int64"),
            "source_id": f.loc[bad_mask, "source_id"],
            "raw": strip_anonymous_raw(raw.loc[bad_mask].to_dict(orient="records"), anon.tolist(),
                                       parsed.identity_columns),
            "reasons": bad_reasons,
        }
    )
    good = f.loc[~bad_mask].drop(columns="_line").reset_index(drop=True)
    good["redispatch_count"] = good["redispatch_count"].fillna(0)
    return Checked(good=good, bad=bad.reset_index(drop=True), duplicates=duplicates,
                   unknown_statuses=unknown_statuses)


def reason_counts(bad: pd.DataFrame) -> dict[str, int]:
    """How many quarantined rows failed each check (a row can fail several)."""
    if bad.empty:
        return {}
    codes = bad["reasons"].str.split("; ").explode().map(reason_code)
    return {str(k): int(v) for k, v in codes.value_counts().items()}


def reached_stages(status: pd.Series) -> dict[str, np.ndarray]:
    """Per stage time, a mask of rows whose status shows that stage was reached."""
    out = {}
    for field in STAGE_TIMES[1:]:
        codes = [c for c, s in STATUSES.items() if field in s.reached]
        out[field] = status.isin(codes).to_numpy()
    return out
