"""How old the data is (analytics.live.freshness): the verdict on hand-made snapshots, the policy's
[freshness] table, the one read, and every page's data line (a stale store warns on the first
screen; a fresh one says its age in words)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.live import freshness as fr
from analytics.rules.policy import DEFAULT_FRESHNESS_DAYS, FreshnessRule, list_policies, load_policy
from analytics.rules.workcal import WorkCalendar
from tests.app_fixtures import demo_db, demo_file, open_page  # noqa: F401 - pytest fixtures
from ui.i18n import t

TZ = "Asia/Jakarta"
# A calendar of its own: Monday-Friday, one holiday (Monday 24 Nov 2025), so every count below can
# be checked by hand.
HOLIDAY = "2025-11-24"
CAL = WorkCalendar(holidays=np.array([HOLIDAY], dtype="datetime64[D]"), first=np.datetime64("2025-01-01"),
                   last=np.datetime64("2026-12-31"))
RULE = FreshnessRule()


def at(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz=TZ)


def snaps(*rows: tuple[str, str]) -> pd.DataFrame:
    """(source, local snapshot time) -> the frame freshness.snapshots returns."""
    return pd.DataFrame({"source": [r[0] for r in rows],
                         "snapshot_at": [at(r[1]).tz_convert("UTC") for r in rows],
                         "batches": [1] * len(rows)})


def age_of(snapshot: str, now: str, rule: FreshnessRule = RULE, source: str = "sp4n-lapor") -> fr.SourceAge:
    return fr.data_age(snaps((source, snapshot)), at(now), rule, CAL, TZ).sources[0]


# --- the verdict ---------------------------------------------------------------------------------


def test_a_friday_snapshot_read_on_monday_is_one_working_day_old():
    a = age_of("2025-11-14 16:00", "2025-11-17 08:00")  # Friday -> Monday
    assert (a.working_days, a.hours, a.stale) == (1, 64.0, False)
    assert fr.age_words(a.working_days, a.hours) == "1 hari kerja lalu"


def test_the_same_day_and_a_weekend_count_no_working_day():
    assert age_of("2025-11-14 08:00", "2025-11-14 11:30").working_days == 0  # Friday, same day
    weekend = age_of("2025-11-14 16:00", "2025-11-16 20:00")  # Friday -> Sunday
    assert (weekend.working_days, weekend.stale) == (0, False)
    assert fr.age_words(weekend.working_days, weekend.hours) == "2 hari lalu (hari libur)"
    assert fr.age_words(0, 3.5) == "3 jam lalu" and fr.age_words(0, 0.2) == "baru saja"
    assert fr.age_words(0, 3.5, "en") == "3 hours ago"


def test_a_holiday_between_does_not_count():
    # Friday 21 Nov -> Tuesday 25 Nov: Monday 24 is a holiday, so only Tuesday counts.
    assert age_of("2025-11-21 16:00", "2025-11-25 09:00").working_days == 1
    # The same span a week earlier, without a holiday, is two working days.
    assert age_of("2025-11-14 16:00", "2025-11-18 09:00").working_days == 2


def test_stale_means_past_the_limit_not_at_it():
    assert not age_of("2025-11-13 16:00", "2025-11-17 09:00").stale  # Thursday -> Monday: 2 = the limit
    late = age_of("2025-11-13 16:00", "2025-11-18 09:00")  # -> Tuesday: 3 > 2
    assert (late.working_days, late.threshold, late.over, late.stale) == (3, 2, 1, True)


def test_each_source_has_its_own_limit_and_the_worst_is_named():
    rule = FreshnessRule(working_days=2, sources=(("lapor-aa-bupati", 1),))
    age = fr.data_age(snaps(("sp4n-lapor", "2025-11-13 10:00"), ("lapor-aa-bupati", "2025-11-13 20:00")),
                      at("2025-11-17 09:00"), rule, CAL, TZ)
    by = {s.source: s for s in age.sources}
    assert (by["sp4n-lapor"].threshold, by["sp4n-lapor"].stale) == (2, False)
    assert (by["lapor-aa-bupati"].threshold, by["lapor-aa-bupati"].stale) == (1, True)
    assert age.stale and age.worst.source == "lapor-aa-bupati"
    assert [s.source for s in age.stale_sources] == ["lapor-aa-bupati"]
    # The data's moment and age are the newest snapshot's (the pages' as_of).
    assert age.newest == at("2025-11-13 20:00") and age.working_days == 2
    assert fr.stale_sentence(age) == "Data terlambat: Lapor AA Bupati 2 hari kerja lalu (batas 1 hari kerja)."
    assert fr.stale_sentence(age, "en") == "Data out of date: Lapor AA Bupati 2 working days ago (limit 1 working day)."


def test_one_stopped_source_makes_the_data_stale_though_another_is_fresh():
    age = fr.data_age(snaps(("demo", "2025-11-03 10:00"), ("sp4n-lapor", "2025-11-17 07:00")),
                      at("2025-11-17 09:00"), RULE, CAL, TZ)
    assert age.working_days == 0 and age.stale and age.worst.source == "demo"
    assert [s.source for s in age.sources] == ["demo", "sp4n-lapor"]  # oldest first


def test_empty_store_future_snapshot_and_dates_outside_the_calendar():
    empty = fr.data_age(snaps(), at("2025-11-17 09:00"), RULE, CAL, TZ)
    assert (empty.sources, empty.newest, empty.stale, empty.worst, empty.working_days) == ((), None, False, None, None)
    ahead = age_of("2025-11-17 10:00", "2025-11-17 09:00")  # a clock ahead of the reader's
    assert (ahead.working_days, ahead.hours, ahead.stale) == (0, 0.0, False)
    ancient = age_of("1980-05-01 10:00", "2025-11-17 09:00")  # before the calendar: from its first day
    assert ancient.stale and ancient.working_days > 200


def test_the_policy_calendar_counts_real_holidays():
    """With the shipped calendar: 25 Dec 2025 (Natal) and 26 Dec (cuti bersama) do not count."""
    from analytics.metrics.clock import policy_calendar

    policy = load_policy(None)
    age = fr.data_age(snaps(("sp4n-lapor", "2025-12-24 15:00")), at("2025-12-29 09:00"), policy.freshness,
                      policy_calendar(policy), policy.timezone)
    assert age.working_days == 1 and not age.stale


# --- the policy's [freshness] table ----------------------------------------------------------------


def _policy_file(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "uji.toml"
    path.write_text('name = "uji"\nlabel = "Uji"\ndescription = "Uji."\n' + extra + '[stages.verifikasi]\ndays = 3\n',
                    encoding="utf-8")
    return path


def test_shipped_policies_use_the_default_limit():
    for name in list_policies():
        assert load_policy(name).freshness == FreshnessRule(working_days=DEFAULT_FRESHNESS_DAYS, sources=())
    assert DEFAULT_FRESHNESS_DAYS == 2


def test_a_freshness_table_sets_the_limits(tmp_path):
    policy = load_policy(_policy_file(tmp_path, "[freshness]\nworking_days = 3\n"
                                                "[freshness.sources]\nlapor-aa-bupati = 1\nsp4n-lapor = 0\n"))
    rule = policy.freshness
    assert (rule.threshold("lapor-aa-bupati"), rule.threshold("sp4n-lapor"), rule.threshold("demo")) == (1, 0, 3)
    hash(policy)  # still hashable: the dashboard's cache hashes policies


@pytest.mark.parametrize(("extra", "message"), [
    ("[freshness]\nworking_days = -1\n", "working_days must be a whole number"),
    ("[freshness]\nworking_days = true\n", "working_days must be a whole number"),
    ("[freshness]\nworking_days = 1.5\n", "working_days must be a whole number"),
    ("[freshness]\nhari = 2\n", "unknown key"),
    ("[freshness.sources]\nlapor = \"satu\"\n", "'lapor' must be a whole number"),
    ("freshness = 2\n", "[freshness] must be a table"),
])
def test_bad_freshness_tables_name_the_problem(tmp_path, extra, message):
    with pytest.raises(ValueError, match="uji.toml") as err:
        load_policy(_policy_file(tmp_path, extra))
    assert message in str(err.value)


# --- the one read -----------------------------------------------------------------------------------


def test_snapshots_reads_the_newest_per_source(con):
    rows = [(1, "demo", "2025-11-10 10:00"), (2, "sp4n-lapor", "2025-11-12 10:00"), (3, "sp4n-lapor", "2025-11-14 08:00")]
    for batch, source, when in rows:
        con.execute(
            "INSERT INTO import_batches (batch_id, file_name, sha256, format, source, snapshot_at, rows_read, rows_new, "
            "rows_updated, rows_unchanged, rows_quarantined, rows_duplicate, imported_at) "
            "VALUES ($b, 'f.csv', 'x', 'pantau', $s, $t, 0, 0, 0, 0, 0, 0, $t)",
            {"b": batch, "s": source, "t": at(when).to_pydatetime()})
    got = fr.snapshots(con)
    assert list(got["source"]) == ["demo", "sp4n-lapor"] and list(got["batches"]) == [1, 2]
    assert list(got["snapshot_at"]) == [at("2025-11-10 10:00"), at("2025-11-14 08:00")]
    assert fr.snapshots(con).equals(got)


# --- every page's data line ----------------------------------------------------------------------------


def _data_line(at_):
    lines = [c for c in at_.caption if "data per" in c.value or "data as of" in c.value]
    assert len(lines) == 1, [c.value for c in at_.caption]
    return lines[0]


def test_a_stale_store_warns_on_every_page_in_one_line(demo_db):
    """The page tests' demo store ends 20 Nov 2025: long past two working days."""
    for file in ("pages/ringkasan.py", "pages/peringkat.py", "pages/data.py"):
        at_ = open_page(file)
        assert not at_.exception
        line = _data_line(at_)
        # The day without the hour when stale: one line on a 390-px phone (the hour is in the tooltip).
        assert line.value.startswith("Kab. Bekasi · data per 20 Nov 2025 :red-badge[:material/warning: ")
        assert line.value.endswith(" hari kerja lalu]")
        assert "Data demo terakhir per 20 Nov 2025 12.00 WIB" in line.proto.help
        assert "batasnya 2 hari kerja" in line.proto.help and "halaman Data" in line.proto.help
        assert not at_.error  # a caption with a badge, not an error box: the answers stay on the first screen


