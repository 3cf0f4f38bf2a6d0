"""The pure parts of the first-screen work: policy labels in the page language, the server-drawn
SVG charts, the phone names in the headline and Peringkat's compact list."""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd
import pytest

from analytics.rules.policy import Limit, list_policies, load_policy
from ui import charts
from ui import league_ui as lu
from ui.i18n import MESSAGES
from ui.widgets import policy_label, policy_name

INDONESIAN_WORDS = re.compile(r"\b(hari|kerja|jam|verifikasi|tindak|penyelesaian|respons|menurut|sejak)\b")


@pytest.mark.parametrize("name", list_policies())
def test_every_policy_reads_in_both_languages(name):
    policy = load_policy(name)
    assert policy_label(policy, "id") == policy.label  # Indonesian: the file's own words
    english = policy_label(policy, "en")
    assert english.startswith(policy_name(policy)) and not INDONESIAN_WORDS.search(english), english
    # The same limits in both: a changed number in the file cannot leave a stale translation.
    assert re.findall(r"\d+", english) == re.findall(r"\d+", policy.label), (english, policy.label)
    known = MESSAGES["id"].get(f"policy.label.{name}")
    assert known is None or known == policy.label, "ui/messages/policy.py no longer matches the file's label"


def test_a_policy_file_without_a_translation_is_labelled_from_its_limits():
    base = load_policy("sp4n-lapor")
    custom = replace(base, name="kab-contoh", label="Kab. Contoh (verifikasi 2 hari kerja, tindak lanjut 12 jam)",
                     stages=tuple(replace(s, default=Limit(hours=12)) if s.stage == "tindak_lanjut" else
                                  replace(s, default=Limit(days=2)) if s.stage == "verifikasi" else s
                                  for s in base.stages))
    assert policy_label(custom, "en") == "Kab. Contoh (verification 2 working days, follow-up 12 hours)"
    assert policy_label(custom, "id") == custom.label
    classified = policy_label(replace(load_policy("permenpan-62-2018"), name="x"), "en")
    assert classified == "Permenpan RB 62/2018 (resolution 2/5/14/60 working days by classification)"
    only_respons = replace(base, name="y", label="Y (respons 4 hari kerja)",
                           stages=tuple(s for s in base.stages if s.stage == "respons"))
    assert policy_label(only_respons, "en") == "Y (response 8 working days from receipt)"


def test_bars_svg_prints_each_count_and_escapes_names():
    frame = pd.DataFrame({"short": ["DLH", "<script>x</script>", "Dinas & Co"], "open_overdue": [37, 1206, 5]})
    svg = charts.bars_svg(frame, label="short", value="open_overdue", title="Lewat batas", lang="id")
    assert svg.startswith("<svg") and "<title>Lewat batas</title>" in svg
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "Dinas &amp; Co" in svg
    assert svg.count("<rect") == 3
    texts = re.findall(r">([^<>]+)</text>", svg)
    assert texts[1] == "1.206" and texts[0] == "&lt;script&gt;x&lt;/script&gt;"  # largest first, id-ID number
    assert "1,206" in charts.bars_svg(frame, label="short", value="open_overdue", lang="en")
    assert "<rect" not in charts.bars_svg(frame.iloc[0:0], label="short", value="open_overdue")


def test_trend_svg_breaks_the_line_at_a_week_without_data():
    weeks = pd.date_range("2025-08-25", periods=6, freq="7D")
    trend = pd.DataFrame({"week": weeks, "on_time_rate": [0.9, 0.92, None, 0.88, 0.91, 0.935]})
    svg = charts.trend_svg(trend, title="Tepat waktu", lang="id")
    assert svg.count("<polyline") == 2 and svg.count("<circle") == 5
    assert ">25 Agu<" in svg and ">94%<" in svg  # last week's rate, half up, at its dot
    assert ">94%<" in charts.trend_svg(trend, lang="en") and ">25 Aug<" in charts.trend_svg(trend, lang="en")


def _league(n: int) -> pd.DataFrame:
    return pd.DataFrame({
        "group": [f"Dinas Nomor {i} Kabupaten Contoh" for i in range(1, n + 1)],
        "group_code": [f"D{i}" for i in range(1, n + 1)], "short": [f"D{i}" for i in range(1, n + 1)],
        "rank": range(1, n + 1), "ranked": True, "tier": ["A"] * (n - 1) + ["C"],
        "on_time_rate": [1 - i / 100 for i in range(n)], "open_overdue": range(n), "late": [2] * n,
        "score": [100 - i for i in range(n)], "complaints": 50,
    })


def test_compact_rows_name_the_worst_first_and_never_a_unit_twice():
    worst, best = lu.compact_rows(_league(18))
    assert list(worst["rank"]) == [18, 17, 16] and list(best["rank"]) == [1, 2, 3]
    worst, best = lu.compact_rows(_league(5))  # a short league is split, nobody in both
    assert not set(worst["rank"]) & set(best["rank"]) and len(worst) + len(best) == 5
    # Late = ended late + still open past the deadline, of the stages due in the period: the
    # rate's own count (not Ringkasan's "Lewat batas" now, which counts every open stage).
    assert lu.compact_label(_league(18).iloc[17], "id") == "18. D18 · 83,0% · 19 terlambat · kelas C"
    assert lu.compact_label(_league(18).iloc[17], "en") == "18. D18 · 83.0% · 19 late · tier C"


def test_the_headline_names_units_by_their_phone_names():
    table = _league(3)
    sentence = "Periode ini 1.852 aduan masuk. Terlambat terbanyak: Dinas Nomor 3 Kabupaten Contoh, 81 aduan."
    assert lu.short_sentence(sentence, table).endswith("Terlambat terbanyak: D3, 81 aduan.")
    assert lu.short_sentence(sentence, table.drop(columns="short")) == sentence
