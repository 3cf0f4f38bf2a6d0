"""Display tables for the Data page: store views in, labelled and formatted frames out.

Pure pandas (no Streamlit), so the formatting is unit-tested. Numbers and dates are formatted
here as text (``1.234``, ``13 Jun 2025 15.05 WIB``); ``NUMERIC`` names the columns to right-align.
"""

from __future__ import annotations

import pandas as pd

from analytics.importers.ingest import ImportReport
from analytics.rules.model import REASONS
from analytics.store.status import Capped, label_reasons
from ui.fmt import fmt_datetime, fmt_int, tz_label
from ui.i18n import t

# Column labels that hold numbers (right-aligned by the page), per language.
NUMERIC_KEYS = (
    "data.col.batch", "data.report.read", "data.report.new", "data.report.updated", "data.report.unchanged",
    "data.report.quarantined", "data.report.duplicate", "data.col.line", "data.col.complaints", "data.col.rows",
)


def numeric_columns(frame: pd.DataFrame, lang: str) -> list[str]:
    labels = {t(k, lang=lang) for k in NUMERIC_KEYS}
    return [c for c in frame.columns if c in labels]


def _ints(values: pd.Series, lang: str) -> list[str]:
    return [fmt_int(v, lang=lang) for v in values]


def history_table(rows: pd.DataFrame, tz: str, lang: str) -> pd.DataFrame:
    """Import history (status.import_history rows) for reading, newest first as given.

    Phone-first column order: when, then the counts that matter (new, updated, quarantined), the
    file name (long) after them. Times carry the zone once, in the header ("Diimpor (WIB)").
    """
    c = lambda key: t(key, lang=lang)  # noqa: E731 - local shorthand
    zone = tz_label(tz)
    when = lambda col: [fmt_datetime(v, tz, lang=lang, zone=False) for v in rows[col]]  # noqa: E731
    return pd.DataFrame(
        {
            f"{c('data.col.imported_at')} ({zone})": when("imported_at"),
            c("data.report.new"): _ints(rows["rows_new"], lang),
            c("data.report.updated"): _ints(rows["rows_updated"], lang),
            c("data.report.quarantined"): _ints(rows["rows_quarantined"], lang),
            c("data.report.read"): _ints(rows["rows_read"], lang),
            c("data.report.duplicate"): _ints(rows["rows_duplicate"], lang),
            c("data.report.unchanged"): _ints(rows["rows_unchanged"], lang),
            c("data.col.file"): rows["file_name"].astype("str"),
            f"{c('data.col.snapshot_at')} ({zone})": when("snapshot_at"),
            c("data.col.format"): rows["format"].astype("str"),
            c("data.col.batch"): ["#" + str(int(v)) for v in rows["batch_id"]],
        }
    )


def inbox_table(rows: pd.DataFrame, tz: str, lang: str) -> pd.DataFrame:
    """The inbox's latest files (status.inbox_imports rows): when, file, what became of it."""
    c = lambda key, **kw: t(key, lang=lang, **kw)  # noqa: E731 - local shorthand

    def result(row) -> str:
        if isinstance(row.refused, str):
            return c("data.inbox.refused", why=row.refused[:200])
        if pd.isna(row.batch):
            return c("data.inbox.nothing_new")
        return c("data.inbox.imported", batch=int(row.batch), new=fmt_int(row.rows_new, lang=lang))

    return pd.DataFrame(
        {
            f"{c('data.inbox.col.when')} ({tz_label(tz)})": [fmt_datetime(v, tz, lang=lang, zone=False)
                                                            for v in rows["occurred_at"]],
            c("data.col.file"): rows["file"].astype("str"),
            c("data.inbox.col.result"): [result(r) for r in rows.itertuples()],
        }
    )


