"""SLA policy files: the shipped ones, selection by name or path, overrides, and bad files."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.rules.policy import POLICY_DIR, STAGES, Limit, list_policies, load_policy, stage_limits


def limits(policy_name: str, stage: str, classification: list, category: list | None = None) -> list[tuple]:
    """(days, hours) per row, with None for NaN, for readable assertions."""
    policy = load_policy(policy_name)
    cls = pd.Series(classification, dtype="str")
    cat = pd.Series(category if category is not None else [None] * len(classification), dtype="str")
    days, hours = stage_limits(policy, stage, cls, cat)
    clean = lambda a: [None if np.isnan(x) else x for x in a]  # noqa: E731
    return list(zip(clean(days), clean(hours), strict=True))


def test_shipped_policies_are_listed_and_load() -> None:
    assert list_policies() == ["kbb-kang-hengky", "kota-bandung", "lapor-aa-bekasi", "permenpan-62-2018", "sp4n-lapor"]
    for name in list_policies():
        policy = load_policy(name)
        assert policy.name == name
        assert policy.label and policy.description and policy.reference
        assert policy.timezone == "Asia/Jakarta"
        assert policy.path == (POLICY_DIR / f"{name}.toml").resolve()


def test_default_policy_is_sp4n_lapor_3_and_5_working_days() -> None:
    policy = load_policy(None)
    assert policy.name == "sp4n-lapor"
    assert policy.stage("verifikasi").default == Limit(days=3)
    assert policy.stage("tindak_lanjut").default == Limit(days=5)
    assert policy.stage("penyelesaian") is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("sp4n-lapor", {"verifikasi": Limit(days=3), "tindak_lanjut": Limit(days=5), "respons": Limit(days=8)}),
        ("kota-bandung", {"verifikasi": Limit(days=2), "tindak_lanjut": Limit(days=5), "respons": Limit(days=7)}),
        ("lapor-aa-bekasi", {"verifikasi": Limit(days=3), "tindak_lanjut": Limit(hours=24.0),
                             "respons": Limit(hours=24.0)}),
        ("permenpan-62-2018", {"penyelesaian": Limit(days=14)}),
    ],
)
def test_shipped_stage_defaults(name: str, expected: dict[str, Limit]) -> None:
    policy = load_policy(name)
    assert {s.stage: s.default for s in policy.stages} == expected


def test_permenpan_tiers_by_classification() -> None:
    rows = [
        "Permintaan Informasi",
        "Aspirasi",
        "Pengaduan Tidak Berkadar Pengawasan",
        "Pengaduan Berkadar Pengawasan",
        "  pengaduan   berkadar PENGAWASAN ",  # free-typed template value: case and spaces ignored
        "Pengaduan",
        "saran",
        None,
        "Sesuatu yang lain",
    ]
    got = [d for d, _ in limits("permenpan-62-2018", "penyelesaian", rows)]
    assert got == [2, 5, 14, 60, 60, 14, 5, 14, 14]
    assert limits("permenpan-62-2018", "verifikasi", rows[:2]) == [(None, None), (None, None)]


def test_hours_and_days_come_back_in_separate_arrays() -> None:
    assert limits("lapor-aa-bekasi", "tindak_lanjut", ["Aspirasi"]) == [(None, 24.0)]
    assert limits("lapor-aa-bekasi", "verifikasi", ["Aspirasi"]) == [(3, None)]


def test_category_override_beats_classification_beats_default(tmp_path: Path) -> None:
    path = tmp_path / "uji.toml"
    path.write_text(
        """
