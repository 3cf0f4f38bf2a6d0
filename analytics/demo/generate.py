"""Synthetic complaints for the demo regency (Kab. Bekasi) in the Pantau template format.

The places and the units are real (data/regions/kab-bekasi/); every complaint is invented.
``generate_demo`` is pure and deterministic for (seed, months, rows, end): one
``np.random.default_rng(seed)`` drives every draw and the reference time ``end`` is a parameter.
Everything is vectorised with numpy (loops only over a few dozen groups), so a million rows
take seconds. docs/demo-data.md explains what the data contains and its knobs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from analytics.demo import calendar as tm
from analytics.demo import catalog as cat
from analytics.demo import habits
from analytics.demo.geo import sample_points
from analytics.demo.region import Region, load_region
from analytics.importers.pantau import COLUMNS as PANTAU_COLUMNS
from analytics.rules.model import STATUSES

# The demo is an export in the Pantau template: one header, defined by its importer.
TEMPLATE_COLUMNS: tuple[str, ...] = tuple(PANTAU_COLUMNS)
ID_PREFIX = "LAA"
FLOOD_EVENT_SHARE = 0.012  # complaints added by a few flood days in the rainy season
REJECT_SHARE, ARCHIVE_SHARE = 0.022, 0.020
# Status codes from analytics/model.py STATUSES, in the order used internally.
_STATUS = (
    "menunggu_verifikasi",
    "menunggu_kelengkapan",
    "terverifikasi",
    "didisposisi",
    "ditindaklanjuti",
    "selesai",
    "diarsipkan",
    "ditolak",
)
if not set(_STATUS) <= set(STATUSES):  # pragma: no cover - guards a rename in analytics/model.py
    raise ImportError(f"demo statuses {sorted(set(_STATUS) - set(STATUSES))} are not canonical")


def _local_end(end: pd.Timestamp) -> pd.Timestamp:
    """``end`` on the WIB wall clock, tz-naive, whole seconds (naive input is taken as WIB)."""
    end = pd.Timestamp(end)
    if end.tzinfo is not None:
        end = end.tz_convert("Asia/Jakarta").tz_localize(None)
    return end.floor("s")


def _pick(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    """n draws of an index with probability proportional to ``weights`` (inverse CDF)."""
    cdf = np.cumsum(weights, dtype=float)
    return np.minimum(np.searchsorted(cdf, rng.random(n) * cdf[-1], side="right"), len(cdf) - 1)


def _pick_grouped(rng, group: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Per row, an index drawn with the weights in ``table[group[row]]``."""
    out = np.zeros(len(group), dtype=np.int64)
    for g in range(len(table)):
        rows = np.flatnonzero(group == g)
        if len(rows):
            out[rows] = _pick(rng, table[g], len(rows))
    return out


def generate_demo(
    *,
    seed: int = 7,
    months: int = 18,
    rows: int = 30_000,
    end: pd.Timestamp,
    region_dir: Path | str | None = None,
) -> pd.DataFrame:
    """``rows`` synthetic complaints received in the ``months`` before ``end``, as of ``end``:
    the Pantau template columns (TEMPLATE_COLUMNS), every value a string ('' = empty), sorted by
    received_at. ``end`` may be tz-aware or naive (naive = WIB)."""
    return demo_table(seed=seed, months=months, rows=rows, end=end, region_dir=region_dir).to_pandas()


