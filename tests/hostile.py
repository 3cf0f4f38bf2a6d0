"""Hostile values for the dashboard tests: a demo store with complaints whose unit names,
categories, channels, ids, kecamatan/desa names and text carry HTML, script tags, markdown, SQL
fragments, very long strings and invisible characters, imported through the real import path.

Every script payload sets ``window.__pantau_pwned`` (or adds an element with id ``pwned``) if it
ever runs or renders as HTML; the browser test checks both stay absent.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

# Each one alone would be harmless text; as HTML, markdown or SQL each would do something.
SCRIPT = "<script>window.__pantau_pwned=1</script>"
IMG = '<img id="pwned" src=x onerror="window.__pantau_pwned=2">'
HOSTILE: tuple[str, ...] = (
    SCRIPT,
    IMG,
    "<b>tebal</b><iframe src=javascript:window.__pantau_pwned=3></iframe>",
    "'; DROP TABLE complaints; --",
    '" OR 1=1; DELETE FROM meta; --',
    "**tebal** _miring_ [tautan](javascript:window.__pantau_pwned=4) `kode` $x^2$ # judul",
    "\u202eRTL\u200b\u200dnol-lebar\ufeff",
    "=HYPERLINK(\"http://contoh.invalid\",\"klik\")",
    "{nama} %s {0} ${jndi:ldap://x}",
    "L" * 5000,
)
# URL parameters every page reads (ui/widgets.py, pages/*): each gets every hostile value.
URL_KEYS = ("lang", "periode", "dari", "sampai", "unit", "kebijakan", "per", "lalu", "ukuran", "tahap",
            "menurut", "warna", "kec", "minggu", "f_unit", "f_kecamatan", "f_category", "f_channel",
            "f_status", "f_classification")
PER_VALUE = 24
MARKERS = ("__pantau_pwned", "DROP TABLE", "<script", "onerror")

# Unit names reach the league only through a mapping file's [units] table (registry names are
# trusted files); the raw text in the export is harmless, the canonical name is the payload.
_MAPPING = """
[source]
name = "demo"
unit_kind = "opd"
[columns]
source_id = "No"
received_at = "Masuk"
dispatched_at = "Disposisi"
first_response_at = "Tanggapan"
resolved_at = "Selesai"
status = "Status"
unit = "Dinas"
kecamatan = "Kecamatan"
desa = "Desa"
category = "Kategori"
channel = "Kanal"
classification = "Klasifikasi"
text = "Isi"
[units]
"""


def hostile_unit_names() -> list[str]:
    return [f"Dinas {h[:60]}" for h in HOSTILE]


def write_hostile_export(folder: Path, end: pd.Timestamp, per_value: int = PER_VALUE) -> tuple[Path, Path]:
    """A CSV and its mapping file: ``per_value`` complaints per hostile value in the two weeks
    before ``end``, dispatched at once; two thirds answered (many late), the rest open, so the
    hostile units are ranked low and have open overdue stages (they show on every page). Plus
    one row that is quarantined (a receipt time that is a script) with hostile raw values."""
    folder.mkdir(parents=True, exist_ok=True)
    names = hostile_unit_names()
    mapping = _MAPPING + "".join(f'"unit hostile {i}" = {_toml(n)}\n' for i, n in enumerate(names))
    mapping_path = folder / "hostile.toml"
    mapping_path.write_text(mapping, encoding="utf-8")
    rows = [["No", "Masuk", "Disposisi", "Tanggapan", "Selesai", "Status", "Dinas", "Kecamatan", "Desa", "Kategori",
             "Kanal", "Klasifikasi", "Isi"]]
    n = 0
    for i, value in enumerate(HOSTILE):
        for k in range(per_value):
            received = end - pd.Timedelta(days=2 + (k % 13), hours=k)
            dispatched = received + pd.Timedelta(hours=1)
            answered = k % 3 != 2
            response = dispatched + pd.Timedelta(days=k % 12) if answered else None
            rows.append([
                f"H{n}-{value[:40]}", received.isoformat(), dispatched.isoformat(),
                response.isoformat() if answered else "", response.isoformat() if answered else "",
                "selesai" if answered else "didisposisi", f"unit hostile {i}", value, value, value, value, value,
                f"{value} hubungi 081234567890",
            ])
            n += 1
    rows.append([f"Q-{SCRIPT}", SCRIPT, "", "", "", IMG, "unit hostile 0", "", "", SCRIPT, "", "", SCRIPT])
    csv_path = folder / "hostile.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return csv_path, mapping_path


def _toml(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def build_hostile_store(path: Path, end: pd.Timestamp, rows: int = 3000) -> Path:
    """The demo regency plus the hostile complaints, both as source ``demo`` (so the store stays a
    demo store and the dashboard serves it like the demo)."""
    from analytics import store
    from analytics.demo.load import load_demo
    from analytics.importers.ingest import import_file

    con = store.connect(path)
    try:
        load_demo(con, seed=7, months=6, rows=rows, end=end, out_dir=path.parent / "demo-out")
        csv_path, mapping_path = write_hostile_export(path.parent / "hostile-out", end)
        report = import_file(con, csv_path, mapping=mapping_path, snapshot_at=end, now=end.to_pydatetime())
        assert report.rows_new == len(HOSTILE) * PER_VALUE and report.rows_quarantined == 1, report
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return path
