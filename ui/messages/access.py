"""Texts for login, roles, personal data, the complaint list and the audit log (ui/access.py,
ui/complaints_ui.py, ui/downloads.py and the Data page's audit panel)."""

MESSAGES = {
    "id": {
        "access.login.title": "Masuk ke Pantau",
        "access.login.body": (
            "Dasbor ini memuat data aduan warga. Masuk dengan akun kantor Anda untuk melihatnya; "
            "yang Anda lihat bergantung pada peran Anda (pimpinan, analis, atau unit kerja)."
        ),
        "access.login.button": "Masuk",
        "access.login.ended": "Anda sudah keluar dari Pantau. Masuk lagi untuk melihat data.",
        "access.login.expired": "Sesi login berakhir (lebih dari {hours} jam sejak masuk). Masuk lagi untuk melanjutkan.",
        "access.login.invalid": (
            "Login ini tidak membawa waktu masuk dari penyedia login, sehingga tidak dapat dibatasi "
            "atau diakhiri. Masuk lagi; jika terulang, hubungi admin Diskominfo."
        ),
        "access.login.provider_error": (
            "Penyedia login menolak permintaan masuk. Kode: {error}. Keterangan: {description}. "
            "Sampaikan kode ini kepada admin Diskominfo."
        ),
        "access.denied.title": "Tidak ada akses",
        "access.denied.body": (
            "Akun **{email}** berhasil masuk, tetapi belum terdaftar di Pantau (atau alamat e-mailnya "
            "belum terverifikasi). Minta admin Diskominfo menambahkan akun ini ke berkas pengguna."
        ),
        "access.setup.title": "Atur login dulu",
        "access.setup.body": (
            "Basis data ini berisi data aduan sungguhan, dan login belum diatur. Pantau tidak "
            "menampilkan data sungguhan tanpa login."
        ),
        "access.setup.imported": (
            "Impor berhasil: **{file}**, {new} aduan baru, {updated} diperbarui, {quarantined} dikarantina. "
            "Data sungguhan kini ada di sini, jadi halaman-halaman menunggu login diatur."
        ),
        "access.setup.way1": "Cara 1 (disarankan): atur login",
        "access.setup.way2": "Cara 2: jaringan tertutup, tanpa login",
        "access.setup.steps": (
            "1. Isi bagian `[auth]` di `.streamlit/secrets.toml` (contoh di bawah, untuk Keycloak).\n"
            "2. Daftarkan pengguna, peran dan unitnya di `{users}` "
            "(contoh: `.streamlit/pantau-users.example.toml`).\n"
            "3. Muat ulang halaman ini.\n\n"
            "Panduan lengkap: `docs/security.md`."
        ),
        "access.setup.open": (
            "Hanya untuk jaringan tertutup: `allow_open = true` di bagian `[access]` berkas pengguna "
            "menampilkan data tanpa login, sebagai pimpinan (tanpa data pribadi)."
        ),
        "access.config_error.title": "Berkas pengguna bermasalah",
        "access.config_error.body": "Tidak ada data yang ditampilkan sampai berkas pengguna diperbaiki: {problem}",
        "access.logout": "Keluar",
        "access.account": "Masuk sebagai {who} · {role}",
        "access.account.open": "Mode terbuka (tanpa login) · {role}",
        "access.role.pimpinan": "Pimpinan",
        "access.role.analis": "Analis",
        "access.role.unit": "Unit kerja",
        "access.open.demo": "Mode terbuka tanpa login: hanya untuk data demo.",
        "access.open.empty": "Mode terbuka tanpa login. Setelah data sungguhan diimpor, login wajib diatur.",
        "access.open.real": (
            "Mode terbuka tanpa login (allow_open), sebagai {role}: siapa pun yang membuka alamat ini "
            "melihat halaman ini."
        ),
        "access.import.analis_only": "Hanya analis yang dapat mengimpor data atau memuat data demo.",
        "access.rows.other_unit": (
            "Rincian aduan (nomor, isi, lokasi) unit lain tidak ditampilkan untuk akun unit kerja; "
            "angka kinerjanya tetap terlihat."
        ),
        "access.rows.own_only": "Hanya aduan unit Anda yang tercantum di sini.",
        "access.list.title": "Daftar aduan",
        "access.list.caption": (
            "Aduan terbaru yang diterima pada periode ini. Nomor telepon, NIK dan e-mail di dalam isi "
            "aduan disamarkan; identitas pelapor aduan Rahasia dan Anonim tidak pernah ditampilkan."
        ),
        "access.list.empty": "Tidak ada aduan unit ini pada periode ini.",
        "access.list.truncated": "Menampilkan {n} aduan terbaru; persempit periode untuk melihat yang lebih lama.",
        "access.col.id": "No. aduan",
        "access.col.received": "Diterima",
        "access.col.status": "Status",
        "access.col.category": "Kategori",
        "access.col.place": "Lokasi",
        "access.col.text": "Isi aduan",
        "access.col.reporter": "Pelapor",
        "access.col.contact": "Kontak",
        "access.col.kind": "Sifat",
        "access.kind.rahasia": "Rahasia",
        "access.kind.anonim": "Anonim",
        "access.reveal.reason": "Alasan membuka data pribadi (dicatat)",
        "access.reveal.reason_help": "Misalnya: tindak lanjut aduan nomor sekian atas permintaan unit.",
        "access.reveal.button": "Tampilkan data pribadi",
        "access.reveal.need_reason": "Tulis alasannya dulu: setiap pembukaan data pribadi dicatat di log audit.",
        "access.reveal.shown": (
            "Data pribadi {n} aduan ditampilkan untuk Anda dan dicatat di log audit. Identitas pelapor "
            "aduan Rahasia dan Anonim tetap tersembunyi."
        ),
        "access.reveal.hide": "Sembunyikan lagi",
        "access.identity.own": (
            "Aduan unit Anda ditampilkan lengkap untuk tindak lanjut, kecuali identitas pelapor aduan "
            "Rahasia dan Anonim."
        ),
        "access.download.note": "Berkas unduhan tidak memuat data pribadi; setiap unduhan dicatat di log audit.",
        "access.download.unguarded": (
            "Unduhan dimatikan: Pantau dijalankan tanpa pengamannya. Jalankan dengan `streamlit run app.py` "
            "(run.sh)."
        ),
        "access.download.no_cookie": "Unduhan perlu cookie browser: izinkan cookie untuk alamat ini, lalu muat ulang.",
        "access.audit.title": "Log audit",
        "access.audit.caption": (
            "Siapa masuk, mengimpor, mengunduh, dan membuka data pribadi, terbaru di atas "
            "({n} baris terakhir). Log lengkap: `python -m analytics audit`."
        ),
        "access.audit.empty": "Log audit masih kosong.",
        "access.audit.col.at": "Waktu",
        "access.audit.col.who": "Siapa",
        "access.audit.col.role": "Peran",
        "access.audit.col.action": "Tindakan",
        "access.audit.col.detail": "Rincian",
        "access.action.login": "masuk",
        "access.action.logout": "keluar",
        "access.action.denied": "ditolak",
        "access.action.import": "impor",
        "access.action.demo": "data demo",
        "access.action.download": "unduh",
        "access.action.reveal": "buka data pribadi",
        "access.quarantine.analis_only": (
            "Baris yang dikarantina (isi mentah berkas) hanya terlihat oleh analis; jumlah per alasan ada di atas."
        ),
    },
    "en": {
        "access.login.title": "Sign in to Pantau",
        "access.login.body": (
            "This dashboard holds citizens' complaints. Sign in with your office account to see it; "
            "what you see depends on your role (leadership, analyst or unit)."
        ),
        "access.login.button": "Sign in",
        "access.login.ended": "You have signed out of Pantau. Sign in again to see the data.",
        "access.login.expired": "Your sign-in has ended (more than {hours} hours ago). Sign in again to continue.",
        "access.login.invalid": (
            "This sign-in carries no login time from the identity provider, so it cannot be limited "
            "or ended. Sign in again; if it happens again, contact the Diskominfo admin."
        ),
        "access.login.provider_error": (
            "The identity provider refused the sign-in. Code: {error}. Details: {description}. "
            "Pass this code on to the Diskominfo admin."
        ),
        "access.denied.title": "No access",
        "access.denied.body": (
            "The account **{email}** signed in, but it is not registered in Pantau (or its e-mail "
            "address is not verified). Ask the Diskominfo admin to add it to the users file."
        ),
        "access.setup.title": "Set up login first",
        "access.setup.body": (
            "This database holds real complaint data and login is not set up. Pantau does not show "
            "real data without login."
        ),
        "access.setup.imported": (
            "Import done: **{file}**, {new} new complaints, {updated} updated, {quarantined} quarantined. "
            "Real data is now here, so the pages wait until login is set up."
        ),
        "access.setup.way1": "Way 1 (recommended): set up login",
        "access.setup.way2": "Way 2: a closed network, without login",
        "access.setup.steps": (
            "1. Fill in the `[auth]` section of `.streamlit/secrets.toml` (example below, for Keycloak).\n"
            "2. List the users, their roles and units in `{users}` "
            "(example: `.streamlit/pantau-users.example.toml`).\n"
            "3. Reload this page.\n\n"
            "Full guide: `docs/security.md`."
        ),
        "access.setup.open": (
            "Closed networks only: `allow_open = true` in the users file's `[access]` section shows "
            "the data without login, as leadership (no personal data)."
        ),
        "access.config_error.title": "The users file has a problem",
        "access.config_error.body": "No data is shown until the users file is fixed: {problem}",
        "access.logout": "Sign out",
        "access.account": "Signed in as {who} · {role}",
        "access.account.open": "Open mode (no login) · {role}",
        "access.role.pimpinan": "Leadership",
        "access.role.analis": "Analyst",
        "access.role.unit": "Unit",
        "access.open.demo": "Open mode without login: for demo data only.",
        "access.open.empty": "Open mode without login. Once real data is imported, login must be set up.",
        "access.open.real": (
            "Open mode without login (allow_open), as {role}: anyone who opens this address sees this page."
        ),
        "access.import.analis_only": "Only analysts can import data or load the demo data.",
        "access.rows.other_unit": (
            "Complaint details (numbers, text, locations) of other units are not shown to unit "
            "accounts; their performance figures still are."
        ),
        "access.rows.own_only": "Only your unit's complaints are listed here.",
        "access.list.title": "Complaints",
        "access.list.caption": (
            "The latest complaints received in this period. Phone numbers, NIK and e-mail addresses "
            "inside the text are masked; the reporter of a Rahasia or Anonim complaint is never shown."
        ),
        "access.list.empty": "No complaints for this unit in this period.",
        "access.list.truncated": "Showing the {n} latest complaints; narrow the period to see older ones.",
        "access.col.id": "Complaint no.",
        "access.col.received": "Received",
        "access.col.status": "Status",
        "access.col.category": "Category",
        "access.col.place": "Location",
        "access.col.text": "Complaint",
        "access.col.reporter": "Reporter",
        "access.col.contact": "Contact",
        "access.col.kind": "Type",
        "access.kind.rahasia": "Confidential",
        "access.kind.anonim": "Anonymous",
        "access.reveal.reason": "Reason for opening personal data (logged)",
        "access.reveal.reason_help": "For example: follow-up of complaint no. so-and-so at the unit's request.",
        "access.reveal.button": "Show personal data",
        "access.reveal.need_reason": "Write the reason first: every opening of personal data is written to the audit log.",
        "access.reveal.shown": (
            "Personal data of {n} complaints is shown to you and written to the audit log. Reporters "
            "of Rahasia and Anonim complaints stay hidden."
        ),
        "access.reveal.hide": "Hide again",
        "access.identity.own": (
            "Your unit's complaints are shown in full for follow-up, except the reporter of Rahasia "
            "and Anonim complaints."
        ),
        "access.download.note": "Downloaded files hold no personal data; every download is written to the audit log.",
        "access.download.unguarded": (
            "Downloads are off: Pantau runs without its guard. Start it with `streamlit run app.py` (run.sh)."
        ),
        "access.download.no_cookie": "Downloads need a browser cookie: allow cookies for this address, then reload.",
        "access.audit.title": "Audit log",
        "access.audit.caption": (
            "Who signed in, imported, downloaded and opened personal data, newest first (last {n} "
            "rows). The full log: `python -m analytics audit`."
        ),
        "access.audit.empty": "The audit log is empty.",
        "access.audit.col.at": "When",
        "access.audit.col.who": "Who",
        "access.audit.col.role": "Role",
        "access.audit.col.action": "Action",
        "access.audit.col.detail": "Detail",
        "access.action.login": "sign-in",
        "access.action.logout": "sign-out",
        "access.action.denied": "refused",
        "access.action.import": "import",
        "access.action.demo": "demo data",
        "access.action.download": "download",
        "access.action.reveal": "opened personal data",
        "access.quarantine.analis_only": (
            "Quarantined rows (the file's raw content) are visible to analysts only; the counts per reason are above."
        ),
    },
}