def test_the_warning_in_english(demo_db):
    line = _data_line(open_page(lang="en"))
    assert line.value.startswith("Kab. Bekasi · data as of 20 Nov 2025 :red-badge[:material/warning: ")
    assert line.value.endswith(" working days ago]") and "the limit is 2 working days" in line.proto.help


@pytest.fixture(scope="module")
def fresh_file(tmp_path_factory) -> Path:
    """A demo store that ends now: fresh by the same rule (no demo exception)."""
    from analytics.demo.load import load_demo
    from analytics.store import connect

    folder = tmp_path_factory.mktemp("fresh_demo")
    path = folder / "pantau.duckdb"
    con = connect(path)
    load_demo(con, seed=3, months=2, rows=1500, end=pd.Timestamp.now(tz=TZ).floor("s"), out_dir=folder / "out")
    con.close()
    return path


def test_a_fresh_store_says_its_age_without_a_warning(fresh_file, monkeypatch):
    from tests.app_fixtures import clear_caches

    monkeypatch.setenv("PANTAU_DB", str(fresh_file))
    clear_caches()
    try:
        line = _data_line(open_page())
    finally:
        clear_caches()
    assert "red-badge" not in line.value and not line.proto.help
    assert line.value.endswith((" · baru saja", " jam lalu", " hari kerja lalu", "(hari libur)"))


