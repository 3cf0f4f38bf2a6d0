"""Raw status text of every known export -> canonical status code (analytics.rules.model.STATUSES).

Keys are compared lower-cased with single spaces. The table below holds the words of the exports
Pantau knows and the everyday Indonesian and English ones; a regency adds its own in
``data/statuses.toml`` (``"status as written" = "canonical code"``), and a mapping file in its
[status] table. A status found nowhere never costs a complaint: validate.check_rows stores the row
with the status its stage times imply, keeps the text in ``status_raw``, and the import report
lists the word with its count and the fix.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.rules.model import STATUSES

STATUS_ALIASES: dict[str, str] = {
    # SP4N-LAPOR! "Laporan Ringkas" (every string in the Kab. Bandung 2021-2024 export, plus the
    # statuses the LAPOR! admin console shows while a report is still moving).
    "ditutup oleh sistem": "selesai",
    "ditutup oleh admin": "selesai",
    "ditutup oleh pelapor": "selesai",
    "ditutup": "selesai",
    "selesai": "selesai",
    "diarsipkan oleh admin": "diarsipkan",
    "diarsipkan oleh sistem": "diarsipkan",
    "diarsipkan oleh pelapor": "diarsipkan",
    "diarsipkan": "diarsipkan",
    "menunggu kelengkapan informasi": "menunggu_kelengkapan",
    "ditunda": "menunggu_kelengkapan",
    "konten terblokir": "ditolak",
    "bukan wewenang": "ditolak",
    "ditolak": "ditolak",
    "belum terverifikasi": "menunggu_verifikasi",
    "belum diverifikasi": "menunggu_verifikasi",
    "menunggu verifikasi": "menunggu_verifikasi",
    "baru": "menunggu_verifikasi",
    "terverifikasi": "terverifikasi",
    "diverifikasi": "terverifikasi",
    "didisposisi": "didisposisi",
    "disposisi": "didisposisi",
    "diteruskan": "didisposisi",
    "ditindaklanjuti": "ditindaklanjuti",
    "sedang ditindaklanjuti": "ditindaklanjuti",
    "diproses": "ditindaklanjuti",
    "dalam proses": "ditindaklanjuti",
    # The everyday words of WhatsApp bots, call centres and city apps.
    "proses": "ditindaklanjuti",
    "sedang diproses": "ditindaklanjuti",
    "dalam penanganan": "ditindaklanjuti",
    "ditangani": "ditindaklanjuti",
    "sedang ditangani": "ditindaklanjuti",
    "tindak lanjut": "ditindaklanjuti",
    "on progress": "ditindaklanjuti",
    "in progress": "ditindaklanjuti",
    "progress": "ditindaklanjuti",
    "menunggu": "menunggu_verifikasi",
    "pending": "menunggu_verifikasi",
    "new": "menunggu_verifikasi",
    "open": "menunggu_verifikasi",
    "opened": "menunggu_verifikasi",
    "verified": "terverifikasi",
    "assigned": "didisposisi",
    "dispatched": "didisposisi",
    "forwarded": "didisposisi",
    "selesai ditindaklanjuti": "selesai",
    "tuntas": "selesai",
    "closed": "selesai",
    "close": "selesai",
    "resolved": "selesai",
    "completed": "selesai",
    "done": "selesai",
    "finished": "selesai",
    "rejected": "ditolak",
    "invalid": "ditolak",
    "archived": "diarsipkan",
    "cancelled": "diarsipkan",
    "canceled": "diarsipkan",
}
STATUS_FILE = Path(__file__).resolve().parents[2] / "data" / "statuses.toml"
# Canonical codes and their labels are accepted as themselves.
for _code, _status in STATUSES.items():
    STATUS_ALIASES.setdefault(_code, _code)
    STATUS_ALIASES.setdefault(_code.replace("_", " "), _code)
    STATUS_ALIASES.setdefault(_status.label_id.lower(), _code)


def status_key(value: object) -> str:
    return " ".join(str(value).split()).lower() if isinstance(value, str) else ""


def regency_statuses(path: Path = STATUS_FILE) -> dict[str, str]:
    """The regency's own status words (data/statuses.toml), read once per version of the file."""
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return {}
    return _read_statuses(str(path), stamp)


@functools.lru_cache(maxsize=4)
def _read_statuses(path: str, stamp: int) -> dict[str, str]:
    del stamp  # only part of the cache key
    try:
        doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{Path(path).name}: not valid TOML: {exc}") from None
    table = doc.get("status", {})
    bad = {k: v for k, v in table.items() if v not in STATUSES}
    if bad:
        raise ValueError(f"{Path(path).name}: [status] maps to unknown code(s) {bad}; "
                         f"codes: {', '.join(STATUSES)}")
    return {status_key(k): v for k, v in table.items()}


def map_statuses(raw: pd.Series, extra: dict[str, str] | None = None) -> pd.Series:
    """Canonical status per row; NA where the raw text is empty or unknown."""
    table = dict(STATUS_ALIASES) | regency_statuses()
    for k, v in (extra or {}).items():
        table[status_key(k)] = v
    # Per distinct value: an export has a handful of statuses over a million rows.
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    mapped = pd.Series([table.get(status_key(u)) for u in uniques] + [None], dtype="str")
    return mapped.take(np.where(codes < 0, len(uniques), codes)).set_axis(raw.index)
