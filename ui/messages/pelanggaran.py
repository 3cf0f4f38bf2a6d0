"""Texts of the Pelanggaran SLA page. Indonesian first; same keys and placeholders in both."""

MESSAGES = {
    "id": {
        "pelanggaran.stage": "Tahap",
        "pelanggaran.policy": "Aturan SLA: {policy}. Hari kerja lewat dihitung dengan kalender kerja aturan ini.",
        "pelanggaran.list": "Daftar pelanggaran",
        "pelanggaran.empty": "Tidak ada tahap yang lewat batas, hampir jatuh tempo atau terlambat untuk pilihan ini.",
    },
    "en": {
        "pelanggaran.stage": "Stage",
        "pelanggaran.policy": "SLA rules: {policy}. Working days over use this policy's work calendar.",
        "pelanggaran.list": "Breaches",
        "pelanggaran.empty": "No stage is overdue, at risk or late for this selection.",
    },
}