name = "uji"
label = "Uji"
description = "Kebijakan uji"
[stages.tindak_lanjut]
days = 5
[stages.tindak_lanjut.classifications]
"Aspirasi" = { days = 3 }
[stages.tindak_lanjut.categories]
"Bencana" = { hours = 24 }
""",
        encoding="utf-8",
    )
    policy = load_policy(path)
    cls = pd.Series(["Aspirasi", "Aspirasi", "Pengaduan", None], dtype="str")
    cat = pd.Series(["Jalan", "bencana", "Bencana", "Bencana"], dtype="str")
    days, hours = stage_limits(policy, "tindak_lanjut", cls, cat)
    np.testing.assert_array_equal(days, [3, np.nan, np.nan, np.nan])
    np.testing.assert_array_equal(hours, [np.nan, 24, 24, 24])


def test_policy_selectable_by_path_string(tmp_path: Path) -> None:
    copy = tmp_path / "salinan.toml"
    copy.write_text((POLICY_DIR / "kota-bandung.toml").read_text(encoding="utf-8"), encoding="utf-8")
    assert load_policy(str(copy)).stage("verifikasi").default == Limit(days=2)
    assert load_policy(copy).name == "kota-bandung"


def test_unknown_name_lists_valid_ones() -> None:
    with pytest.raises(ValueError, match="unknown SLA policy 'kab-antah'") as err:
        load_policy("kab-antah")
    for name in list_policies():
        assert name in str(err.value)


def test_calendar_path_is_relative_to_the_policy_file(tmp_path: Path) -> None:
    (tmp_path / "kalender.toml").write_text("[[workday]]\ndate = 2025-04-12\n", encoding="utf-8")
    path = tmp_path / "lokal.toml"
    path.write_text(
        'name = "lokal"\nlabel = "L"\ndescription = "d"\ncalendar = "kalender.toml"\n[stages.verifikasi]\ndays = 3\n',
        encoding="utf-8",
    )
    assert load_policy(path).calendar == (tmp_path / "kalender.toml").resolve()


def test_policy_is_hashable_and_picklable() -> None:
    policy = load_policy("permenpan-62-2018")
    assert hash(policy) == hash(load_policy("permenpan-62-2018"))
    assert pickle.loads(pickle.dumps(policy)) == policy


def test_stage_limits_rejects_unknown_stage() -> None:
    with pytest.raises(ValueError, match="unknown stage"):
        stage_limits(load_policy(), "selesai", pd.Series([], dtype="str"), pd.Series([], dtype="str"))
    assert STAGES == ("verifikasi", "tindak_lanjut", "penyelesaian", "respons")


HEAD = 'name = "buruk"\nlabel = "Buruk"\ndescription = "d"\n'


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("name = \n", "not valid TOML"),
        (HEAD + "owner = 'x'\n[stages.verifikasi]\ndays = 3\n", "unknown key"),
        ('name = "buruk"\ndescription = "d"\n[stages.verifikasi]\ndays = 3\n', "label must be a non-empty string"),
        (HEAD, "at least one"),
        (HEAD + "[stages.selesai]\ndays = 3\n", "unknown stage"),
        (HEAD + "[stages.verifikasi]\nminutes = 3\n", "unknown key"),
        (HEAD + "[stages.verifikasi]\ndays = 3\nhours = 24\n", "both days and hours"),
        (HEAD + "[stages.verifikasi]\ndays = -1\n", "whole number"),
        (HEAD + "[stages.verifikasi]\ndays = 1.5\n", "whole number"),
        (HEAD + "[stages.verifikasi]\ndays = true\n", "whole number"),
        (HEAD + "[stages.verifikasi]\nhours = 0\n", "hours must be a number > 0"),
        (HEAD + "[stages.verifikasi]\n", "sets no limit"),
        (HEAD + 'timezone = "Asia/Bandung"\n[stages.verifikasi]\ndays = 3\n', "unknown timezone"),
        (HEAD + 'calendar = "tidak-ada.toml"\n[stages.verifikasi]\ndays = 3\n', "calendar file"),
        (HEAD + "[stages.verifikasi.classifications]\nAspirasi = 3\n", "must be a table like"),
        (HEAD + '[stages.verifikasi.classifications]\nAspirasi = {days = 3}\n" aspirasi" = {days = 4}\n', "repeats"),
        (HEAD + "[stages.verifikasi.categories]\nBencana = {}\n", "needs days or hours"),
    ],
)
def test_bad_policy_file_names_file_and_problem(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "buruk.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=problem) as err:
        load_policy(path)
    assert "buruk.toml" in str(err.value)


def test_missing_policy_file_is_a_value_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not found"):
        load_policy(tmp_path / "hilang.toml")
