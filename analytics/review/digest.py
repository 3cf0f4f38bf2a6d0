"""WhatsApp digests of the review pack: one for the Bupati, one per unit (plain text, Indonesian).

WhatsApp shows ``*bold*`` and nothing else we need; lines stay short for a phone. Every figure is
a value of the pack (league_rows, breaches_for), formatted with analytics.textfmt, so a digest
says what the PDF, the workbook and the ``league`` / ``breaches`` CLI say.
"""

from __future__ import annotations

import pandas as pd

from analytics.metrics.registry import METRICS
from analytics.review.pack import ReviewPack, data_age_clause, data_moment, stale_warning, week_title
from analytics.textfmt import fmt_date, fmt_delta, fmt_int, fmt_num, fmt_pct, is_missing

MAX_CHARS = 4000  # WhatsApp shows longer messages folded behind "Read more"; keep each whole
WORST_N = IMPROVED_N = 3
LIST_MAX = 25  # complaint lines per list in a unit digest; the rest are counted, not listed
STAGE_LABELS = {"verifikasi": "verifikasi", "tindak_lanjut": "tindak lanjut", "penyelesaian": "penyelesaian"}
KIND_LABELS = {"opd": "OPD", "camat": "kecamatan"}


def kpi_line(metric: str, value: float | None, previous: float | None) -> str:
    """``Tepat waktu (%): 87,3% (+3,0 poin)``: a headline figure and its change on last week."""
    m = METRICS[metric]
    change = None if value is None or previous is None else value - previous
    if m.unit == "pct":
        now, delta = fmt_pct(value), fmt_delta(change, kind="points")
    elif m.unit == "days":
        now, delta = fmt_num(value, 1), fmt_delta(change, 1, kind="number")
    else:
        now, delta = fmt_int(value), fmt_delta(change, 0, kind="number")
    return f"{m.label_id}: {now} ({delta})"


def rank_move(change: object) -> str:
    """``naik 3``, ``turun 2``, ``tetap``, or ``baru diperingkat`` (no rank last week)."""
    if is_missing(change):
        return "baru diperingkat"
    n = int(change)  # type: ignore[call-overload]
    return "tetap" if n == 0 else (f"naik {fmt_int(n)}" if n > 0 else f"turun {fmt_int(-n)}")


def _all_rows(pack: ReviewPack) -> pd.DataFrame:
    return pd.concat([pack.opd_rows.assign(kind="opd"), pack.camat_rows.assign(kind="camat")], ignore_index=True)


def worst_units(pack: ReviewPack, n: int = WORST_N) -> pd.DataFrame:
    """The ``n`` ranked units (OPD and camat together) with the lowest score, lowest first."""
    rows = _all_rows(pack)
    ranked = rows[rows["rank"].notna()]
    return ranked.sort_values(["score", "complaints"], ascending=[True, False]).head(n).reset_index(drop=True)


def improved_units(pack: ReviewPack, n: int = IMPROVED_N) -> pd.DataFrame:
    """The ``n`` units that rose most places (WeeklyReview.movers_up order)."""
    up = pack.review.movers_up.head(n)
    rows = _all_rows(pack).set_index("unit")
    return rows.loc[[g for g in up["group"] if g in rows.index]].reset_index()


def _header(pack: ReviewPack, title: str) -> list[str]:
    lines = [f"*{title}*", f"{pack.region_name + ' · ' if pack.region_name else ''}{week_title(pack.period)}"]
    if stale_warning(pack):  # first, before any figure: the figures may be out of date
        lines.append(f"⚠️ *{stale_warning(pack)}*")
    if not pack.complete:
        lines.append(f"_Minggu berjalan: angka per {data_moment(pack)}._")
    return lines


def _footer(pack: ReviewPack) -> list[str]:
    demo = " Data demo (sintetis)." if pack.is_demo else ""
    return ["", f"Aturan SLA: {pack.policy_label}.", f"Data per {data_moment(pack)}{data_age_clause(pack)}.{demo}"]


def _commitment_lines(pack: ReviewPack, unit_code: str | None = None) -> list[str]:
    c = pack.commitments
    if c is None:
        return []
    parts = {"lewat tenggat": c.overdue, "jatuh tempo minggu depan": c.due, "selesai minggu ini": c.done}
    if unit_code is not None:
        parts = {k: v[v["unit_code"] == unit_code] for k, v in parts.items()}
    if all(v.empty for v in parts.values()):
        return []
    lines = ["", "*Komitmen*"]
    for label, frame in parts.items():
        for r in frame.itertuples():
            who = "" if unit_code is not None else f"{pack.name(r.unit_code, r.unit)}: "
            lines.append(f"- [{label}] {who}{r.text} (tenggat {fmt_date(r.due_on)})")
    return lines


