"""Importing an export into the store: check rows, match names, merge snapshots, one transaction.

The rules (docs/data-model.md has them in plain words):
- A file already imported (same sha256 for the same source) changes nothing and says so.
- A complaint is keyed by (source, source_id). A newer snapshot overwrites what it carries and
  keeps what it leaves empty; an older snapshot only fills gaps.
- Every status change is written to status_history at the snapshot's time, and every unit a
  complaint is seen with (first, and each change in a newer snapshot) to unit_history.
- Stage times a source does not report are estimated from snapshots: a stage first shown reached
  in snapshot S gets time S (flagged estimated) when there is a lower bound, i.e. the complaint was
  seen before S in a status that had not reached it, or was received after the source's previous
  snapshot. A complaint first seen already past a stage, with no lower bound, keeps that stage time
  empty: "reached, time unknown" is honest; S would invent a duration.
- Everything is written in one transaction: a failure leaves the store exactly as before.
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from analytics import store
from analytics.importers.detect import read_export
from analytics.importers.errors import RefusedFile
from analytics.importers.parsed import ParsedFile
from analytics.importers.statuses import status_key
from analytics.importers.validate import EARLIEST_TIME, FUTURE_SLACK, check_rows, reached_stages, reason_counts
from analytics.rules.model import CANONICAL_COLUMNS, ESTIMATED_AFTER, ESTIMATED_FLAGS, STATUSES
from analytics.rules.names import match_desa, match_kecamatan, match_units
from analytics.rules.region_guess import guess_region
from analytics.rules.regions import detect_region, load_region, resolve_region
from analytics.security import audit
from analytics.security.privacy import strip_anonymous

_FIELDS = [c for c in CANONICAL_COLUMNS if c not in ("source", "source_id")]
_OPEN_STATUSES = [code for code, status in STATUSES.items() if status.is_open]
_TOP_UNKNOWN = 20  # the report lists the most frequent unknown names; the Data page lists all


@dataclass(frozen=True)
class Actor:
    """Who imports (the CLI user, a dashboard login), for the import's audit row: it is written
    in the import's own transaction, so no import is ever stored without it."""

    who: str
    role: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class ImportReport:
    file_name: str
    format: str
    source: str
    sha256: str
    region: str | None
    snapshot_at: pd.Timestamp
    batch_id: int | None
    rows_read: int
    rows_new: int
    rows_updated: int
    rows_unchanged: int
    rows_quarantined: int
    rows_duplicate: int
    quarantine_reasons: dict[str, int]
    unknown_units: dict[str, int]
    unknown_kecamatan: dict[str, int]
    unknown_desa: dict[str, int]
    stages_estimated: int
    already_imported: bool = False
    previous_batch_id: int | None = None
    control_cells: int = 0  # cells whose control characters (NUL, ...) were removed on reading
    # Status words found in no table (raw text -> rows): stored with the status their times imply.
    unknown_statuses: dict[str, int] = field(default_factory=dict)
    # How the region was recognised from the file's place names (region_guess): {"id": ..., "en": ...}.
    region_note: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        d = dict(self.__dict__)
        d["snapshot_at"] = self.snapshot_at.isoformat() if self.snapshot_at is not None else None
        return d


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _resolve_region(
    con: duckdb.DuckDBPyConnection, parsed: ParsedFile, region: str | None,
) -> tuple[str | None, dict[str, str]]:
    """(the region's slug, how it was found when the file's place names told it: the report's
    sentence per language, {} otherwise)."""
    stored = store.get_meta(con, "region")
    given = region or parsed.region_hint
    wanted = resolve_region(given) if given else (detect_region(parsed.agency) if parsed.agency else None)
    if given and wanted is None:
        raise RefusedFile(parsed.path, f"unknown region {given!r}: give a kab/kota as a slug (kota-bekasi), a "
                                       "Kemendagri code (32.75) or a name with its kind (\"Kota Bekasi\")")
    if wanted is None and not stored:
        # No agency line and no --region: the place names the file carries (region_guess).
        f = parsed.frame
        guess = guess_region(f["kecamatan_raw"], f["desa_raw"], f["unit_raw"])
        if guess.slug is None and guess.runner_up is not None:
            raise RefusedFile(parsed.path, guess.sentence("en"))
        return guess.slug, ({"id": guess.sentence("id"), "en": guess.sentence("en")} if guess.slug else {})
    if wanted and stored and wanted != stored and store.complaint_count(con) > 0:
        raise RefusedFile(
            parsed.path,
            f"file ini untuk {load_region(wanted).name}, tetapi basis data ini berisi {load_region(stored).name}: "
            "impor ke basis data tersendiri / the file is for "
            f"{load_region(wanted).name} but this store holds {load_region(stored).name}: import it into its own "
            "store (CLI: --db PATH; dashboard: PANTAU_DB)",
        )
    return wanted or stored, {}


