"""ui.i18n: every message in both languages, same placeholders, every used key defined."""

from __future__ import annotations

import pickle
import re
import string
from pathlib import Path

import pytest

from ui.i18n import DEFAULT_LANG, LANGS, MESSAGES, option_labels, t
from ui.nav import PAGES

ROOT = Path(__file__).resolve().parents[1]


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_languages():
    assert DEFAULT_LANG == "id"
    assert set(MESSAGES) == set(LANGS) == {"id", "en"}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_key_exists_in_both_languages(lang):
    other = "en" if lang == "id" else "id"
    missing = sorted(set(MESSAGES[lang]) - set(MESSAGES[other]))
    assert not missing, f"keys in {lang!r} but not in {other!r}: {missing}"


def test_placeholders_match_and_texts_are_filled():
    for key, text in MESSAGES["id"].items():
        assert text.strip(), f"{key} is empty in id"
        assert MESSAGES["en"][key].strip(), f"{key} is empty in en"
        assert _placeholders(text) == _placeholders(MESSAGES["en"][key]), key


def test_every_page_has_a_title():
    for _file, url, title_key, _icon in PAGES:
        assert title_key == f"nav.{url}"
        assert title_key in MESSAGES["id"] and title_key in MESSAGES["en"]


_T_CALL = re.compile(r"""\bt\(\s*["']([a-z][a-z0-9_\-]*(?:\.[a-z0-9_\-]+)+)["']""")
_PREFIX_CALL = re.compile(r"""option_labels\(\s*["']([a-z0-9_.\-]+)["']""")


def _sources() -> list[Path]:
    return [*ROOT.joinpath("ui").glob("*.py"), *ROOT.joinpath("pages").glob("*.py"), ROOT / "dashboard.py"]


def test_every_literal_key_used_in_the_code_is_defined():
    used = {m for path in _sources() for m in _T_CALL.findall(path.read_text(encoding="utf-8"))}
    assert used, "the scan found no t() calls; the pattern is broken"
    missing = sorted(k for k in used if k not in MESSAGES["id"])
    assert not missing, f"t() keys not in MESSAGES: {missing}"


def test_every_option_prefix_has_messages():
    prefixes = {m for path in _sources() for m in _PREFIX_CALL.findall(path.read_text(encoding="utf-8"))}
    for prefix in prefixes:
        assert any(k.startswith(prefix) for k in MESSAGES["id"]), prefix


def test_t_formats_and_falls_back():
    assert t("panel.failed", lang="id", name="Peta") == (
        "Bagian “Peta” gagal dimuat. Bagian lain tetap tampil; kesalahannya sudah dicatat."
    )
    assert t("nav.peringkat", lang="en") == "League table"
    assert t("no.such.key", lang="en") == "no.such.key"  # visible, not a crash
    assert t("panel.failed", lang="id") == MESSAGES["id"]["panel.failed"]  # no kwargs: raw text
    assert t("nav.data", lang="xx") == "Data"  # unknown language -> session default (id)


def test_t_outside_streamlit_uses_indonesian():
    assert t("nav.unit") == "Unit kerja"


def test_option_labels_are_picklable_format_funcs():
    label = option_labels("widget.period.", "en")
    assert label("bulan") == "This month"
    assert pickle.loads(pickle.dumps(label))("30h") == "30 days"


def test_page_catalogs_are_all_merged_without_conflicts():
    from ui.i18n import CATALOG_CONFLICTS, PAGE_CATALOGS

    files = {p.stem for p in ROOT.joinpath("ui", "messages").glob("*.py")} - {"__init__"}
    assert files <= set(PAGE_CATALOGS), f"ui/messages/*.py not listed in PAGE_CATALOGS: {files - set(PAGE_CATALOGS)}"
    assert not CATALOG_CONFLICTS, CATALOG_CONFLICTS
