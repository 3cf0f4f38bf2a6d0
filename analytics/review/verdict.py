"""The one-line verdict per unit in the review pack: rules over the published league row.

The rules read only columns the ``league`` CLI prints (league.league_rows), so a verdict can be
checked against it. First matching rule wins (docs/review-pack.md, "Verdicts"):

1. on-time rate below the regency's funnel limit (95%)  -> perhatian (needs attention)
2. fewer decided stages than the ranking's minimum      -> kecil (too few to judge)
3. fell MOVE or more places                              -> perhatian
4. tier C                                                -> perhatian
5. on-time rate above the regency's funnel limit (95%)  -> baik (good)
6. rose MOVE or more places                              -> baik
7. tier A                                                -> baik
8. otherwise                                             -> stabil (in line with the regency)

The funnel comes first because it already allows for volume: a small unit far below the regency
is flagged even before it can be ranked. Open overdue stages are added to any verdict.
"""

from __future__ import annotations

import pandas as pd

from analytics.textfmt import fmt_int, fmt_num, is_missing

MOVE = 3  # places: a smaller change is within the week-to-week noise of a league this size
LEVELS = ("perhatian", "kecil", "stabil", "baik")
COLUMNS = ("kind", "unit", "unit_code", "short", "level", "text")


def _pct(v: object) -> str:
    return fmt_num(v, 1) + "%"


def verdict(row: pd.Series, regency_pct: float | None, min_decided: int) -> tuple[str, str]:
    """(level, sentence) for one league row (league.league_rows columns)."""
    funnel = "" if is_missing(row.get("funnel")) else str(row["funnel"])
    change = None if is_missing(row.get("rank_change")) else int(row["rank_change"])
    ranked = not is_missing(row.get("rank"))
    rank = fmt_int(row.get("rank"))
    vs = f" (kabupaten {_pct(regency_pct)})" if regency_pct is not None else ""
    if funnel.startswith("bawah"):
        level, text = "perhatian", f"Perlu perhatian: tepat waktu {_pct(row['on_time_pct'])}{vs}, di bawah batas wajar."
    elif not ranked:
        level, text = "kecil", (f"Volume kecil: {fmt_int(row['decided'])} tahap terukur (minimal {min_decided}), "
                                "belum diperingkat.")
    elif change is not None and change <= -MOVE:
        level, text = "perhatian", f"Perlu perhatian: turun {fmt_int(-change)} peringkat ke-{rank}."
    elif row.get("tier") == "C":
        level, text = "perhatian", f"Perlu perhatian: kelas C (skor {fmt_num(row['score'], 1)})."
    elif funnel.startswith("atas"):
        level, text = "baik", f"Baik: tepat waktu {_pct(row['on_time_pct'])}{vs}, di atas batas wajar."
    elif change is not None and change >= MOVE:
        level, text = "baik", f"Membaik: naik {fmt_int(change)} peringkat ke-{rank}."
    elif row.get("tier") == "A":
        level, text = "baik", f"Baik: kelas A (skor {fmt_num(row['score'], 1)})."
    else:
        level, text = "stabil", "Stabil: sejalan dengan rata-rata kabupaten."
    overdue = 0 if is_missing(row.get("open_overdue")) else int(row["open_overdue"])
    if overdue:
        text += f" {fmt_int(overdue)} tahap lewat batas belum selesai."
    return level, text


def verdicts(opd_rows: pd.DataFrame, camat_rows: pd.DataFrame, regency_pct: float | None, min_decided: int,
             short: dict[str, str]) -> pd.DataFrame:
    """COLUMNS for every row of both leagues, in league order (OPD first)."""
    out = []
    for kind, rows in (("opd", opd_rows), ("camat", camat_rows)):
        for _, row in rows.iterrows():
            level, text = verdict(row, regency_pct, min_decided)
            code = row["unit_code"]
            name = short.get(str(code), str(row["unit"])) if not is_missing(code) else str(row["unit"])
            out.append((kind, str(row["unit"]), None if is_missing(code) else str(code), name, level, text))
    return pd.DataFrame(out, columns=list(COLUMNS))