def _counts(raw: pd.Series, code: pd.Series) -> dict[str, int]:
    unknown = raw[code.isna() & raw.notna()]
    return {str(k): int(v) for k, v in unknown.value_counts().head(_TOP_UNKNOWN).items()}


def match_names(frame: pd.DataFrame, region_slug: str | None, parsed: ParsedFile) -> tuple[pd.DataFrame, dict, dict, dict]:
    """Fill unit/kecamatan/desa codes and canonical names from the region registry."""
    f = frame.copy(deep=False)  # copy-on-write: columns are replaced below, never changed in place
    # A mapping's [areas] names what a place is called here ("Cikarang Barat Kec" cut at 30
    # characters -> "Cikarang Barat"); the raw text stays as written.
    kec_in, desa_in = (_aliased(f[c], parsed.area_aliases) for c in ("kecamatan_raw", "desa_raw"))
    if region_slug:
        region = load_region(region_slug)
        # Units on a second thread while kecamatan and desa (which needs the kecamatan) are
        # matched here: much of the work is Arrow factorize/take, which releases the GIL.
        with ThreadPoolExecutor(max_workers=1) as pool:
            units = pool.submit(match_units, f["unit_raw"], region)
            k = match_kecamatan(kec_in, region)
            d = match_desa(desa_in, k["kecamatan_code"], region)
            u = units.result()
        f["unit_code"], f["unit"], f["unit_kind"] = u["unit_code"], u["unit"], u["unit_kind"]
        f["kecamatan_code"], f["kecamatan"] = k["kecamatan_code"], k["kecamatan"]
        f["desa_code"], f["desa"] = d["desa_code"], d["desa"]
        unknown = (
            _counts(f["unit_raw"], f["unit_code"]),
            _counts(f["kecamatan_raw"], f["kecamatan_code"]),
            _counts(f["desa_raw"], f["desa_code"]),
        )
    else:
        f["unit"] = f["unit_raw"].str.strip()
        f["kecamatan"] = kec_in.str.strip()
        f["desa"] = desa_in.str.strip()
        f["unit_kind"] = f["unit_kind"].where(f["unit"].isna(), parsed.default_unit_kind or "tidak_dikenal")
        unknown = ({}, {}, {})
    if parsed.unit_aliases:
        key = f["unit_raw"].map(status_key, na_action="ignore")  # the key mapping.py made them with
        aliased = key.map(parsed.unit_aliases)
        f["unit"] = aliased.where(aliased.notna() & f["unit_code"].isna(), f["unit"])
    f["unit_kind"] = f["unit_kind"].where(f["unit"].notna() | f["unit_kind"].notna(), pd.NA)
    return (f, *unknown)


def _aliased(raw: pd.Series, aliases: dict[str, str]) -> pd.Series:
    """``raw`` with each value that has an alias (compared lower-cased, single spaces) replaced."""
    if not aliases:
        return raw
    hit = raw.map(status_key, na_action="ignore").map(aliases)
    return hit.where(hit.notna(), raw).astype(raw.dtype)


