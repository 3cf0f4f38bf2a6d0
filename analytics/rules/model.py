"""The canonical complaint model: one vocabulary for every importer, the store and the metrics.

Every importer turns its format into a frame with ``CANONICAL_COLUMNS``; the store keeps exactly
these fields; the SLA and metric code reads only these names. docs/data-model.md explains each
field and where it comes from in each format.
"""

from __future__ import annotations

from dataclasses import dataclass

# Stage timestamps, in the order a complaint passes through them. Stored as TIMESTAMPTZ (UTC).
STAGE_TIMES: tuple[str, ...] = (
    "received_at",
    "verified_at",
    "dispatched_at",
    "first_response_at",
    "resolved_at",
)
# Each stage time but the first has a companion flag: True when the time was estimated from the
# first snapshot that showed the stage reached, False when the source reported it.
ESTIMATED_FLAGS: dict[str, str] = {
    "verified_at": "verified_est",
    "dispatched_at": "dispatched_est",
    "first_response_at": "first_response_est",
    "resolved_at": "resolved_est",
}
# ... and, for an estimated time, the moment it is known to have happened after: the last snapshot
# that showed the stage not yet reached (or the complaint's receipt). The true time lies in
# (after, estimate]; the clock calls a verdict "uncertain" when the deadline falls inside it.
ESTIMATED_AFTER: dict[str, str] = {
    "verified_at": "verified_after",
    "dispatched_at": "dispatched_after",
    "first_response_at": "first_response_after",
    "resolved_at": "resolved_after",
}

TEXT_FIELDS: tuple[str, ...] = (
    "status",
    "status_raw",
    "classification",
    "category",
    "channel",
    "agency",
    "unit_code",
    "unit",
    "unit_raw",
    "unit_kind",
    "kecamatan_code",
    "kecamatan",
    "kecamatan_raw",
    "desa_code",
    "desa",
    "desa_raw",
)
# Personal data: stored so an authorised analyst can follow up, never shown by default.
PERSONAL_FIELDS: tuple[str, ...] = ("reporter_name", "reporter_contact", "text")

# What the source itself says about timeliness, when it says it (a 311 system's "Due Date" and
# "On Time" columns): kept beside Pantau's own clock, and a policy may take the source's deadline
# for a stage (policy ``source_deadline``; docs/metrics.md, "Deadlines").
SOURCE_VERDICT_FIELDS: tuple[str, ...] = ("due_at", "source_on_time")

CANONICAL_COLUMNS: tuple[str, ...] = (
    "source",
    "source_id",
    *STAGE_TIMES,
    *ESTIMATED_FLAGS.values(),
    *ESTIMATED_AFTER.values(),
    *TEXT_FIELDS,
    "lat",
    "lon",
    "rating",
    "redispatch_count",
    "anonymous",
    "confidential",
    *PERSONAL_FIELDS,
    *SOURCE_VERDICT_FIELDS,
)

# Canonical statuses. Codes are stable (stored, in URLs, in exports); labels are for people.
# `reached` lists the stage times a complaint in that status has necessarily passed: a snapshot
# showing the status is evidence that those stages ended no later than the snapshot time.
@dataclass(frozen=True)
class Status:
    code: str
    label_id: str
    label_en: str
    reached: tuple[str, ...]
    is_open: bool


STATUSES: dict[str, Status] = {
    s.code: s
    for s in (
        Status("menunggu_verifikasi", "Menunggu verifikasi", "Awaiting verification", (), True),
        Status("menunggu_kelengkapan", "Menunggu kelengkapan", "Awaiting information", (), True),
        Status("terverifikasi", "Terverifikasi", "Verified", ("verified_at",), True),
        Status("didisposisi", "Didisposisi", "Dispatched", ("verified_at", "dispatched_at"), True),
        Status(
            "ditindaklanjuti",
            "Ditindaklanjuti",
            "In follow-up",
            ("verified_at", "dispatched_at", "first_response_at"),
            True,
        ),
        Status(
            "selesai",
            "Selesai",
            "Resolved",
            ("verified_at", "dispatched_at", "first_response_at", "resolved_at"),
            False,
        ),
        # Archived or rejected by the verifier: the verification decision was taken, nothing was
        # dispatched. Expired-by-system archives also land here (SP4N "Diarsipkan oleh Sistem").
        Status("diarsipkan", "Diarsipkan", "Archived", (), False),
        Status("ditolak", "Ditolak / diblokir", "Rejected / blocked", ("verified_at",), False),
    )
}

# "kelurahan": a lurah or kepala desa office ("Kelurahan X", "Desa X"). It is neither an OPD nor a
# camat office, so it is in neither league (its complaints count for the regency).
UNIT_KINDS: tuple[str, ...] = ("opd", "camat", "lainnya", "tidak_dikenal", "kelurahan")

# --- The quarantine vocabulary: why an imported row was kept out of the numbers ---------------
# Reason codes -> plain words (Indonesian, English). The CLI and the Data page both read these.
REASONS: dict[str, tuple[str, str]] = {
    "missing_id": ("ID aduan kosong", "complaint id is empty"),
    "missing_received_at": ("waktu masuk kosong", "received time is empty"),
    "bad_time": ("waktu tidak terbaca", "time cannot be read"),
    "before_received": ("waktu tahap lebih awal dari waktu masuk", "stage time before received time"),
    "resolved_before_received": ("selesai sebelum aduan masuk", "resolved before received"),
    "stage_order": ("urutan waktu tahap terbalik", "stage times out of order"),
    "unknown_status": ("status tidak dikenal", "unknown status"),
    "bad_number": ("angka tidak terbaca", "number cannot be read"),
    "rating_out_of_range": ("penilaian di luar 1-5", "rating outside 1-5"),
    "bad_coordinates": ("koordinat di luar jangkauan", "coordinates out of range"),
    "negative_redispatch": ("jumlah disposisi ulang negatif", "negative redispatch count"),
    "time_out_of_range": (
        "waktu sebelum 1 Jan 2000 atau lebih dari sehari setelah ekspor diambil",
        "time before 1 Jan 2000 or more than a day after the export was taken",
    ),
    "duplicate_id_conflict": (
        "ID sama muncul lebih dari sekali dengan isi berbeda",
        "same id repeated in the file with different content",
    ),
}


def reason_code(reason: str) -> str:
    """``bad_time:resolved_at=31/02`` -> ``bad_time``."""
    return reason.split(":", 1)[0].split("=", 1)[0].strip()