def test_freshness_texts_name_the_source_only_when_there_are_several():
    from ui.frame import PageContext, freshness_texts

    ctx = PageContext(con=None, lang="id", region=None, is_demo=False, data_version="1", tz=TZ, tz_label="WIB",
                      as_of=at("2025-11-13 20:00").tz_convert("UTC"), complaints=1)
    one = fr.data_age(snaps(("sp4n-lapor", "2025-11-13 20:00")), at("2025-11-18 09:00"), RULE, CAL, TZ)
    line, tip = freshness_texts(ctx, one)
    assert line == "Data per 13 Nov 2025 " + t("frame.stale_badge", lang="id", what="3 hari kerja lalu")
    assert tip.startswith("Data SP4N-LAPOR! terakhir per 13 Nov 2025 20.00 WIB, 3 hari kerja lalu; batasnya 2 hari kerja.")
    two = fr.data_age(snaps(("sp4n-lapor", "2025-11-13 20:00"), ("lapor-aa-bupati", "2025-11-17 20:00")),
                      at("2025-11-18 09:00"), RULE, CAL, TZ)
    line, _ = freshness_texts(ctx, two)
    assert ":material/warning: SP4N-LAPOR! 3 hari kerja lalu]" in line
    fresh = fr.data_age(snaps(("sp4n-lapor", "2025-11-13 20:00")), at("2025-11-14 09:00"), RULE, CAL, TZ)
    assert freshness_texts(ctx, fresh) == ("Data per 13 Nov 2025 20.00 WIB · 1 hari kerja lalu", None)