def _equal(a: pd.Series, b: pd.Series) -> np.ndarray:
    both_na = (a.isna() & b.isna()).to_numpy()
    same = (a == b).fillna(False).to_numpy(dtype=bool)
    return both_na | same


def merge_snapshot(
    incoming: pd.DataFrame, existing: pd.DataFrame, snapshot_at: pd.Timestamp, prev_source_snapshot: pd.Timestamp | None
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray, int]:
    """Combine incoming rows with what the store holds.

    Returns (rows to write, is_new, is_changed, status_changed, stages estimated); rows to write are
    in incoming's order and hold the merged values.
    """
    if existing.empty:
        return _all_new(incoming, snapshot_at, prev_source_snapshot)
    old = existing.rename(columns={c: c + "_old" for c in existing.columns if c not in ("source", "source_id")})
    keyed = incoming.merge(old, on=["source", "source_id"], how="left", indicator=True)
    is_new = (keyed["_merge"] == "left_only").to_numpy()
    newer = is_new | (keyed["last_snapshot_at_old"] <= snapshot_at).fillna(True).to_numpy()
    out = pd.DataFrame({"source": keyed["source"], "source_id": keyed["source_id"]})
    for col in _FIELDS:
        new, old = keyed[col], keyed[col + "_old"]
        if col in ESTIMATED_FLAGS.values() or col in ESTIMATED_AFTER.values():
            continue
        preferred = new.where(newer, old).where(~is_new, new)
        fallback = old.where(newer, new)
        out[col] = preferred.where(preferred.notna(), fallback) if new.dtype == old.dtype else preferred.combine_first(fallback)
    # Estimated flags and their lower bounds follow the value they describe: a reported time
    # clears both.
    for time_col, flag in ESTIMATED_FLAGS.items():
        reported_new = keyed[time_col].notna().to_numpy() & ~keyed[flag].fillna(False).to_numpy(dtype=bool)
        old_flag = keyed[flag + "_old"].fillna(False).to_numpy(dtype=bool)
        out[flag] = np.where(reported_new, keyed[flag].fillna(False).to_numpy(dtype=bool), old_flag)
        after = ESTIMATED_AFTER[time_col]
        out[after] = keyed[after + "_old"].where(~reported_new)
    out[list(ESTIMATED_FLAGS.values())] = out[list(ESTIMATED_FLAGS.values())].astype(bool)
    out["status"] = out["status"].astype("str")

    reached_before = reached_stages(keyed["status_old"].astype("str"))
    lower_bound = np.where(is_new, _received_after(keyed["received_at"], prev_source_snapshot), True)
    # The stage happened after the complaint was last seen without it (the store's previous
    # snapshot of it), and after its receipt.
    after = keyed["last_snapshot_at_old"].where(~is_new)
    after = after.where(after > out["received_at"], out["received_at"])
    estimated = _estimate(out, reached_before, lower_bound & newer, snapshot_at, after)

    changed = np.zeros(len(out), dtype=bool)
    for col in _FIELDS:
        changed |= ~_equal(out[col], keyed[col + "_old"] if col + "_old" in keyed else keyed[col])
    changed &= ~is_new
    status_changed = is_new | (~_equal(out["status"], keyed["status_old"]) & newer)
    moved = ~_equal(_unit_key(out["unit_code"], out["unit_raw"]), _unit_key(keyed["unit_code_old"], keyed["unit_raw_old"]))
    out["unit_moved"] = _unit_seen(out) & (is_new | (moved & newer))
    out["last_snapshot_at_old"] = keyed["last_snapshot_at_old"]
    out["first_batch_id_old"] = keyed["first_batch_id_old"]
    return out, is_new, changed, status_changed, estimated


