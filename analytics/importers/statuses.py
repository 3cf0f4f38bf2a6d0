"""Raw status text of every known export -> canonical status code (analytics.rules.model.STATUSES).

Keys are compared lower-cased with single spaces. A status that is not here (and not in a
mapping file's [status] table) sends its row to quarantine with reason ``unknown_status``: a new
status string must be looked at by a person, not guessed.
"""

from __future__ import annotations

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
}
# Canonical codes and their labels are accepted as themselves.
for _code, _status in STATUSES.items():
    STATUS_ALIASES.setdefault(_code, _code)
    STATUS_ALIASES.setdefault(_code.replace("_", " "), _code)
    STATUS_ALIASES.setdefault(_status.label_id.lower(), _code)


def status_key(value: object) -> str:
    return " ".join(str(value).split()).lower() if isinstance(value, str) else ""


def map_statuses(raw: pd.Series, extra: dict[str, str] | None = None) -> pd.Series:
    """Canonical status per row; NA where the raw text is empty or unknown."""
    table = dict(STATUS_ALIASES)
    for k, v in (extra or {}).items():
        table[status_key(k)] = v
    # Per distinct value: an export has a handful of statuses over a million rows.
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    mapped = pd.Series([table.get(status_key(u)) for u in uniques] + [None], dtype="str")
    return mapped.take(np.where(codes < 0, len(uniques), codes)).set_axis(raw.index)