def demo_table(
    *,
    seed: int = 7,
    months: int = 18,
    rows: int = 30_000,
    end: pd.Timestamp,
    region_dir: Path | str | None = None,
) -> pa.Table:
    """What generate_demo returns, as an Arrow table of large_string columns (for fast writing)."""
    if rows < 0 or months < 1:
        raise ValueError("rows must be >= 0 and months >= 1")
    region = load_region(region_dir)
    if rows == 0:
        return pa.table({c: pa.array([], type=pa.large_string()) for c in TEMPLATE_COLUMNS})
    rng = np.random.default_rng(seed)
    end_local = _local_end(end)
    start_local = end_local - pd.DateOffset(months=months)
    end_s = end_local.value // 10**9
    start_s = start_local.value // 10**9

    # --- calendar and daily volume ------------------------------------------------------
    off, eid = tm.holiday_calendar(start_local.year, end_local.year + 1)
    day0, day1 = start_s // tm.DAY, end_s // tm.DAY
    busday = tm.WorkCalendar(day0 - 7, day1 + 400, off)
    days = np.arange(day0, day1 + 1).astype("datetime64[D]")
    w = tm.daily_weights(days, off, eid, rng)
    w[0] *= max(1.0 - (start_s - day0 * tm.DAY) / tm.DAY, 0.02)
    w[-1] *= max((end_s - day1 * tm.DAY) / tm.DAY, 0.02)
    month = (days.astype("datetime64[M]").astype(np.int64) % 12) + 1
    cats = list(cat.CATEGORIES)
    banjir = next((i for i, c in enumerate(cats) if c.name == "Banjir"), -1)
    rainy_days = np.flatnonzero(np.isin(month, (12, 1, 2)))
    n_event = int(round(rows * FLOOD_EVENT_SHARE)) if len(rainy_days) and banjir >= 0 else 0
    base = rng.multinomial(rows - n_event, w / w.sum())
    day_idx = np.repeat(np.arange(len(days)), base)
    if n_event:
        events = rng.choice(rainy_days, size=min(3, len(rainy_days)), replace=False)
        lag = np.minimum(rng.geometric(0.45, n_event) - 1, 3)
        ev_day = np.minimum(events[rng.integers(0, len(events), n_event)] + lag, len(days) - 1)
        day_idx = np.concatenate([day_idx, ev_day])
    flood_event = np.arange(rows) >= rows - n_event
    n = rows

    # --- channel and time of day ----------------------------------------------------------
    ch_names = list(cat.CHANNELS)
    channel = _pick(rng, np.array(list(cat.CHANNELS.values())), n)
    workday = busday.work[day_idx + 7]
    office_ch = np.isin(channel, [ch_names.index(c) for c in cat.OFFICE_CHANNELS])
    channel[office_ch & ~workday] = ch_names.index("WhatsApp")
    hour_group = np.where(~workday, 2, np.where(office_ch, 1, 0))
    hour_table = np.array([cat.HOURS_DIGITAL, cat.HOURS_OFFICE, cat.HOURS_HOLIDAY])
    hour = _pick_grouped(rng, hour_group, hour_table)
    received = (day0 + day_idx) * tm.DAY + hour * tm.HOUR + rng.integers(0, tm.HOUR, n)
    outside = (received > end_s) | (received < start_s)  # partial first and last day
    lo = np.maximum((day0 + day_idx[outside]) * tm.DAY, start_s)
    hi = np.minimum((day0 + day_idx[outside] + 1) * tm.DAY - 1, end_s)
    received[outside] = lo + (rng.random(int(outside.sum())) * (hi - lo + 1)).astype(np.int64)
    received = np.clip(received, start_s, end_s)

    # --- where -------------------------------------------------------------------------
    kec = _pick(rng, region.kec_weight, n)
    if n_event:
        flood_w = region.kec_weight * np.where(region.kec_flood, 1.0, 0.02)
        kec[flood_event] = _pick(rng, flood_w, n_event)
    desa_w = rng.gamma(2.5, 1.0, len(region.desa_names)) * np.where(region.desa_urban, 1.6, 1.0)
    desa = np.full(n, -1, dtype=np.int64)
    for k in range(len(region.kec_names)):
        rows_k = np.flatnonzero(kec == k)
        members = np.flatnonzero(region.desa_kec == k)
        if len(rows_k) and len(members):
            desa[rows_k] = members[_pick(rng, desa_w[members], len(rows_k))]

    # --- what and who --------------------------------------------------------------------
    active = np.array(
        [c.unit in region.target_unit or (c.unit == "CAMAT" and (region.camat_unit >= 0).any())
         or (c.unit == "OTHER" and len(region.other_units) > 0) for c in cats]
    )  # fmt: skip
    wcat = np.array([c.weight for c in cats]) * active
    season = np.where(np.isin(month, (11, 12, 1, 2, 3)), 1, np.where(np.isin(month, (6, 7)), 2, 0))
    table = []
    for s in range(3):
        for flood in (False, True):
            mult = np.array(
                [(c.rainy if s == 1 else c.school if s == 2 else 1.0) * (c.flood if flood else 1.0)
                 for c in cats]
            )  # fmt: skip
            table.append(wcat * mult)
    category = _pick_grouped(rng, season[day_idx] * 2 + region.kec_flood[kec], np.array(table))
    if n_event:
        category[flood_event] = banjir
    # Unit per category: a fixed unit, the kecamatan's camat office (-1) or any other unit (-2).
    cat_unit = np.array(
        [-1 if c.unit == "CAMAT" else -2 if c.unit == "OTHER" else region.target_unit.get(c.unit, -3)
         for c in cats]
    )  # fmt: skip
    unit = cat_unit[category]
    is_camat = unit == -1
    is_other = unit == -2
    unit[is_camat] = region.camat_unit[kec[is_camat]]
    if len(region.other_units):
        unit[is_other] = region.other_units[rng.integers(0, len(region.other_units), is_other.sum())]
    unit[unit < 0] = region.fallback_unit  # a kecamatan without a camat office in units.csv

    u = rng.random(n)
    info = np.array([c.info for c in cats])[category]
    asp = np.array([c.aspirasi for c in cats])[category]
    klass = np.where(u < info, 2, np.where(u < info + asp, 1, 0))

    times = _stage_times(rng, region, n, received, start_s, end_s, channel, category, unit, klass,
                         is_other, eid, busday)  # fmt: skip
    verified, dispatched, first, resolved, status, redispatch, rating = times
    habits.plant(seed, region.target_unit, unit, dispatched, first, resolved, status, redispatch, rating, busday,
                 start_s, end_s)

    lat, lon = _coordinates(rng, region, kec, desa, channel, ch_names)

    # --- assemble ------------------------------------------------------------------------
    order = np.argsort(received, kind="stable")
    year = (received[order].astype("datetime64[s]").astype("datetime64[Y]").astype(np.int64) + 1970)
    first_of_year = np.searchsorted(year, year, side="left")
    seq = np.arange(n) - first_of_year + 1
    width = max(6, len(str(int(seq.max()))))
    y0 = int(year[0])
    prefixes = [f"{ID_PREFIX}-{y}-" for y in range(y0, int(year[-1]) + 1)]
    ids = pc.binary_join_element_wise(
        tm.lookup(year - y0, prefixes),
        pc.utf8_lpad(pc.cast(pa.array(seq), pa.large_string()), width, padding="0"),
        tm.EMPTY,
    )
    o = order

    columns = {
        "id": ids,
        "received_at": tm.format_times(received[o]),
        "verified_at": tm.format_times(verified[o]),
        "dispatched_at": tm.format_times(dispatched[o]),
        "first_response_at": tm.format_times(first[o]),
        "resolved_at": tm.format_times(resolved[o]),
        "status": tm.lookup(status[o], _STATUS),
        "opd": tm.lookup(unit[o], region.unit_names),
        "kecamatan": tm.lookup(kec[o], region.kec_names),
        "desa": tm.lookup(np.where(desa[o] < 0, len(region.desa_names), desa[o]), [*region.desa_names, ""]),
        "category": tm.lookup(category[o], [c.name for c in cats]),
        "classification": tm.lookup(klass[o], cat.CLASSIFICATIONS),
        "channel": tm.lookup(channel[o], ch_names),
        "lat": tm.decimals(lat[o]),
        "lon": tm.decimals(lon[o]),
        "rating": tm.lookup(rating[o], ["", "1", "2", "3", "4", "5"]),
        "redispatch_count": tm.lookup(redispatch[o], ["0", "1", "2", "3"]),
    }
    return pa.table({c: columns[c] for c in TEMPLATE_COLUMNS})