def _write_rows(
    con: duckdb.DuckDBPyConnection, rows: pd.DataFrame, is_new: np.ndarray, changed: np.ndarray,
    status_changed: np.ndarray, batch_id: int, snap: pd.Timestamp,
) -> None:
    """Insert new complaints, overwrite changed ones and log status changes, all from one
    registered frame: the batch columns and the history rows are made in SQL rather than as
    million-row pandas copies. New rows are known to be absent (read in this transaction), so
    they take a plain INSERT: DuckDB's ON CONFLICT path is several times slower per row
    (measured 11.7 s against 2.7 s for a million rows)."""
    fields = ["source", "source_id", *_FIELDS]
    scanned = [*fields, "first_batch_id_old", "last_snapshot_at_old"]
    # A column with no value at all (a first import's *_old columns, fields the format does not
    # carry) is written as a NULL constant instead of being scanned from the frame: DuckDB
    # otherwise converts a million missing cells per column.
    empty = {c for c in scanned if c != "source_id" and not rows[c].notna().any()}
    col = {c: "NULL" if c in empty else f'"{c}"' for c in scanned}
    cols = ", ".join(f'"{c}"' for c in [*fields, "first_batch_id", "last_batch_id", "last_snapshot_at"])
    values = (", ".join(col[c] for c in fields) + f", coalesce({col['first_batch_id_old']}, $batch), $batch, "
              f"CASE WHEN {col['last_snapshot_at_old']} > $snap THEN {col['last_snapshot_at_old']} ELSE $snap END")
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in [*_FIELDS, "last_batch_id", "last_snapshot_at"])
    frame = rows[[c for c in scanned if c not in empty]].copy(deep=False)
    frame["is_new"], frame["is_changed"], frame["status_changed"] = is_new, changed & ~is_new, status_changed
    frame["unit_moved"] = rows["unit_moved"].to_numpy(dtype=bool)
    # An open complaint seen again unchanged is stamped with this snapshot too: a stage it reaches
    # later is then known to have happened after this snapshot (the lower bound of an estimate).
    # Closed ones can reach no further stage, so a re-export of years of closed cases writes nothing.
    frame["seen_open"] = (~is_new & ~changed & rows["status"].isin(_OPEN_STATUSES).to_numpy()
                          & (rows["last_snapshot_at_old"] < snap).fillna(False).to_numpy(dtype=bool))
    statements = [
        (is_new, "INSERT INTO complaints (" + cols + ") SELECT " + values + " FROM incoming_rows WHERE is_new"),
        (changed & ~is_new, "INSERT INTO complaints (" + cols + ") SELECT " + values + " FROM incoming_rows "
                            "WHERE is_changed ON CONFLICT (source, source_id) DO UPDATE SET " + updates),
        (frame["seen_open"].to_numpy(), "UPDATE complaints AS c SET last_snapshot_at = $snap FROM incoming_rows AS i "
                                        "WHERE i.seen_open AND c.source = i.source AND c.source_id = i.source_id"),
        (frame["unit_moved"].to_numpy(), "INSERT INTO unit_history SELECT "
                                         + ", ".join(col[c] for c in ("source", "source_id", "unit_code", "unit_raw"))
                                         + ", $snap, $batch FROM incoming_rows WHERE unit_moved"),
        (status_changed, "INSERT INTO status_history SELECT "
                         + ", ".join(col[c] for c in ("source", "source_id", "status", "status_raw"))
                         + ", $snap, $batch FROM incoming_rows WHERE status_changed"),
    ]
    params = {"batch": int(batch_id), "snap": snap.to_pydatetime()}
    con.register("incoming_rows", frame)
    try:
        for part, sql in statements:
            if part.any():
                _parallel(con, sql, {k: v for k, v in params.items() if f"${k}" in sql})
    finally:
        con.unregister("incoming_rows")


