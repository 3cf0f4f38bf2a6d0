"""Texts of the Peringkat page and of ui/league_ui.py (league. / breach. / week. keys used by the
three league pages). Indonesian first; every key in both languages with the same placeholders."""

MESSAGES = {
    "id": {
        "peringkat.by": "Peringkat menurut",
        "peringkat.by.opd": "OPD",
        "peringkat.by.camat": "Camat",
        "peringkat.by.kecamatan": "Kecamatan (wilayah)",
        "peringkat.rule": (
            "Diperingkat bila ≥ {min} tahap terukur; tepat waktu = {formula} Peringkat memakai persentase "
            "yang disesuaikan volume. Aturan SLA: {policy}."
        ),
        "peringkat.table": "Tabel peringkat",
        "peringkat.tap": "Ketuk baris untuk membuka halaman unit.",
        "peringkat.tap_area": "Ketuk baris untuk membuka halaman camat kecamatan itu.",
        "peringkat.all_columns": "Tampilkan semua kolom",
        "peringkat.small": "Volume kecil (belum diperingkat)",
        "peringkat.small_hint": "{n} unit punya kurang dari {min} tahap terukur dan tidak diperingkat.",
        "peringkat.empty": "Belum ada aduan untuk dikelompokkan dalam periode ini. Coba periode yang lebih panjang.",
        "peringkat.funnel": "Plot corong",
        "peringkat.funnel_hint": (
            "Titik di luar garis batas berbeda nyata dari rata-rata kabupaten ({rate}); unit kecil wajar "
            "menyebar lebih lebar."
        ),
        "peringkat.funnel_empty": "Belum ada tahap terukur untuk digambar.",
        "peringkat.download": "Unduh",
        "league.col.name": "Unit",
        "league.col.tier": "Kelas",
        "league.funnel.limit": "Batas {level}",
        "league.funnel.units": "Unit",
        "download.csv": "Unduh CSV",
        "download.xlsx": "Unduh XLSX",
        "breach.col.id": "ID aduan",
        "breach.col.unit": "Unit",
        "breach.col.stage": "Tahap",
        "breach.col.state": "Keadaan",
        "breach.col.deadline": "Batas waktu",
        "breach.col.over": "Hari kerja lewat",
        "breach.col.started": "Sejak",
        "breach.col.age": "Hari kerja terbuka",
        "breach.verifier": "Verifikator",
        "breach.stage.semua": "Semua",
        "breach.stage.verifikasi": "Verifikasi",
        "breach.stage.tindak_lanjut": "Tindak lanjut",
        "breach.stage.penyelesaian": "Penyelesaian",
        "week.label": "Minggu {n} · {start}–{end}",
    },
    "en": {
        "peringkat.by": "Rank by",
        "peringkat.by.opd": "Agencies",
        "peringkat.by.camat": "Camat",
        "peringkat.by.kecamatan": "Kecamatan (area)",
        "peringkat.rule": (
            "Ranked with ≥ {min} decided stages; on-time rate = {formula} Ranking uses the volume-adjusted "
            "rate. SLA rules: {policy}."
        ),
        "peringkat.table": "League table",
        "peringkat.tap": "Tap a row to open the unit's page.",
        "peringkat.tap_area": "Tap a row to open the page of that kecamatan's camat.",
        "peringkat.all_columns": "Show all columns",
        "peringkat.small": "Low volume (not ranked)",
        "peringkat.small_hint": "{n} units have fewer than {min} decided stages and are not ranked.",
        "peringkat.empty": "No complaints to group in this period yet. Try a longer period.",
        "peringkat.funnel": "Funnel plot",
        "peringkat.funnel_hint": (
            "Points outside the limit lines differ clearly from the regency average ({rate}); small units "
            "naturally spread wider."
        ),
        "peringkat.funnel_empty": "No decided stages to plot yet.",
        "peringkat.download": "Download",
        "league.col.name": "Unit",
        "league.col.tier": "Tier",
        "league.funnel.limit": "{level} limit",
        "league.funnel.units": "Units",
        "download.csv": "Download CSV",
        "download.xlsx": "Download XLSX",
        "breach.col.id": "Complaint ID",
        "breach.col.unit": "Unit",
        "breach.col.stage": "Stage",
        "breach.col.state": "State",
        "breach.col.deadline": "Deadline",
        "breach.col.over": "Working days over",
        "breach.col.started": "Since",
        "breach.col.age": "Working days open",
        "breach.verifier": "Verifier",
        "breach.stage.semua": "All",
        "breach.stage.verifikasi": "Verification",
        "breach.stage.tindak_lanjut": "Follow-up",
        "breach.stage.penyelesaian": "Resolution",
        "week.label": "Week {n} · {start}–{end}",
    },
}
