"""Texts of the Pelanggaran SLA page. Indonesian first; same keys and placeholders in both."""

MESSAGES = {
    "id": {
        "pelanggaran.stage": "Tahap",
        "pelanggaran.policy": "Aturan SLA: {policy}. Hari kerja lewat dihitung dengan kalender kerja aturan ini.",
        "pelanggaran.list": "Daftar pelanggaran",
        "pelanggaran.counts": "Jumlah pelanggaran",
        "pelanggaran.empty": "Tidak ada tahap yang lewat batas, hampir jatuh tempo atau terlambat untuk pilihan ini.",
        "pelanggaran.lenses": "Lewat batas dan hampir jatuh tempo: tahap yang masih terbuka per {moment}, apa pun tanggal masuknya. Terlambat: tahap yang jatuh tempo pada periode ini dan selesai setelah batas waktu.",
    },
    "en": {
        "pelanggaran.stage": "Stage",
        "pelanggaran.policy": "SLA rules: {policy}. Working days over use this policy's work calendar.",
        "pelanggaran.list": "Breaches",
        "pelanggaran.counts": "Breach counts",
        "pelanggaran.empty": "No stage is overdue, at risk or late for this selection.",
        "pelanggaran.lenses": "Overdue and at risk: stages still open as of {moment}, whenever received. Late: stages due in this period that ended after their deadline.",
    },
}