def _parallel(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> None:
    """Run an INSERT with preserve_insertion_order off, so DuckDB writes on every thread (1M
    rows: 2.35 s -> 1.3 s). Stored rows have keys, not an order: readers sort or group.
    The connection's setting is restored, also on failure."""
    before = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
    con.execute("SET preserve_insertion_order = false")
    try:
        con.execute(sql, params)
    finally:
        con.execute("SET preserve_insertion_order = " + ("true" if before else "false"))


def _unit_key(code: pd.Series, raw: pd.Series) -> pd.Series:
    """The unit a row names: its code, or the unknown name itself."""
    return code.astype("string").where(code.notna(), "?" + raw.astype("string"))


def _unit_seen(out: pd.DataFrame) -> np.ndarray:
    """Rows that name a unit (a code, or a name the registry does not know)."""
    return (out["unit_code"].notna() | out["unit_raw"].notna()).to_numpy(dtype=bool)


def _received_after(received: pd.Series, prev_source_snapshot: pd.Timestamp | None) -> np.ndarray:
    if prev_source_snapshot is None:
        return np.zeros(len(received), dtype=bool)
    return (received > prev_source_snapshot).to_numpy(dtype=bool)


def _estimate(
    out: pd.DataFrame, reached_before: dict[str, np.ndarray], allowed: np.ndarray, snapshot_at: pd.Timestamp,
    after: pd.Series,
) -> int:
    """Stage estimation from the snapshot (module docstring): fill, in place, each stage time the
    status shows reached for the first time, where ``allowed`` (a lower bound exists and the
    snapshot is the newest) holds, with ``after`` (per row: the moment it is known to have
    happened after) as its lower bound. Returns how many stage times were estimated."""
    reached_now = reached_stages(out["status"])
    estimated = 0
    for time_col, flag in ESTIMATED_FLAGS.items():
        fill = reached_now[time_col] & ~reached_before[time_col] & out[time_col].isna().to_numpy() & allowed
        if fill.any():
            out.loc[fill, time_col] = snapshot_at
            out.loc[fill, flag] = True
            out.loc[fill, ESTIMATED_AFTER[time_col]] = after[fill]
            estimated += int(fill.sum())
    return estimated


def _all_new(
    incoming: pd.DataFrame, snapshot_at: pd.Timestamp, prev_source_snapshot: pd.Timestamp | None
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray, int]:
    """merge_snapshot when the store holds none of the incoming complaints (a first import, or an
    export of only new complaints): the same result without the row-by-row merge, which costs
    seconds at a million rows. Every row is new, so its values are the incoming ones, its flags
    are cleared (estimates are only made here), and its status is a change."""
    n = len(incoming)
    out = incoming[["source", "source_id", *_FIELDS]].copy(deep=False)
    for flag in ESTIMATED_FLAGS.values():
        out[flag] = np.zeros(n, dtype=bool)
    out["status"] = out["status"].astype("str")
    nothing_before = {c: np.zeros(n, dtype=bool) for c in ESTIMATED_FLAGS}
    # New complaints are estimated only when received after the source's previous snapshot:
    # the stage happened after their receipt.
    estimated = _estimate(out, nothing_before, _received_after(incoming["received_at"], prev_source_snapshot),
                          snapshot_at, out["received_at"])
    out["last_snapshot_at_old"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[us, UTC]")
    out["first_batch_id_old"] = pd.Series(pd.NA, index=out.index, dtype="Int64")
    out["unit_moved"] = _unit_seen(out)
    return out, np.ones(n, dtype=bool), np.zeros(n, dtype=bool), np.ones(n, dtype=bool), estimated


def import_file(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    *,
    fmt: str | None = None,
    mapping: str | Path | None = None,
    tz: str | None = None,
    region: str | None = None,
    source: str | None = None,
    snapshot_at: pd.Timestamp | None = None,
    now: datetime | None = None,
    actor: Actor | None = None,
) -> ImportReport:
    """Import one file into the store behind ``con``; see the module docstring for the rules.

    With ``actor``, the audit row of the import (analytics.security.audit, action "import") is
    written in the same transaction as the import. Raises RefusedFile (nothing written; the
    caller audits the refusal) for a file that cannot be imported at all.
    """
    path = Path(path)
    now = now or datetime.now(UTC)
    # Hash the file on a second thread while it is parsed (hashlib releases the GIL).
    with ThreadPoolExecutor(max_workers=1) as pool:
        hashing = pool.submit(file_sha256, path)
        parsed = read_export(path, fmt=fmt, mapping_path=mapping, tz=tz, source=source)
        digest = hashing.result()
    parsed = replace(parsed, frame=strip_anonymous(parsed.frame))  # Anonim: identity never stored
    prior = con.execute(
        "SELECT batch_id FROM import_batches WHERE sha256 = $h AND source = $s ORDER BY batch_id LIMIT 1",
        {"h": digest, "s": parsed.source},
    ).fetchall()
    snap = snapshot_at if snapshot_at is not None else (parsed.snapshot_at or pd.Timestamp(now))
    snap = pd.Timestamp(snap).tz_convert("UTC") if pd.Timestamp(snap).tzinfo else pd.Timestamp(snap).tz_localize("UTC")
    _check_snapshot(path, snap, now)
    region_slug, region_note = _resolve_region(con, parsed, region)
    if prior:
        again = ImportReport(
            file_name=path.name, format=parsed.format, source=parsed.source, sha256=digest, region=region_slug,
            snapshot_at=snap, batch_id=None, rows_read=len(parsed.frame), rows_new=0, rows_updated=0,
            rows_unchanged=len(parsed.frame), rows_quarantined=0, rows_duplicate=0, quarantine_reasons={},
            unknown_units={}, unknown_kecamatan={}, unknown_desa={}, stages_estimated=0,
            already_imported=True, previous_batch_id=int(prior[0][0]),
        )
        _audit(con, actor, again, now)  # nothing else is written: one statement
        return again
    if store.get_meta(con, "is_demo") == "1" and parsed.source != "demo":
        raise RefusedFile(
            path,
            "this store holds the demo regency; remove it first with `python -m analytics demo --clear` "
            "or import into another store with --db PATH",
        )

    checked = check_rows(parsed, latest=snap)  # stage times later than the snapshot (+1 day) are quarantined
    good, unknown_units, unknown_kec, unknown_desa = match_names(checked.good, region_slug, parsed)
    prev = con.execute(
        "SELECT max(snapshot_at) FROM import_batches WHERE source = $s AND snapshot_at < $t",
        {"s": parsed.source, "t": snap.to_pydatetime()},
    ).fetchall()[0][0]
    prev_snap = pd.Timestamp(prev).tz_convert("UTC") if prev is not None else None

    con.execute("BEGIN TRANSACTION")
    try:
        batch_id = con.execute("SELECT nextval('import_batch_seq')").fetchall()[0][0]
        stored = con.execute(
            "SELECT count(*) FROM complaints WHERE source = $s", {"s": parsed.source}
        ).fetchall()[0][0]
        existing = pd.DataFrame()
        if stored:  # a first import of a source has nothing to look up
            keys = good[["source", "source_id"]]
            con.register("incoming_keys", keys)
            existing = con.execute(
                "SELECT c.* FROM complaints c JOIN incoming_keys k USING (source, source_id)"
            ).df()
            con.unregister("incoming_keys")
        if existing.empty:
            existing = pd.DataFrame(
                {c: pd.Series(dtype=good[c].dtype) for c in ["source", "source_id", *_FIELDS]}
                | {"last_snapshot_at": pd.Series(dtype="datetime64[us, UTC]"), "first_batch_id": pd.Series(dtype="Int64")}
            )
        else:
            existing = existing.astype({c: good[c].dtype for c in ["source", "source_id", *_FIELDS] if c in existing})
        rows, is_new, changed, status_changed, estimated = merge_snapshot(
            good, existing[["source", "source_id", *_FIELDS, "last_snapshot_at", "first_batch_id"]], snap, prev_snap
        )
        _write_rows(con, rows, is_new, changed, status_changed, batch_id, snap)
        if len(checked.bad):
            q = pd.DataFrame(
                {
                    "batch_id": batch_id,
                    "row_number": checked.bad["row_number"].astype("int64"),
                    "source_id": checked.bad["source_id"],
                    "raw_json": [json.dumps(r, ensure_ascii=False, default=str) for r in checked.bad["raw"]],
                    "reasons": checked.bad["reasons"],
                }
            )
            con.register("q", q)
            con.execute("INSERT INTO quarantine SELECT batch_id, row_number, source_id, raw_json, reasons FROM q")
            con.unregister("q")
        report = ImportReport(
            file_name=path.name,
            format=parsed.format,
            source=parsed.source,
            sha256=digest,
            region=region_slug,
            snapshot_at=snap,
            batch_id=int(batch_id),
            rows_read=len(parsed.frame),
            rows_new=int(is_new.sum()),
            rows_updated=int(changed.sum()),
            rows_unchanged=int((~is_new & ~changed).sum()),
            rows_quarantined=len(checked.bad),
            rows_duplicate=checked.duplicates,
            quarantine_reasons=reason_counts(checked.bad),
            unknown_units=unknown_units,
            unknown_kecamatan=unknown_kec,
            unknown_desa=unknown_desa,
            stages_estimated=estimated,
            control_cells=parsed.control_cells,
            unknown_statuses=checked.unknown_statuses, region_note=region_note,
        )
        con.execute(
            "INSERT INTO import_batches VALUES ($id, $file, $sha, $fmt, $src, $agency, $region, $snap, $read, $new, "
            "$upd, $same, $quar, $dup, $at, $json)",
            {
                "id": batch_id, "file": path.name, "sha": digest, "fmt": parsed.format, "src": parsed.source,
                "agency": parsed.agency, "region": region_slug, "snap": snap.to_pydatetime(),
                "read": report.rows_read, "new": report.rows_new, "upd": report.rows_updated,
                "same": report.rows_unchanged, "quar": report.rows_quarantined, "dup": report.rows_duplicate,
                "at": now, "json": json.dumps(report.as_dict(), ensure_ascii=False, default=str),
            },
        )
        if region_slug and not store.get_meta(con, "region"):
            store.set_meta(con, "region", region_slug)
        _audit(con, actor, report, now)  # in the transaction: the import and its audit row, or neither
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return report


def _audit(con: duckdb.DuckDBPyConnection, actor: Actor | None, report: ImportReport, now: datetime) -> None:
    if actor is not None:
        audit.record(con, who=actor.who, role=actor.role, unit=actor.unit, action="import", at=now,
                     detail={"file": report.file_name, "batch": report.batch_id, "rows_read": report.rows_read,
                             "rows_new": report.rows_new})


def _check_snapshot(path: Path, snap: pd.Timestamp, now: datetime) -> None:
    """The export's moment (--snapshot, or the file's "Tanggal Generate") in the window its stage
    times must keep (validate.EARLIEST_TIME .. now + FUTURE_SLACK): a year-1 or year-9999 snapshot
    would become the store's data moment, and every league would be judged at it."""
    latest = pd.Timestamp(now)
    latest = (latest if latest.tzinfo else latest.tz_localize("UTC")) + FUTURE_SLACK
    if not EARLIEST_TIME <= snap <= latest:
        shown = str(snap)[:25]
        raise RefusedFile(path, f"waktu ekspor {shown} (--snapshot, atau 'Tanggal Generate' di berkas) sebelum "
                                f"{EARLIEST_TIME.date()} atau lebih dari sehari setelah sekarang / the export's time "
                                f"{shown} (--snapshot, or the file's 'Tanggal Generate') is before "
                                f"{EARLIEST_TIME.date()} or more than a day after now")