def bupati_digest(pack: ReviewPack) -> str:
    """The regency in one message: headline figures, three worst and three most improved units,
    new breaches and commitments."""
    lines = _header(pack, "Tinjauan Kinerja Pengaduan")
    lines += ["", "*Angka utama* (dibanding minggu lalu): tepat waktu = tahap yang jatuh tempo minggu ini; "
                  f"lewat batas = tahap terbuka melewati batas per {data_moment(pack)}"]
    lines += [f"- {kpi_line(k.metric, k.value, k.previous)}" for k in pack.kpis]
    lines += ["", f"*{WORST_N} unit terlemah* (skor terendah)"]
    worst = worst_units(pack)
    if worst.empty:
        lines.append(f"- Belum ada unit yang diperingkat (minimal {pack.min_decided} tahap terukur).")
    for i, r in enumerate(worst.itertuples(), 1):
        lines.append(f"{i}. {pack.name(r.unit_code, r.unit)}: skor {fmt_num(r.score, 1)}, kelas {r.tier}, "
                     f"peringkat {fmt_int(r.rank)} {KIND_LABELS[r.kind]}, tepat waktu {fmt_num(r.on_time_pct, 1)}%")
    lines += ["", f"*{IMPROVED_N} unit paling membaik*"]
    up = improved_units(pack)
    if up.empty:
        lines.append("- Tidak ada unit yang naik peringkat minggu ini.")
    for i, r in enumerate(up.itertuples(), 1):
        lines.append(f"{i}. {pack.name(r.unit_code, r.unit)}: {rank_move(r.rank_change)} ke peringkat "
                     f"{fmt_int(r.rank)} {KIND_LABELS[r.kind]}, skor {fmt_num(r.score, 1)}")
    new = pack.review.new_breaches
    lines += ["", f"*Pelanggaran baru*: {fmt_int(len(new))} tahap yang batas waktunya jatuh minggu ini terlewati "
                          "(termasuk aduan dari minggu-minggu sebelumnya)."]
    lines += _commitment_lines(pack)
    lines += _footer(pack)
    return fit("\n".join(lines))


def _unit_row(pack: ReviewPack, code: str, name: str) -> tuple[pd.Series | None, str | None, int]:
    for kind, rows in (("opd", pack.opd_rows), ("camat", pack.camat_rows)):
        hit = rows[(rows["unit_code"] == code) | (rows["unit"] == name)]
        if len(hit):
            return hit.iloc[0], kind, int(rows["rank"].notna().sum())
    return None, None, 0


def unit_digest(pack: ReviewPack, code: str, name: str) -> str:
    """One unit's message for its Kepala OPD or camat: its figures, rank and movement, its verdict,
    and its open overdue and at-risk complaints (ids and working days over)."""
    row, kind, size = _unit_row(pack, code, name)
    lines = _header(pack, name)
    if row is None:
        lines.append(f"Tidak ada aduan yang diterima unit ini pada {week_title(pack.period)}: belum ada angka "
                     "kinerja minggu ini.")
    else:
        if is_missing(row["rank"]):
            lines.append(f"Belum diperingkat: {fmt_int(row['decided'])} tahap terukur (minimal {pack.min_decided}).")
        else:
            lines.append(f"Peringkat {fmt_int(row['rank'])} dari {fmt_int(size)} {KIND_LABELS[kind]} "
                         f"({rank_move(row['rank_change'])}), kelas {row['tier']}, skor {fmt_num(row['score'], 1)}")
        lines += [
            f"Aduan: {fmt_int(row['complaints'])} · tahap terukur: {fmt_int(row['decided'])}",
            f"Tepat waktu: {fmt_num(row['on_time_pct'], 1)}% · terlambat: {fmt_int(row['late'])}",
            f"Lewat batas belum selesai: {fmt_int(row['open_overdue'])} · hampir jatuh tempo: {fmt_int(row['at_risk'])}",
            f"Median respons: {fmt_num(row['median_response_days'], 1)} hari kerja",
        ]
        v = pack.verdicts[(pack.verdicts["unit"] == row["unit"])]
        if len(v):
            lines.append(f"Catatan: {v.iloc[0]['text']}")
    mine = pack.open_stages[(pack.open_stages["unit_code"] == code) | (pack.open_stages["unit"] == name)]
    over, risk = mine[mine["state"] == "open_overdue"], mine[mine["state"] == "at_risk"]
    lines += ["", f"*Aduan terbuka lewat batas* ({fmt_int(len(over))}, per {data_moment(pack)}, "
                  "apa pun tanggal masuknya)"]
    lines += [f"- {r.id} · {STAGE_LABELS.get(r.stage, r.stage)} · lewat {fmt_int(r.working_days_over)} hari kerja"
              for r in over.head(LIST_MAX).itertuples()] or ["- Tidak ada."]
    if len(over) > LIST_MAX:
        lines.append(f"- … dan {fmt_int(len(over) - LIST_MAX)} lainnya (lihat XLSX).")
    lines += ["", f"*Hampir jatuh tempo* ({fmt_int(len(risk))})"]
    lines += [f"- {r.id} · {STAGE_LABELS.get(r.stage, r.stage)} · batas {fmt_date(r.deadline, pack.tz)}"
              for r in risk.head(LIST_MAX).itertuples()] or ["- Tidak ada."]
    if len(risk) > LIST_MAX:
        lines.append(f"- … dan {fmt_int(len(risk) - LIST_MAX)} lainnya (lihat XLSX).")
    lines += _commitment_lines(pack, code)
    lines += _footer(pack)
    return fit("\n".join(lines))


def unit_digests(pack: ReviewPack) -> dict[str, str]:
    """Unit code -> digest for every known unit (those without complaints get a line saying so)."""
    return {str(u.code): unit_digest(pack, str(u.code), str(u.name)) for u in pack.units.itertuples()}


def fit(text: str, limit: int = MAX_CHARS) -> str:
    """``text`` if it fits one WhatsApp message, else cut at a line with a note where to read on."""
    if len(text) <= limit:
        return text
    note = "\n… (dipotong; selengkapnya di PDF/XLSX)"
    cut = text[: limit - len(note)].rsplit("\n", 1)[0]
    return cut + note