def _stage_times(rng, region: Region, n, received, start_s, end_s, channel, category, unit, klass,
                 is_other, eid, busday):  # fmt: skip
    """Verification, dispatch, first response and resolution times, truncated at ``end``."""
    cats = cat.CATEGORIES
    span = max(end_s - start_s, 1)
    rel = (received - start_s) / span
    age_days = (received - start_s) / tm.DAY

    # Verification: hours normally; weeks during the launch backlog and a couple of episodes.
    backlog = 1.0 + 80.0 * np.exp(-age_days / 25.0)
    rday = received // tm.DAY
    for e in eid.astype(np.int64):
        backlog *= np.where((rday >= e - 3) & (rday <= e + 21), 5.0, 1.0)
    ep_start = start_s // tm.DAY + int(span / tm.DAY * rng.uniform(0.45, 0.7))
    backlog *= np.where((rday >= ep_start) & (rday < ep_start + 20), 6.0, 1.0)
    ch_factor = np.array([cat.CHANNEL_VERIFY[c] for c in cat.CHANNELS])[channel]
    v_delay = rng.lognormal(np.log(0.15), 1.0, n) * ch_factor * backlog
    incomplete = rng.random(n) < 0.025
    v_delay += np.where(incomplete, rng.lognormal(np.log(4.0), 0.6, n), 0.0)
    stuck = rng.random(n) < 0.22 * np.exp(-age_days / 40.0)  # launch reports never verified
    v_delay[stuck] = np.inf
    verified = tm.add_workdays(received, v_delay, rng, busday)

    outcome = rng.random(n)
    rejected = outcome < REJECT_SHARE
    archived = (outcome >= REJECT_SHARE) & (outcome < REJECT_SHARE + ARCHIVE_SHARE)
    closed = rejected | archived

    same = rng.random(n) < 0.78  # dispatched together with the verification
    d_delay = np.where(same, 0.0, rng.lognormal(np.log(0.25), 0.8, n))
    d_delay[closed] = np.inf
    dispatched = np.where(same & ~closed, verified, tm.add_workdays(verified, d_delay, rng, busday))

    r = rng.random(n) * np.where(is_other, 2.5, 1.0)
    redispatch = np.where(r < 0.01, 2, np.where(r < 0.05, 1, 0))
    redispatch[closed] = 0

    # Unit speed: steady for the named fast and slow units, around 1 for the rest.
    speed_units = rng.lognormal(0.0, 0.3, len(region.unit_names))
    for i, key in enumerate(region.unit_speed_key):
        if key in cat.UNIT_SPEED:
            speed_units[i] = cat.UNIT_SPEED[key]
        elif key in cat.CAMAT_SPEED:
            speed_units[i] = cat.CAMAT_SPEED[key]
    speed = speed_units[unit]
    difficulty = np.array([c.difficulty for c in cats])[category]
    neglect_cls = np.array(cat.CLASS_NEGLECT)[klass]
    improve = 1.2 - 0.4 * rel  # units get a little faster over the period

    # First response: a slow unit (speed ~2.5) misses 5 working days about a third of the time,
    # a fast one almost never, so the league separates them as real ones do.
    f_delay = rng.lognormal(np.log(1.1 * speed**1.3 * improve), 0.9, n)
    f_delay += redispatch * rng.lognormal(np.log(2.0), 0.5, n)
    f_delay[rng.random(n) < np.minimum(0.008 * speed**1.6 * neglect_cls, 0.08)] = np.inf  # ignored
    first = tm.add_workdays(dispatched, f_delay, rng, busday)

    scale = 2.2 * speed * difficulty * np.array(cat.CLASS_RESOLVE)[klass] * improve
    r_delay = rng.lognormal(np.log(scale * (1.0 + 0.6 * redispatch)), 0.85, n)
    never_done = np.minimum(0.016 * speed**1.6 * difficulty * neglect_cls, 0.15)
    r_delay[rng.random(n) < never_done] = np.inf  # followed up, never closed
    resolved = tm.add_workdays(first, r_delay, rng, busday)

    for t in (verified, dispatched, first, resolved):
        t[t > end_s] = tm.NEVER
    never = tm.NEVER
    status = np.select(
        [
            verified == never,
            rejected,
            archived,
            dispatched == never,
            first == never,
            resolved == never,
        ],
        [np.where(incomplete, 1, 0), 7, 6, 2, 3, 4],
        5,
    )

    rating = np.zeros(n, dtype=np.int64)
    done = np.flatnonzero(status == 5)
    if len(done):
        hours = np.log1p((resolved[done] - received[done]) / tm.HOUR)
        z = (hours - np.median(hours)) / max(hours.std(), 1e-9)
        score = 4.1 - 0.9 * z - 0.6 * redispatch[done] + rng.normal(0.0, 0.7, len(done))
        rated = rng.random(len(done)) < 0.40
        rating[done[rated]] = np.clip(np.round(score[rated]), 1, 5).astype(np.int64)
    return verified, dispatched, first, resolved, status, redispatch, rating


