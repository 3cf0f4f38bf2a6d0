"""Hostile values in the data and in every URL parameter: every page renders, shows them as text
(escaped for markdown) or ignores/refuses them with a message, and the store is unchanged.

The store is the demo regency plus complaints whose unit, category, channel, kecamatan, desa,
id and text are HTML/script tags, markdown, SQL fragments, 5 000-character strings and
invisible characters (tests/hostile.py), imported through the real import path.
"""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from analytics import store
from tests.app_fixtures import DEMO_END, clear_caches, open_page
from tests.helpers import fingerprint
from tests.hostile import HOSTILE, URL_KEYS, build_hostile_store, hostile_unit_names
from ui.i18n import t
from ui.nav import PAGES

# Markdown-rendered text must never carry these unescaped: a tag, a link, emphasis from data.
# md_escape puts a backslash before each of < > [ ] * _ ` # | ~ $.
_RAW_MARKUP = re.compile(r"(?<!\\)<(script|img|iframe|b>)|(?<!\\)\]\(javascript|(?<!\\)\*\*tebal")


@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "pantau.duckdb"
    return build_hostile_store(path, DEMO_END)


@pytest.fixture
def hostile_db(hostile_file, monkeypatch):
    monkeypatch.setenv("PANTAU_DB", str(hostile_file))
    clear_caches()
    con = store.connect(hostile_file)
    before = fingerprint(con)
    con.close()
    yield hostile_file
    clear_caches()  # releases the app's cached connection before we open the file again
    con = store.connect(hostile_file)
    try:
        assert fingerprint(con) == before, "a page run changed the store"
    finally:
        con.close()


def _walk(node, out):
    out.append(node)
    for child in getattr(node, "children", {}).values():
        _walk(child, out)
    return out


def _markdown_texts(at: AppTest) -> list[str]:
    """Every string the browser renders as markdown: text elements, metric labels, link labels
    and tooltips (help)."""
    texts = []
    for node in _walk(at._tree, []):
        kind = getattr(node, "type", None)
        if kind in ("markdown", "caption", "info", "warning", "error", "success", "title", "subheader", "header"):
            texts.append(str(node.value))
        proto = getattr(node, "proto", None)
        for attr in ("label", "help", "body"):
            value = getattr(proto, attr, None) if proto is not None else None
            if isinstance(value, str) and value:
                texts.append(value)
    return texts


def assert_page_is_safe(at: AppTest, what: str) -> None:
    assert not at.exception, f"{what}: {at.exception}"
    failed = t("page.failed", lang="id")
    panel_failed = t("panel.failed", lang="id", name="").strip()
    for e in list(at.error) + list(at.warning):
        assert str(e.value) != failed, f"{what}: the page failed"
        assert panel_failed not in str(e.value), f"{what}: a panel failed: {e.value}"
    for text in _markdown_texts(at):
        assert not _RAW_MARKUP.search(text), f"{what}: unescaped markup rendered: {text[:200]!r}"


PAGE_FILES = [p[0] for p in PAGES]


@pytest.mark.parametrize("file", PAGE_FILES)
def test_pages_show_hostile_data_as_text(hostile_db, file):
    at = open_page(file)
    assert_page_is_safe(at, file)


@pytest.mark.parametrize("file", PAGE_FILES)
def test_every_url_parameter_hostile(hostile_db, file):
    """Each URL key gets a hostile value; over the runs every key meets several values.
    Unknown values fall back to the default (or a warning that shows the value escaped)."""
    for r in range(0, len(HOSTILE), 3):
        query = {k: HOSTILE[(i + r) % len(HOSTILE)] for i, k in enumerate(URL_KEYS)}
        at = open_page(file, **query)
        assert_page_is_safe(at, f"{file} with URL values from #{r}")


def test_unit_page_for_a_unit_named_with_tags(hostile_db):
    """The unit's code is its hostile name (no registry code): the deep link opens it and the
    name shows escaped."""
    name = hostile_unit_names()[0]  # "Dinas <script>window.__pantau_pwned=1</script>"
    at = open_page("pages/unit.py", unit=name)
    assert_page_is_safe(at, "unit page")
    assert at.selectbox(key="unit").value == name
    assert any("\\<script\\>" in str(m.value) for m in at.markdown), [m.value for m in at.markdown]


def test_unit_page_refuses_an_unknown_hostile_code_with_a_message(hostile_db):
    at = open_page("pages/unit.py", unit="<img src=x onerror=alert(1)>")
    assert_page_is_safe(at, "unit page")
    warnings = [str(w.value) for w in at.warning]
    assert any("\\<img src=x onerror=alert(1)\\>" in w for w in warnings), warnings


def test_filters_set_to_hostile_values_filter_by_them(hostile_db):
    """A filter value that is a real (hostile) category is bound as a value: the table holds
    exactly that category's complaints, and the store is unchanged (fixture)."""
    value = "'; DROP TABLE complaints; --"
    at = open_page("pages/analisis.py", f_category=value, f_channel=value, per="category")
    assert_page_is_safe(at, "analisis")
    assert at.multiselect(key="f_category").value == [value]
    table = at.dataframe[0].value
    assert len(table) == 1 and str(table.iloc[0, 0]) == value


def test_hostile_units_reach_the_pages_escaped(hostile_db):
    """Guard: the checks above are only meaningful if hostile names are on screen. Ringkasan's
    worst-five links carry them, escaped; the league table holds them verbatim (a data grid
    shows text, not markup)."""
    at = open_page("pages/ringkasan.py")
    labels = [n.proto.label for n in _walk(at._tree, []) if getattr(n, "type", None) == "page_link"]
    assert any("Dinas \\<img id=\"pwned\"" in label for label in labels), labels
    at = open_page("pages/peringkat.py")
    assert_page_is_safe(at, "peringkat")
    shown = "\n".join(str(v) for df in at.dataframe for v in df.value.to_numpy().ravel())
    assert "Dinas '; DROP TABLE complaints; --" in shown