def quarantine_table(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Quarantined rows (status.quarantine_rows, already masked) with reasons in words."""
    c = lambda key: t(key, lang=lang)  # noqa: E731
    return pd.DataFrame(
        {
            c("data.col.batch"): ["#" + str(int(v)) for v in rows["batch_id"]],
            c("data.col.line"): _ints(rows["row_number"], lang),
            c("data.col.id"): rows["source_id"].fillna("").astype("str"),
            c("data.col.reasons"): [label_reasons(r, lang) for r in rows["reasons"]],
            c("data.col.raw"): rows["raw"].astype("str"),
            c("data.col.file"): rows["file_name"].fillna("").astype("str"),
        }
    )


def reasons_table(counts: dict[str, int] | pd.DataFrame, lang: str) -> pd.DataFrame:
    """Quarantine reason counts (a report's dict, or status.quarantine_reason_counts)."""
    if isinstance(counts, pd.DataFrame):
        pairs = list(zip(counts["code"], counts["rows"]))
    else:
        pairs = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    i = 0 if lang == "id" else 1
    return pd.DataFrame(
        {
            t("data.col.reason", lang=lang): [REASONS.get(code, (code, code))[i] for code, _ in pairs],
            t("data.col.rows", lang=lang): [fmt_int(n, lang=lang) for _, n in pairs],
            t("data.col.code", lang=lang): [str(code) for code, _ in pairs],
        }
    )


def unknown_table(levels: dict[str, Capped] | dict[str, dict[str, int]], lang: str) -> pd.DataFrame:
    """Unknown names per level (status.unknown_names, or a report's three dicts) in one
    table: kind, name, complaints."""
    kinds, names, counts = [], [], []
    for level in ("unit", "kecamatan", "desa"):
        value = levels.get(level)
        if value is None:
            continue
        pairs = list(zip(value.rows["name"], value.rows["complaints"])) if isinstance(value, Capped) else list(
            value.items()
        )
        for name, n in pairs:
            kinds.append(t(f"data.level.{level}", lang=lang))
            names.append(str(name))
            counts.append(fmt_int(n, lang=lang))
    return pd.DataFrame(
        {
            t("data.col.level", lang=lang): kinds,
            t("data.col.name", lang=lang): names,
            t("data.col.complaints", lang=lang): counts,
        }
    )


def region_label(lang: str, slug: str) -> str:
    """Option label for the region select: the regency's name; "auto" -> detect from the file.
    Module-level (used through functools.partial) so it pickles as a format_func."""
    if slug == "auto":
        return t("data.region.auto", lang=lang)
    from analytics.rules.regions import load_region

    try:
        return load_region(slug).name
    except ValueError:
        return slug


def report_counts(report: ImportReport, lang: str) -> list[tuple[str, str]]:
    """(label, value) pairs for the report's metric cards, in reading order."""
    return [
        (t("data.report.read", lang=lang), fmt_int(report.rows_read, lang=lang)),
        (t("data.report.new", lang=lang), fmt_int(report.rows_new, lang=lang)),
        (t("data.report.updated", lang=lang), fmt_int(report.rows_updated, lang=lang)),
        (t("data.report.unchanged", lang=lang), fmt_int(report.rows_unchanged, lang=lang)),
        (t("data.report.quarantined", lang=lang), fmt_int(report.rows_quarantined, lang=lang)),
        (t("data.report.duplicate", lang=lang), fmt_int(report.rows_duplicate, lang=lang)),
    ]


def audit_table(rows: pd.DataFrame, tz: str, lang: str) -> pd.DataFrame:
    """Audit log rows (analytics.security.audit.recent) for reading: when, who, role, action, detail."""
    c = lambda key: t(key, lang=lang)  # noqa: E731
    role = [t(f"access.role.{r}", lang=lang) if isinstance(r, str) and r in ("pimpinan", "analis", "unit") else (r or "")
            for r in rows["role"]]
    role = [f"{r} · {u}" if isinstance(u, str) and u else r for r, u in zip(role, rows["unit"])]
    return pd.DataFrame(
        {
            f"{c('access.audit.col.at')} ({tz_label(tz)})": [fmt_datetime(v, tz, lang=lang, zone=False) for v in rows["occurred_at"]],
            c("access.audit.col.who"): rows["who"].astype("str"),
            c("access.audit.col.role"): role,
            c("access.audit.col.action"): [t(f"access.action.{a}", lang=lang) for a in rows["action"]],
            c("access.audit.col.detail"): rows["detail"].fillna("").astype("str"),
        }
    )