def _coordinates(rng, region: Region, kec, desa, channel, ch_names):
    """A point inside the complaint's desa (and kecamatan) polygon for ~85% of complaints."""
    n = len(kec)
    share = np.array([cat.COORD_SHARE[c] for c in ch_names])[channel]
    has = np.flatnonzero(rng.random(n) < share)
    lat = np.full(n, np.nan)
    lon = np.full(n, np.nan)
    dpoly = np.where(desa[has] >= 0, region.desa_poly[np.maximum(desa[has], 0)], -1)
    kpoly = region.kec_poly[kec[has]]
    both = np.flatnonzero((dpoly >= 0) & (kpoly >= 0))
    x, y, ok = region.desa_sampler.sample(rng, dpoly[both])
    lon[has[both]], lat[has[both]] = x, y
    rest = has[np.isnan(lon[has]) & (region.kec_poly[kec[has]] >= 0)]
    if len(rest):  # no desa polygon, or it barely overlaps its kecamatan's: use the kecamatan
        x, y, ok = sample_points(rng, region.kec_poly[kec[rest]], region.kec_polys)
        lon[rest], lat[rest] = x, y
    return lat, lon


def write_demo_csv(path: Path | str, **kwargs) -> Path:
    """Write ``generate_demo(**kwargs)`` to ``path`` as UTF-8 CSV (header row, values quoted only
    where needed); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    options = pacsv.WriteOptions(include_header=True, quoting_style="needed")
    pacsv.write_csv(demo_table(**kwargs), path, write_options=options)
    return path
