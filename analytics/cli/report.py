"""The import report as plain text, for the CLI and for logs."""

from __future__ import annotations

from analytics.importers.ingest import ImportReport
from analytics.rules.model import REASONS


def _fmt_int(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def format_report(r: ImportReport, lang: str = "id") -> str:
    i = 0 if lang == "id" else 1
    if r.already_imported:
        return (
            f"{r.file_name}: "
            + (
                f"sudah diimpor sebelumnya (batch {r.previous_batch_id}); tidak ada yang berubah."
                if lang == "id"
                else f"already imported (batch {r.previous_batch_id}); nothing changed."
            )
        )
    labels = (
        ["dibaca", "baru", "diperbarui", "tidak berubah", "dikarantina", "duplikat persis"]
        if lang == "id"
        else ["read", "new", "updated", "unchanged", "quarantined", "exact duplicates"]
    )
    values = [r.rows_read, r.rows_new, r.rows_updated, r.rows_unchanged, r.rows_quarantined, r.rows_duplicate]
    lines = [
        f"{r.file_name}  [{r.format}, sumber {r.source}, wilayah {r.region or '-'}, batch {r.batch_id}]"
        if lang == "id"
        else f"{r.file_name}  [{r.format}, source {r.source}, region {r.region or '-'}, batch {r.batch_id}]",
        "  " + ", ".join(f"{lab}: {_fmt_int(v)}" for lab, v in zip(labels, values)),
    ]
    if r.stages_estimated:
        lines.append(
            f"  waktu tahap diperkirakan dari snapshot: {_fmt_int(r.stages_estimated)}"
            if lang == "id"
            else f"  stage times estimated from the snapshot: {_fmt_int(r.stages_estimated)}"
        )
    if r.control_cells:
        lines.append(
            f"  {_fmt_int(r.control_cells)} sel berisi karakter kendali dibersihkan"
            if lang == "id"
            else f"  {_fmt_int(r.control_cells)} cells with control characters cleaned"
        )
    if r.quarantine_reasons:
        lines.append("  alasan karantina:" if lang == "id" else "  quarantine reasons:")
        for code, n in sorted(r.quarantine_reasons.items(), key=lambda kv: -kv[1]):
            label = REASONS.get(code, (code, code))[i]
            lines.append(f"    {_fmt_int(n):>8}  {label} ({code})")
    if r.region_note:
        lines.append(f"  {r.region_note[lang]}")
    if r.unknown_statuses:
        lines.append("  status tidak dikenal (aduan tetap disimpan, status dari waktu tahapnya; tambahkan kata ini "
                     "ke data/statuses.toml):" if lang == "id" else
                     "  unknown statuses (complaints kept, status from their stage times; add the word to "
                     "data/statuses.toml):")
        for name, n in r.unknown_statuses.items():
            lines.append(f"    {_fmt_int(n):>8}  {name}")
    for title_id, title_en, names in [
        ("unit tidak dikenal", "unknown units", r.unknown_units),
        ("kecamatan tidak dikenal", "unknown kecamatan", r.unknown_kecamatan),
        ("desa/kelurahan tidak dikenal", "unknown desa", r.unknown_desa),
    ]:
        if names:
            lines.append(f"  {title_id if lang == 'id' else title_en}:")
            for name, n in names.items():
                lines.append(f"    {_fmt_int(n):>8}  {name}")
    return "\n".join(lines)
