"""Texts of the Peta page and of ui/maps.py (legend, table headers). Indonesian first."""

MESSAGES = {
    "id": {
        "peta.metric": "Warna peta",
        "peta.metric.complaints": "Volume",
        "peta.metric.on_time_rate": "Tepat waktu",
        "peta.metric.open_overdue": "Lewat batas",
        "peta.settings": "Pengaturan peta",
        "peta.policy": "Aturan batas waktu: {label}",
        "peta.kec": "Kecamatan",
        "peta.kec.all": "Semua kecamatan",
        "peta.kec.help": "Ketuk kecamatan di peta atau pilih di sini.",
        "peta.desa": "Tampilkan desa/kelurahan",
        "peta.points": "Tampilkan titik aduan",
        "peta.basemap": "Peta dasar jalan (Carto)",
        "peta.basemap.help": (
            "Mati: peta hanya memakai batas kecamatan dari server ini, tidak ada yang dikirim ke pihak lain. "
            "Nyala: browser Anda mengambil ubin peta dari Carto (pihak ketiga), sehingga Carto melihat "
            "alamat IP Anda dan wilayah yang sedang Anda lihat. Perlu internet."
        ),
        "peta.map": "Peta kecamatan",
        "peta.legend": "Warna: {metric}",
        "peta.legend.desa": "Desa/kelurahan: jumlah aduan",
        "peta.tap_hint": "Ketuk kecamatan untuk melihat angkanya dan desa/kelurahannya.",
        "peta.unplaced": "{n} aduan tidak memiliki kecamatan yang cocok sehingga tidak tampil di peta.",
        "peta.no_region": "Basis data ini belum terhubung ke data wilayah, sehingga peta tidak bisa digambar.",
        "peta.empty": "Tidak ada aduan dalam periode ini. Pilih periode yang lebih panjang.",
        "peta.detail": "Kecamatan {name}",
        "peta.detail.none": "Belum ada aduan dari kecamatan ini dalam periode ini.",
        "peta.camat_link": "Kinerja Camat {name}",
        "peta.table": "Semua kecamatan",
        "map.legend.all": "semua nilai",
        "map.legend.none": "tidak ada data",
        "map.col.kecamatan": "Kecamatan",
    },
    "en": {
        "peta.metric": "Map colour",
        "peta.metric.complaints": "Volume",
        "peta.metric.on_time_rate": "On time",
        "peta.metric.open_overdue": "Overdue",
        "peta.settings": "Map settings",
        "peta.policy": "Deadline rules: {label}",
        "peta.kec": "Kecamatan",
        "peta.kec.all": "All kecamatan",
        "peta.kec.help": "Tap a kecamatan on the map or pick it here.",
        "peta.desa": "Show desa/kelurahan",
        "peta.points": "Show complaint points",
        "peta.basemap": "Street basemap (Carto)",
        "peta.basemap.help": (
            "Off: the map uses only the kecamatan boundaries from this server; nothing is sent to anyone else. "
            "On: your browser fetches map tiles from Carto (a third party), so Carto sees your IP address "
            "and the area you are looking at. Needs internet."
        ),
        "peta.map": "Kecamatan map",
        "peta.legend": "Colour: {metric}",
        "peta.legend.desa": "Desa/kelurahan: complaints",
        "peta.tap_hint": "Tap a kecamatan to see its figures and its desa/kelurahan.",
        "peta.unplaced": "{n} complaints have no matching kecamatan, so they are not on the map.",
        "peta.no_region": "This database is not linked to region data, so the map cannot be drawn.",
        "peta.empty": "No complaints in this period. Pick a longer period.",
        "peta.detail": "Kecamatan {name}",
        "peta.detail.none": "No complaints from this kecamatan in this period yet.",
        "peta.camat_link": "Camat {name} performance",
        "peta.table": "All kecamatan",
        "map.legend.all": "all values",
        "map.legend.none": "no data",
        "map.col.kecamatan": "Kecamatan",
    },
}
