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
        "peringkat.respons.title": "Yang dapat dinilai: belum ditanggapi lebih dari {limit} sejak diterima",
        "peringkat.respons.caption": "Per {moment}, per unit tujuan, dari laporan masuk sampai tindak lanjut pertama. Tepat dari satu ekspor; bukan peringkat.",
        "peringkat.respons.unit": "Unit",
        "peringkat.respons.count": "Belum ditanggapi",
        "peringkat.respons.verifier": "Belum didisposisikan (verifikator)",
        "peringkat.respons.none": "Tidak ada aduan yang belum ditanggapi lebih dari {limit} sejak diterima.",
        "peringkat.small_hint": "{n} unit punya kurang dari {min} tahap terukur dan tidak diperingkat.",
        "peringkat.empty": "Belum ada aduan untuk dikelompokkan dalam periode ini. Coba periode yang lebih panjang.",
        "peringkat.funnel": "Plot corong",
        "peringkat.funnel_hint": (
            "Titik di luar garis batas berbeda nyata dari rata-rata kabupaten ({rate}); unit kecil wajar "
            "menyebar lebih lebar."
        ),
        "peringkat.funnel_empty": "Belum ada tahap terukur untuk digambar.",
        "peringkat.funnel_show": "Tampilkan plot corong",
        "peringkat.download": "Unduh",
        "league.col.name": "Unit",
        "league.col.tier": "Kelas",
        "league.compact.row": "{rank}. {unit} · {rate} · {late} terlambat · kelas {tier}",
        "league.head.on_time": "Tepat",
        "league.head.overdue": "Lewat",
        "peringkat.compact": "Terburuk dan terbaik",
        "peringkat.compact.worst": "Terburuk",
        "peringkat.compact.best": "Terbaik",
        "peringkat.compact.legend": (
            "Peringkat. Unit · tepat waktu · terlambat (tahap jatuh tempo periode ini yang selesai atau masih terbuka "
            "melewati batas) · kelas. Ketuk unit untuk membukanya; semua unit ada di "
            "tabel di bawah."
        ),
        "peringkat.compact.legend_area": (
            "Peringkat. Kecamatan · tepat waktu · terlambat · kelas. Ketuk untuk membuka halaman camatnya; semua "
            "kecamatan ada di tabel di bawah."
        ),
        "peringkat.compact.none": "Belum ada unit yang diperingkat pada periode ini; tabel di bawah menunjukkan sebabnya.",
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
        "league.head.unflagged": "Tanpa tanda",
        "peringkat.quality": "Kualitas penutupan",
        "peringkat.on_time_help": "Tepat waktu (%). {flag}: tanpa aduan bertanda kualitas penutupan, persentase unit ini berbeda {points} poin atau lebih (kolom Tanpa tanda pada semua kolom, atau buka unitnya). Pertanyaan untuk rapat, bukan hukuman: peringkat tidak berubah.",
        "peringkat.flagged": "{flag} Tanpa aduan bertanda, tepat waktu berbeda {points} poin atau lebih: {units}. Pertanyaan untuk rapat, bukan hukuman; ketuk unit untuk melihat aduannya.",
        "peringkat.flagged.unit": "{unit} {rate} → {unflagged}",
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
        "peringkat.respons.title": "What can be judged: unanswered more than {limit} after receipt",
        "peringkat.respons.caption": "As of {moment}, by the unit it went to, from receipt to the first response. Exact from one export; not a ranking.",
        "peringkat.respons.unit": "Unit",
        "peringkat.respons.count": "Unanswered",
        "peringkat.respons.verifier": "Not yet dispatched (verifier)",
        "peringkat.respons.none": "No complaint is unanswered more than {limit} after receipt.",
        "peringkat.small_hint": "{n} units have fewer than {min} decided stages and are not ranked.",
        "peringkat.empty": "No complaints to group in this period yet. Try a longer period.",
        "peringkat.funnel": "Funnel plot",
        "peringkat.funnel_hint": (
            "Points outside the limit lines differ clearly from the regency average ({rate}); small units "
            "naturally spread wider."
        ),
        "peringkat.funnel_empty": "No decided stages to plot yet.",
        "peringkat.funnel_show": "Show the funnel plot",
        "peringkat.download": "Download",
        "league.col.name": "Unit",
        "league.col.tier": "Tier",
        "league.compact.row": "{rank}. {unit} · {rate} · {late} late · tier {tier}",
        "league.head.on_time": "On time",
        "league.head.overdue": "Overdue",
        "peringkat.compact": "Worst and best",
        "peringkat.compact.worst": "Worst",
        "peringkat.compact.best": "Best",
        "peringkat.compact.legend": (
            "Rank. Unit · on-time rate · late (stages due in the period that ended, or are still open, past their "
            "deadline) · tier. Tap a unit to open it; every unit is in the table "
            "below."
        ),
        "peringkat.compact.legend_area": (
            "Rank. Kecamatan · on-time rate · open overdue · tier. Tap to open its camat's page; every kecamatan "
            "is in the table below."
        ),
        "peringkat.compact.none": "No unit is ranked in this period yet; the table below says why.",
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
        "league.head.unflagged": "Unflagged",
        "peringkat.quality": "Closure quality",
        "peringkat.on_time_help": "On-time rate. {flag}: without the complaints carrying a closure-quality signal, this unit's rate is {points} points or more different (the Unflagged column under all columns, or open the unit). A question for the meeting, never a penalty: the rank does not change.",
        "peringkat.flagged": "{flag} Without flagged complaints the on-time rate moves {points} points or more: {units}. A question for the meeting, never a penalty; tap a unit to see its complaints.",
        "peringkat.flagged.unit": "{unit} {rate} → {unflagged}",
    },
}
