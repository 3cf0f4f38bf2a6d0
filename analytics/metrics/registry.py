"""The metric registry: every number a leader sees, defined once.

Pages, the CLI and exports read names, labels, units and directions from here; the formulas live
in analytics/league.py (one function per metric family) and are explained in docs/metrics.md.
A test checks every metric here is documented there and produced by the league table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    name: str
    label_id: str
    label_en: str
    unit: str  # "count" | "pct" (a fraction 0-1) | "days" | "rating" | "score" | "rank"
    higher_is_better: bool | None  # None: neither (a volume)
    description_id: str
    description_en: str

    def label(self, lang: str = "id") -> str:
        return self.label_id if lang == "id" else self.label_en

    def description(self, lang: str = "id") -> str:
        return self.description_id if lang == "id" else self.description_en


_M = Metric
METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        _M("complaints", "Aduan", "Complaints", "count", None,
           "Aduan yang masuk dalam periode dan ditujukan ke unit/wilayah ini.",
           "Complaints received in the period for this unit or area."),
        _M("decided", "Tahap terukur", "Decided stages", "count", None,
           "Tahap yang sudah bisa dinilai: tepat waktu + terlambat + belum selesai lewat batas.",
           "Stages that can be judged: on time + late + open overdue."),
        _M("on_time", "Tepat waktu", "On time", "count", True,
           "Tahap yang selesai paling lambat pada batas waktunya.",
           "Stages that ended at or before their deadline."),
        _M("late", "Terlambat", "Late", "count", False,
           "Tahap yang selesai setelah batas waktunya.", "Stages that ended after their deadline."),
        _M("open_overdue", "Lewat batas", "Open overdue", "count", False,
           "Tahap yang belum selesai dan sudah melewati batas waktunya.",
           "Stages not ended and past their deadline."),
        _M("at_risk", "Hampir jatuh tempo", "At risk", "count", False,
           "Tahap belum selesai yang jatuh tempo hari ini atau hari kerja berikutnya.",
           "Open stages due today or on the next working day."),
        _M("unknown", "Waktu tidak diketahui", "Time unknown", "count", None,
           "Tahap yang menurut status sudah lewat, tetapi waktunya tidak tercatat di sumber data.",
           "Stages the status shows as passed, whose time the source did not record."),
        _M("uncertain", "Tidak pasti", "Uncertain", "count", None,
           "Tahap yang waktunya diperkirakan dari dua ekspor berurutan dan batas waktunya jatuh di antara "
           "keduanya: tidak dihitung tepat waktu maupun terlambat.",
           "Stages whose time was estimated between two exports with the deadline in between: counted "
           "neither on time nor late."),
        _M("on_time_rate", "Tepat waktu (%)", "On-time rate", "pct", True,
           "Tepat waktu ÷ (tepat waktu + terlambat + lewat batas). Tahap yang belum jatuh tempo tidak dihitung.",
           "On time ÷ (on time + late + open overdue). Stages not yet due are not counted."),
        _M("adjusted_on_time_rate", "Tepat waktu disesuaikan (%)", "Volume-adjusted on-time rate", "pct", True,
           "Persentase tepat waktu yang ditarik ke rata-rata kabupaten sesuai jumlah tahapnya (dasar peringkat).",
           "On-time rate pulled toward the regency rate in proportion to low volume (what ranks)."),
        _M("median_response_days", "Median respons (hari kerja)", "Median response (working days)", "days", False,
           "Median hari kerja dari disposisi sampai tanggapan pertama, atas tahap yang sudah ditanggapi.",
           "Median working days from dispatch to first response, over responded stages."),
        _M("p90_response_days", "P90 respons (hari kerja)", "P90 response (working days)", "days", False,
           "9 dari 10 aduan ditanggapi dalam hari kerja sebanyak ini atau kurang.",
           "9 in 10 responses came within this many working days."),
        _M("completion_rate", "Selesai (%)", "Completion rate", "pct", True,
           "Aduan yang sudah selesai ÷ aduan yang didisposisikan ke unit.",
           "Resolved complaints ÷ complaints dispatched to the unit."),
        _M("backlog_0_5", "Tunggakan 0-5 hk", "Backlog 0-5 wd", "count", False,
           "Aduan terbuka berumur 0-5 hari kerja sejak disposisi.", "Open complaints 0-5 working days since dispatch."),
        _M("backlog_6_10", "Tunggakan 6-10 hk", "Backlog 6-10 wd", "count", False,
           "Aduan terbuka berumur 6-10 hari kerja.", "Open complaints 6-10 working days old."),
        _M("backlog_11_20", "Tunggakan 11-20 hk", "Backlog 11-20 wd", "count", False,
           "Aduan terbuka berumur 11-20 hari kerja.", "Open complaints 11-20 working days old."),
        _M("backlog_over_20", "Tunggakan >20 hk", "Backlog >20 wd", "count", False,
           "Aduan terbuka berumur lebih dari 20 hari kerja.", "Open complaints over 20 working days old."),
        _M("mean_rating", "Rata-rata penilaian", "Mean rating", "rating", True,
           "Rata-rata penilaian warga (1-5) atas aduan yang dinilai.", "Mean citizen rating (1-5) where given."),
        _M("redispatches", "Disposisi ulang", "Redispatches", "count", False,
           "Berapa kali aduan dialihkan ke unit lain.", "How often complaints were re-dispatched."),
        _M("score", "Skor", "Score", "score", True,
           "Skor gabungan 0-100: tepat waktu disesuaikan, kecepatan respons terhadap batas, tunggakan lewat batas, penilaian warga.",
           "Composite 0-100: adjusted on-time rate, response speed against the limit, overdue backlog, rating."),
        _M("rank", "Peringkat", "Rank", "rank", False,
           "Urutan skor di antara unit dengan volume cukup.", "Order of score among units with enough volume."),
        _M("rank_change", "Perubahan peringkat", "Rank change", "rank", True,
           "Naik (+) atau turun (−) dibanding periode sebelumnya yang sama panjang.",
           "Up (+) or down (−) against the previous period of equal length."),
        # Closure quality (analytics.metrics.quality; docs/metrics.md, "Closure quality"): counts of
        # complaints with each signal, questions for the meeting, never a penalty.
        _M("reopened", "Dibuka lagi", "Reopened", "count", False,
           "Aduan yang tercatat selesai pada satu ekspor, lalu terbuka lagi pada ekspor berikutnya.",
           "Complaints seen resolved in one export and open again in a later one."),
        _M("bulk_closed", "Tutup massal", "Bulk closure", "count", False,
           "Aduan yang ditanggapi atau diselesaikan bersama banyak aduan lain dari unit yang sama dalam beberapa "
           "menit (ambang di data/quality.toml; hanya waktu yang dilaporkan sumber).",
           "Complaints answered or resolved together with many others of the same unit within a few minutes "
           "(thresholds in data/quality.toml; times the source reported only)."),
        _M("at_deadline", "Mepet tenggat", "At the deadline", "count", False,
           "Aduan yang ditanggapi tepat waktu pada hari kerja terakhir sebelum batas, oleh unit yang tanggapannya "
           "menumpuk di hari itu jauh melebihi laju unit itu sendiri pada hari-hari sebelumnya.",
           "Complaints answered on time on the last working day before the deadline, by a unit whose answers "
           "pile up on that day far beyond its own pace on the days before."),
        _M("ping_pong", "Dilempar", "Ping-pong", "count", False,
           "Aduan yang dikembalikan ke unit yang sudah pernah melepasnya, atau dialihkan tiga kali atau lebih.",
           "Complaints sent back to a unit they had already left, or redispatched three times or more."),
        _M("low_rating_after_close", "Rating rendah setelah selesai", "Low rating after closure", "count", False,
           "Aduan yang sudah selesai lalu dinilai warga 1 atau 2.",
           "Resolved complaints the citizen then rated 1 or 2."),
        _M("on_time_pct_unflagged", "Tepat waktu tanpa aduan bertanda (%)", "On-time rate without flagged closures",
           "pct", True,
           "Persentase tepat waktu yang sama dengan peringkat, tanpa tahap aduan yang bertanda kualitas penutupan: "
           "pembanding, bukan hukuman.",
           "The league's on-time rate without the stages of complaints carrying a closure-quality signal: a "
           "comparison, not a penalty."),
    )
}


def metric(name: str) -> Metric:
    try:
        return METRICS[name]
    except KeyError:
        raise ValueError(f"unknown metric {name!r}; known: {', '.join(METRICS)}") from None
