"""UI text in Bahasa Indonesia (default) and English: ``t("nav.peringkat")``.

``MESSAGES`` is a plain dict catalog. Keys are grouped by prefix: ``app.``, ``nav.`` (page
titles), ``frame.``/``firstrun.``/``db.``/``panel.``/``page.`` (the frame), ``widget.``
(shared filters), then one prefix per page (``data.``, ``peringkat.``, ...). Placeholders use
``str.format`` (``{name}``) and must be the same in both languages; tests/test_i18n.py checks
that every key exists in both and that every ``t("...")`` literal in ui/ and pages/ is defined.

The language is the ``lang`` widget (ui.widgets.language_switch in the sidebar, ``?lang=en``); Streamlit's own chrome
(menus, the file uploader's "Drag and drop") stays English (streamlit#1353, #13500).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from ui.messages import access, analisis, ledger, pelanggaran, peringkat, peta, policy, ringkasan, tinjauan, unit, wall

log = logging.getLogger("pantau.ui")

LANGS: tuple[str, ...] = ("id", "en")
DEFAULT_LANG = "id"
LANG_KEY = "lang"  # widget key, session_state key and URL parameter

MESSAGES: dict[str, dict[str, str]] = {
    "id": {
        # --- app and navigation
        "app.title": "Pantau",
        "app.tagline": "Dasbor aduan masyarakat untuk pimpinan daerah",
        "lang.label": "Bahasa",
        "lang.id": "Indonesia",
        "lang.en": "English",
        "nav.ringkasan": "Ringkasan",
        "nav.peringkat": "Peringkat",
        "nav.unit": "Unit kerja",
        "nav.peta": "Peta",
        "nav.pelanggaran": "Pelanggaran SLA",
        "nav.analisis": "Analisis",
        "nav.tinjauan": "Tinjauan Mingguan",
        "nav.data": "Data",
        "nav.dinding": "Dinding",
        # --- frame
        "page.coming_soon": "Halaman ini sedang disiapkan.",
        "page.failed": "Halaman ini gagal dimuat. Kesalahannya sudah dicatat; coba muat ulang halaman.",
        "panel.failed": "Bagian “{name}” gagal dimuat. Bagian lain tetap tampil; kesalahannya sudah dicatat.",
        "db.locked": (
            "Data sedang diperbarui oleh impor yang dimulai sebelum dasbor menyala. "
            "Halaman ini mencoba lagi sendiri dalam beberapa detik."
        ),
        "db.failed": "Basis data tidak dapat dibuka. Kesalahannya sudah dicatat di log server.",
        "frame.demo_banner": "Data demo: aduan sintetis {region}, bukan kinerja nyata.",
        "frame.demo_line": ":blue-badge[:material/science: Data demo] aduan sintetis, bukan kinerja nyata",
        "frame.upload.button": "Pilih file",
        "frame.upload.limit": "Maks. {mb} MB per file",
        "frame.as_of": "{region} · data per {when}",
        "frame.as_of_noregion": "Data per {when}",
        "frame.stale_badge": ":red-badge[:material/warning: {what}]",
        "frame.stale.source": "Data {source} terakhir per {when}, {age}; batasnya {limit}.",
        "frame.stale.todo": (
            "Angka di halaman ini bisa sudah berubah. Impor ekspor terbaru di halaman Data (analis), "
            "atau minta pengelola kanal aduan mengirimnya."
        ),
        "firstrun.title": "Selamat datang di Pantau",
        "firstrun.what": (
            "Pantau merangkum aduan masyarakat (SP4N-LAPOR! dan kanal lain) untuk pimpinan daerah: "
            "berapa aduan masuk, unit kerja mana yang lambat, di kecamatan mana masalah menumpuk, "
            "dan aduan mana yang melewati batas waktu."
        ),
        "firstrun.empty": "Basis data masih kosong. Ada dua cara mengisinya:",
        "firstrun.way_upload": (
            "1. **Unggah ekspor** (CSV atau XLSX dari SP4N-LAPOR!, atau templat Pantau) di halaman Data."
        ),
        "firstrun.go_data": "Buka halaman Data",
        "firstrun.way_cli": (
            "2. **Lewat baris perintah** di server (`python -m analytics import`, atau "
            "`python -m analytics demo` untuk data demo). Hentikan dasbor dulu, karena dasbor "
            "memegang basis data selama berjalan:"
        ),
        "firstrun.way_demo": (
            "Ingin mencoba dulu? Muat **data demo**: aduan sintetis Kab. Bekasi selama 18 bulan. "
            "Data demo bisa dihapus lagi di halaman Data."
        ),
        "firstrun.demo_button": "Muat data demo",
        "firstrun.demo_running": "Membuat data demo…",
        "firstrun.db": "Basis data: {path}",
        # --- shared widgets
        "widget.period": "Periode",
        "widget.period.minggu": "Minggu ini",
        "widget.period.bulan": "Bulan ini",
        "widget.period.30h": "30 hari",
        "widget.period.custom": "Pilih tanggal",
        "widget.period.from": "Dari",
        "widget.period.to": "Sampai",
        "widget.unit": "Unit kerja",
        "widget.unit.all": "Semua unit kerja",
        "widget.policy": "Aturan batas waktu (SLA)",
        "widget.settings": "Pengaturan: aturan batas waktu (SLA) dan pilihan lain",
        "widget.period_policy": "{period} · SLA {policy}",
        # --- Data page
        "data.fresh.title": "Data terakhir",
        "data.fresh.snapshot": "Ekspor terbaru diambil",
        "data.fresh.received": "Aduan terbaru masuk",
        "data.fresh.imported": "Impor terakhir",
        "data.fresh.complaints": "Aduan tersimpan",
        "data.fresh.batches": "Impor",
        "data.empty_hint": "Basis data masih kosong. Unggah ekspor pertama di bawah ini.",
        "data.upload.title": "Unggah ekspor",
        "data.upload.file": "File ekspor (CSV atau XLSX)",
        "data.upload.help": (
            "Ekspor “Laporan Ringkas” SP4N-LAPOR!, templat Pantau, atau format lain lewat file pemetaan."
        ),
        "data.upload.options": "Format dan file pemetaan",
        "data.upload.format": "Format file",
        "data.upload.mapping": "File pemetaan (TOML, untuk format lain)",
        "data.upload.region": "Wilayah (untuk file yang tidak menyebut kabupatennya)",
        "data.region.auto": "Kenali dari file",
        "data.upload.button": "Impor",
        "data.upload.running": "Mengimpor {file}…",
        "data.format.auto": "Kenali otomatis",
        "data.format.sp4n-ringkas": "SP4N-LAPOR! Laporan Ringkas",
        "data.format.pantau": "Templat Pantau",
        "data.format.mapping": "Lewat file pemetaan",
        "data.demo_note": (
            "Basis data ini berisi data demo. Ekspor nyata akan ditolak sampai data demo dihapus."
        ),
        "data.demo_clear.confirm": "Ya, hapus semua data demo",
        "data.demo_clear.button": "Hapus data demo",
        "data.demo_clear.done": "Data demo dihapus: {n} aduan.",
        "data.report.ok": "{file} diimpor (impor #{batch}).",
        "data.report.already": "{file} sudah pernah diimpor (impor #{batch}); tidak ada yang berubah.",
        "data.report.refused": "{file} ditolak; tidak ada data yang berubah.",
        "data.report.expected": "Kolom yang diharapkan:",
        "data.report.failed": (
            "Impor {file} gagal karena kesalahan tak terduga; tidak ada data yang berubah. "
            "Kesalahannya sudah dicatat di log server."
        ),
        "data.report.read": "Dibaca",
        "data.report.new": "Baru",
        "data.report.updated": "Diperbarui",
        "data.report.unchanged": "Tetap",
        "data.report.quarantined": "Karantina",
        "data.report.duplicate": "Duplikat",
        "data.report.estimated": "Waktu tahap yang diperkirakan dari waktu ekspor: {n}.",
        "data.report.control": "{n} sel berisi karakter kendali dibersihkan (NUL dan sejenisnya; isi lainnya tetap).",
        "data.report.statuses": "Status yang belum dikenal (aduannya tetap disimpan, statusnya dari waktu tahap): {words}. Tambahkan kata ini ke data/statuses.toml.",
        "data.report.reasons": "Alasan karantina",
        "data.report.unknown": "Nama yang tidak dikenali",
        "data.history.title": "Riwayat impor",
        "data.history.empty": "Belum ada impor.",
        "data.history.truncated": "Menampilkan {n} impor terbaru.",
        "data.inbox.title": "Kotak masuk",
        "data.inbox.intro": "File terbaru yang masuk lewat folder kotak masuk (`python -m analytics watch`).",
        "data.inbox.empty": (
            "Belum ada file dari kotak masuk. Ekspor yang diletakkan di folder kotak masuk diimpor sendiri; "
            "caranya ada di docs/operations.md."
        ),
        "data.inbox.col.when": "Waktu",
        "data.inbox.col.result": "Hasil",
        "data.inbox.imported": "diimpor (#{batch}): {new} baru",
        "data.inbox.nothing_new": "sudah pernah diimpor",
        "data.inbox.refused": "ditolak: {why}",
        "data.quarantine.title": "Baris dikarantina",
        "data.quarantine.empty": "Tidak ada baris yang dikarantina.",
        "data.quarantine.intro": (
            "Baris yang tidak lolos pemeriksaan disimpan di sini dan tidak dihitung. "
            "Isi aduan dan data pelapor disamarkan (•••), begitu pula nomor telepon, NIK dan e-mail "
            "di kolom lain. Identitas pelapor Anonim tidak disimpan."
        ),
        "data.quarantine.truncated": "Menampilkan {n} baris pertama dari impor terbaru.",
        "data.quarantine.by_reason": "Menurut alasan",
        "data.quarantine.rows": "Baris",
        "data.unknown.title": "Nama yang tidak dikenali",
        "data.unknown.empty": "Semua nama unit kerja, kecamatan dan desa dikenali.",
        "data.unknown.no_region": (
            "Basis data ini tidak terhubung ke daftar wilayah, jadi nama tidak dicocokkan."
        ),
        "data.unknown.intro": (
            "Nama di file yang tidak cocok dengan daftar wilayah {region}. Tambahkan ejaan ini ke "
            "data/regions/{slug}/aliases.toml agar impor berikutnya mengenalinya."
        ),
        "data.unknown.truncated": "Menampilkan {n} nama tersering per jenis.",
        "data.level.unit": "Unit kerja",
        "data.level.kecamatan": "Kecamatan",
        "data.level.desa": "Desa/kelurahan",
        "data.col.batch": "Impor",
        "data.col.imported_at": "Diimpor",
        "data.col.snapshot_at": "Ekspor diambil",
        "data.col.file": "File",
        "data.col.format": "Format",
        "data.col.line": "Baris",
        "data.col.id": "ID aduan",
        "data.col.reasons": "Alasan",
        "data.col.raw": "Isi baris (disamarkan)",
        "data.col.level": "Jenis",
        "data.col.name": "Nama di file",
        "data.col.complaints": "Aduan",
        "data.col.reason": "Alasan",
        "data.col.code": "Kode",
        "data.col.rows": "Baris",
    },
    "en": {
        "app.title": "Pantau",
        "app.tagline": "Public complaints dashboard for regional leaders",
        "lang.label": "Language",
        "lang.id": "Indonesia",
        "lang.en": "English",
        "nav.ringkasan": "Overview",
        "nav.peringkat": "League table",
        "nav.unit": "Units",
        "nav.peta": "Map",
        "nav.pelanggaran": "SLA breaches",
        "nav.analisis": "Analysis",
        "nav.tinjauan": "Weekly review",
        "nav.data": "Data",
        "nav.dinding": "Wall",
        "page.coming_soon": "This page is being built.",
        "page.failed": "This page failed to load. The error has been logged; try reloading the page.",
        "panel.failed": (
            "The “{name}” section failed to load. The rest of the page still works; the error has been logged."
        ),
        "db.locked": (
            "The data is being updated by an import that started before the dashboard. "
            "This page tries again by itself in a few seconds."
        ),
        "db.failed": "The database cannot be opened. The error has been logged on the server.",
        "frame.demo_banner": "Demo data: synthetic complaints for {region}, not real performance.",
        "frame.demo_line": ":blue-badge[:material/science: Demo data] synthetic, not real performance",
        "frame.upload.button": "Upload",
        "frame.upload.limit": "Up to {mb} MB per file",
        "frame.as_of": "{region} · data as of {when}",
        "frame.as_of_noregion": "Data as of {when}",
        "frame.stale_badge": ":red-badge[:material/warning: {what}]",
        "frame.stale.source": "The {source} data is as of {when}, {age}; the limit is {limit}.",
        "frame.stale.todo": (
            "The figures on this page may have changed since. Import the latest export on the Data page "
            "(analysts), or ask the complaint channel's operator to send it."
        ),
        "firstrun.title": "Welcome to Pantau",
        "firstrun.what": (
            "Pantau summarises public complaints (SP4N-LAPOR! and other channels) for regional leaders: "
            "how many complaints come in, which units are slow, in which kecamatan problems pile up, "
            "and which complaints are past their deadline."
        ),
        "firstrun.empty": "The database is still empty. There are two ways to fill it:",
        "firstrun.way_upload": (
            "1. **Upload an export** (CSV or XLSX from SP4N-LAPOR!, or the Pantau template) on the Data page."
        ),
        "firstrun.go_data": "Open the Data page",
        "firstrun.way_cli": (
            "2. **From the command line** on the server (`python -m analytics import`, or "
            "`python -m analytics demo` for demo data). Stop the dashboard first: it holds the "
            "database while it runs:"
        ),
        "firstrun.way_demo": (
            "Want to try it first? Load the **demo data**: 18 months of synthetic complaints for "
            "Kab. Bekasi. You can remove them again on the Data page."
        ),
        "firstrun.demo_button": "Load demo data",
        "firstrun.demo_running": "Building the demo data…",
        "firstrun.db": "Database: {path}",
        "widget.period": "Period",
        "widget.period.minggu": "This week",
        "widget.period.bulan": "This month",
        "widget.period.30h": "30 days",
        "widget.period.custom": "Pick dates",
        "widget.period.from": "From",
        "widget.period.to": "To",
        "widget.unit": "Unit",
        "widget.unit.all": "All units",
        "widget.policy": "Deadline rules (SLA)",
        "widget.settings": "Settings: deadline rules (SLA) and other choices",
        "widget.period_policy": "{period} · SLA {policy}",
        "data.fresh.title": "Latest data",
        "data.fresh.snapshot": "Newest export taken",
        "data.fresh.received": "Newest complaint received",
        "data.fresh.imported": "Last import",
        "data.fresh.complaints": "Complaints stored",
        "data.fresh.batches": "Imports",
        "data.empty_hint": "The database is still empty. Upload a first export below.",
        "data.upload.title": "Upload an export",
        "data.upload.file": "Export file (CSV or XLSX)",
        "data.upload.help": (
            "An SP4N-LAPOR! “Laporan Ringkas” export, the Pantau template, or another layout via a mapping file."
        ),
        "data.upload.options": "Format and mapping file",
        "data.upload.format": "File format",
        "data.upload.mapping": "Mapping file (TOML, for other layouts)",
        "data.upload.region": "Region (for files that do not name their regency)",
        "data.region.auto": "Detect from the file",
        "data.upload.button": "Import",
        "data.upload.running": "Importing {file}…",
        "data.format.auto": "Detect automatically",
        "data.format.sp4n-ringkas": "SP4N-LAPOR! Laporan Ringkas",
        "data.format.pantau": "Pantau template",
        "data.format.mapping": "Via a mapping file",
        "data.demo_note": "This database holds demo data. Real exports are refused until the demo data is removed.",
        "data.demo_clear.confirm": "Yes, remove all demo data",
        "data.demo_clear.button": "Remove demo data",
        "data.demo_clear.done": "Demo data removed: {n} complaints.",
        "data.report.ok": "{file} imported (import #{batch}).",
        "data.report.already": "{file} was imported before (import #{batch}); nothing changed.",
        "data.report.refused": "{file} was refused; no data changed.",
        "data.report.expected": "Expected columns:",
        "data.report.failed": (
            "Importing {file} failed with an unexpected error; no data changed. "
            "The error has been logged on the server."
        ),
        "data.report.read": "Read",
        "data.report.new": "New",
        "data.report.updated": "Updated",
        "data.report.unchanged": "Unchanged",
        "data.report.quarantined": "Quarantined",
        "data.report.duplicate": "Duplicates",
        "data.report.estimated": "Stage times estimated from the export time: {n}.",
        "data.report.control": "{n} cells with control characters cleaned (NUL and the like; the rest of each cell kept).",
        "data.report.statuses": "Statuses not known yet (the complaints are kept, their status from their stage times): {words}. Add the words to data/statuses.toml.",
        "data.report.reasons": "Quarantine reasons",
        "data.report.unknown": "Unrecognised names",
        "data.history.title": "Import history",
        "data.history.empty": "No imports yet.",
        "data.history.truncated": "Showing the {n} newest imports.",
        "data.inbox.title": "Inbox",
        "data.inbox.intro": "The newest files that came in through the inbox folder (`python -m analytics watch`).",
        "data.inbox.empty": (
            "No files from the inbox yet. Exports put in the inbox folder import themselves; "
            "docs/operations.md says how."
        ),
        "data.inbox.col.when": "When",
        "data.inbox.col.result": "Result",
        "data.inbox.imported": "imported (#{batch}): {new} new",
        "data.inbox.nothing_new": "already imported",
        "data.inbox.refused": "refused: {why}",
        "data.quarantine.title": "Quarantined rows",
        "data.quarantine.empty": "No rows are quarantined.",
        "data.quarantine.intro": (
            "Rows that failed a check are kept here and are not counted. "
            "Complaint text and reporter details are masked (•••), and so are phone numbers, NIK "
            "and e-mails in other columns. An Anonim reporter's identity is not stored."
        ),
        "data.quarantine.truncated": "Showing the first {n} rows, newest import first.",
        "data.quarantine.by_reason": "By reason",
        "data.quarantine.rows": "Rows",
        "data.unknown.title": "Unrecognised names",
        "data.unknown.empty": "Every unit, kecamatan and desa name was recognised.",
        "data.unknown.no_region": "This database is not linked to a region registry, so names are not matched.",
        "data.unknown.intro": (
            "Names in the files that match nothing in the {region} registry. Add these spellings to "
            "data/regions/{slug}/aliases.toml so the next import recognises them."
        ),
        "data.unknown.truncated": "Showing the {n} most frequent names per kind.",
        "data.level.unit": "Unit",
        "data.level.kecamatan": "Kecamatan",
        "data.level.desa": "Desa/kelurahan",
        "data.col.batch": "Import",
        "data.col.imported_at": "Imported",
        "data.col.snapshot_at": "Export taken",
        "data.col.file": "File",
        "data.col.format": "Format",
        "data.col.line": "Line",
        "data.col.id": "Complaint ID",
        "data.col.reasons": "Reasons",
        "data.col.raw": "Row content (masked)",
        "data.col.level": "Kind",
        "data.col.name": "Name in file",
        "data.col.complaints": "Complaints",
        "data.col.reason": "Reason",
        "data.col.code": "Code",
        "data.col.rows": "Rows",
    },
}

# Each page keeps its own catalog in ui/messages/<page>.py (MESSAGES = {"id": {...}, "en": {...}})
# so pages can be written in parallel; they are merged here once, at import.
PAGE_CATALOGS = {
    "ringkasan": ringkasan, "unit": unit, "peringkat": peringkat, "pelanggaran": pelanggaran,
    "tinjauan": tinjauan, "peta": peta, "analisis": analisis, "access": access, "policy": policy,
    "wall": wall, "ledger": ledger,
}


# Keys a page catalog redefined with a different text (tests/test_i18n.py keeps this empty).
CATALOG_CONFLICTS: list[str] = []


def _merge_page_catalogs() -> None:
    for page, mod in PAGE_CATALOGS.items():
        for lang in LANGS:
            for key, text in mod.MESSAGES.get(lang, {}).items():
                if MESSAGES[lang].get(key, text) != text:
                    CATALOG_CONFLICTS.append(f"ui/messages/{page}.py [{lang}] {key}")
                MESSAGES[lang][key] = text


_merge_page_catalogs()


def current_lang() -> str:
    """The session's language: the ``lang`` widget's value, else ``?lang=``, else Indonesian.

    Reading the URL too matters on the first run of a session, before the widget has drawn.
    Outside a Streamlit run (tests, CLI) it is the default.
    """
    try:
        import streamlit as st

        value = st.session_state.get(LANG_KEY)
        if value in LANGS:
            return value
        value = st.query_params.get(LANG_KEY)
        if value in LANGS:
            return value
    except Exception:  # no script run context
        pass
    return DEFAULT_LANG


def t(key: str, lang: str | None = None, **kwargs: object) -> str:
    """The text for ``key`` in ``lang`` (default: the session's), formatted with ``kwargs``.

    A key missing in the language falls back to Indonesian, then to the key itself (logged), so a
    typo shows up on screen instead of crashing the page.
    """
    lang = lang if lang in LANGS else current_lang()
    text = MESSAGES[lang].get(key)
    if text is None:
        text = MESSAGES[DEFAULT_LANG].get(key)
        log.warning("missing message %r for language %r", key, lang)
        if text is None:
            return key
    if not kwargs:
        return text
    try:
        return text.format(**kwargs)
    except (KeyError, IndexError, ValueError):
        log.warning("message %r: bad placeholders for %r", key, sorted(kwargs))
        return text


def _prefixed(prefix: str, lang: str | None, code: object) -> str:
    return t(f"{prefix}{code}", lang=lang)


def option_labels(prefix: str, lang: str | None = None) -> Callable[[object], str]:
    """A ``format_func`` for options that are codes: ``code -> t(prefix + code)``.

    Use it instead of a lambda: widget format functions end up in session state (AppTest keeps
    them there) and ``enforceSerializableSessionState`` needs them picklable.
    """
    return functools.partial(_prefixed, prefix, lang)

