"""Complaint rows and personal data per role: the unit's own list in full, other units' rows
nowhere, pimpinan masked, the analyst's logged reveal, and downloads that are masked and logged."""

from __future__ import annotations

import csv
import io

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

from tests.helpers import HEADER_Q, QUARANTINE_ROWS, template_csv
from tests.role_fixtures import (  # noqa: F401 - pytest fixtures
    NUMBERS,
    OWN_IDS,
    REPORTERS,
    audit_rows,
    role_store,
    roles_db,
    run_as,
    visible_text,
)
from ui.i18n import t

PIMPINAN, ANALIS, DINKES = "bupati@bekasikab.go.id", "analis@bekasikab.go.id", "dinkes@bekasikab.go.id"
OTHER_IDS = OWN_IDS["DISHUB"] + OWN_IDS["KEC-321608"]


def _has_button(at, key: str) -> bool:
    return any(b.key == key for b in at.button)


def _list(at):
    """The complaint list table on the Unit page (the one with the reporter column)."""
    col = t("access.col.reporter", lang="id")
    tables = [df.value for df in at.dataframe if col in df.value.columns]
    assert len(tables) == 1, [list(df.value.columns) for df in at.dataframe]
    return tables[0].set_index(t("access.col.id", lang="id"))


# --- unit: its own complaints in full, nobody else's ---------------------------------------------


def test_unit_opens_its_own_unit_with_its_complaints_in_full(roles_db):
    at = run_as(DINKES, "pages/unit.py")
    assert not at.exception
    rows = _list(at)
    assert set(rows.index) == set(OWN_IDS["DINKES"])
    reporter, contact, text = (t(f"access.col.{c}", lang="id") for c in ("reporter", "contact", "text"))
    assert rows.loc["KES-1", reporter] == "Siti Aminah" and rows.loc["KES-1", contact] == "0812-1111-2222"
    assert "0813 3333 4444" in rows.loc["KES-1", text]  # in full: the unit follows it up
    # Rahasia: never the reporter, and the text is masked; Anonim: nothing stored to show.
    assert rows.loc["KES-2", reporter] == "•••" and "085777778888" not in rows.loc["KES-2", text]
    assert "[telp]" in rows.loc["KES-2", text]
    assert rows.loc["KES-3", reporter] == "–" and "Anonim Tapi Bernama" not in visible_text(at)
    assert not _has_button(at, "complaints_reveal")


def test_unit_sees_other_units_figures_but_none_of_their_rows(roles_db):
    at = run_as(DINKES, "pages/unit.py", unit="DISHUB")
    assert not at.exception
    text = visible_text(at)
    assert at.metric, "the other unit's scorecard is still shown"
    assert t("access.rows.other_unit", lang="id") in text
    assert not [i for i in OTHER_IDS if i in text]
    assert not [n for n in REPORTERS if n in text]


# Tinjauan: the week the complaints came in (3-9 Nov), whose oldest open stages are listed.
@pytest.mark.parametrize(("file", "query"), [("pages/pelanggaran.py", {}), ("pages/tinjauan.py", {"minggu": "2025-W45"})])
def test_unit_breach_lists_hold_only_its_own_complaints(roles_db, file, query):
    at = run_as(DINKES, file, **query)
    text = visible_text(at)
    assert {"KES-1", "KES-2"} <= {i for i in OWN_IDS["DINKES"] if i in text}  # its overdue stages are there
    assert not [i for i in OTHER_IDS if i in text]


@pytest.mark.parametrize(("file", "query"), [("pages/pelanggaran.py", {}), ("pages/tinjauan.py", {"minggu": "2025-W45"})])
def test_pimpinan_sees_every_units_breaches(roles_db, file, query):
    text = visible_text(run_as(PIMPINAN, file, **query))
    assert {"KES-1", "HUB-1", "CKB-1"} <= {i for ids in OWN_IDS.values() for i in ids if i in text}


def test_unit_cannot_import_or_read_raw_rows_or_the_audit_log(roles_db):
    at = run_as(DINKES, "pages/data.py")
    assert not at.exception
    assert not at.get("file_uploader")
    assert t("access.import.analis_only", lang="id") in visible_text(at)
    assert t("access.audit.title", lang="id") not in [s.value for s in at.subheader]


def test_analyst_sees_quarantined_raw_rows_masked_by_content(roles_db, tmp_path):
    """Raw columns whose names say nothing (``keterangan``) or say it with a dot (``No.HP``) are
    masked too, and an Anonim row's identity was never stored to begin with."""
    from analytics.importers.ingest import import_file
    from analytics.store import connect

    con = connect(roles_db)
    import_file(con, template_csv(tmp_path / "karantina.csv", QUARANTINE_ROWS, header=HEADER_Q), region="kab-bekasi")
    con.close()
    at = run_as(ANALIS, "pages/data.py")
    assert not at.exception
    text = visible_text(at)
    assert "Q1" in text and "Q3" in text  # the raw rows are on screen
    assert "[telp]" in text
    assert not [s for s in ("Siti Aminah", "0812", "0899", "Anonim Tapi Bernama", "anon@mail.id") if s in text]


# --- pimpinan: never personal data ---------------------------------------------------------------


def test_pimpinan_reads_complaints_with_personal_data_masked(roles_db):
    at = run_as(PIMPINAN, "pages/unit.py", unit="DINKES")
    rows = _list(at)
    text = visible_text(at)
    assert not [n for n in REPORTERS if n in text]
    assert not [n for n in NUMBERS if n in text]
    body = rows.loc["KES-1", t("access.col.text", lang="id")]
    assert body == "Puskesmas tutup. Hubungi saya [telp] atau [email], NIK [NIK]"
    assert not _has_button(at, "complaints_reveal")  # no way to unmask


# --- analis: masked until an explicit, logged reveal ----------------------------------------------


def test_analyst_reveal_needs_a_reason_and_is_logged(roles_db):
    at = run_as(ANALIS, "pages/unit.py", unit="DINKES")
    assert not [n for n in REPORTERS if n in visible_text(at)]
    at.button(key="complaints_reveal").click().run()  # no reason given
    assert t("access.reveal.need_reason", lang="id") in [w.value for w in at.warning]
    assert "reveal" not in set(audit_rows(roles_db)["action"])

    at.text_input(key="complaints_reason").input("Tindak lanjut KES-1 atas permintaan Dinkes").run()
    at.button(key="complaints_reveal").click().run()
    assert not at.exception
    rows = _list(at)
    reporter = t("access.col.reporter", lang="id")
    assert rows.loc["KES-1", reporter] == "Siti Aminah"
    assert rows.loc["KES-2", reporter] == "•••"  # Rahasia stays hidden even after a reveal
    assert "Budi Santoso" not in visible_text(at)  # only the list on screen was revealed

    log = audit_rows(roles_db)
    reveal = log[log["action"] == "reveal"]
    assert len(reveal) == 1 and reveal.iloc[0]["who"] == ANALIS and reveal.iloc[0]["role"] == "analis"
    detail = reveal.iloc[0]["detail"]
    assert "Tindak lanjut KES-1" in detail and '"DINKES"' in detail
    assert all(f'"{i}"' in detail for i in OWN_IDS["DINKES"])

    at.button(key="complaints_hide").click().run()
    assert "Siti Aminah" not in visible_text(at)


def test_analyst_reveal_does_not_carry_over_to_another_unit(roles_db):
    at = run_as(ANALIS, "pages/unit.py", unit="DINKES")
    at.text_input(key="complaints_reason").input("cek").run()
    at.button(key="complaints_reveal").click().run()
    assert "Siti Aminah" in visible_text(at)
    at.selectbox(key="unit").set_value("DISHUB").run()
    assert "Budi Santoso" not in visible_text(at)


# --- downloads: one helper that masks and logs ----------------------------------------------------


@pytest.fixture
def deferred(monkeypatch):
    """The callables pages hand to st.download_button (run when a person presses it)."""
    seen = []
    original = MediaFileManager.add_deferred

    def spy(self, data_callable, *args, **kwargs):
        seen.append((kwargs.get("file_name"), data_callable))
        return original(self, data_callable, *args, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    return seen


def test_unit_download_of_complaint_rows_holds_only_its_own_and_is_logged(roles_db, deferred):
    at = run_as(DINKES, "pages/analisis.py")
    assert not at.exception
    files = dict(deferred)
    name = next(n for n in files if n.endswith("-aduan.csv"))
    data = files[name]().decode("utf-8-sig")
    ids = [r["source_id"] for r in csv.DictReader(io.StringIO(data))]
    assert sorted(ids) == sorted(OWN_IDS["DINKES"])
    assert not [n for n in REPORTERS + NUMBERS if n in data]
    log = audit_rows(roles_db)
    down = log[log["action"] == "download"]
    assert len(down) == 1 and down.iloc[0]["who"] == DINKES and name in down.iloc[0]["detail"]


@pytest.mark.parametrize("file", ["pages/peringkat.py", "pages/pelanggaran.py", "pages/analisis.py"])
def test_every_download_button_goes_through_the_audited_helper(roles_db, deferred, file):
    at = run_as(PIMPINAN, file)
    buttons = at.get("download_button")
    assert buttons and len(deferred) == len(buttons)  # no button serves bytes directly
    for _name, make in deferred:
        make()
    log = audit_rows(roles_db)
    assert sorted(log.loc[log["action"] == "download", "detail"].str.extract(r'"file": "([^"]+)"')[0]) == sorted(
        n for n, _ in deferred)


# --- the weekly review pack: whole pack for leaders (logged), own digest only for a unit -----------


def _prepare_pack(at):
    at.button(key="pack_prepare").click().run()
    assert not at.exception
    return at


def test_pimpinan_pack_downloads_are_logged(roles_db, deferred):
    _prepare_pack(run_as(PIMPINAN, "pages/tinjauan.py", minggu="2025-W45"))
    names = [n for n, _ in deferred]
    assert any(n.endswith(".pdf") for n in names) and any(n.endswith(".zip") for n in names)
    for _, make in deferred:
        assert make()[:2] in (b"%P", b"PK")  # a PDF, or a zip/xlsx container
    log = audit_rows(roles_db)
    logged = log.loc[log["action"] == "download", "detail"].str.extract(r'"file": "([^"]+)"')[0]
    assert sorted(logged) == sorted(names)


def test_unit_gets_its_own_digest_not_the_whole_pack(roles_db, deferred):
    at = _prepare_pack(run_as(DINKES, "pages/tinjauan.py", minggu="2025-W45"))
    assert not deferred, "a unit account must not get the pack that lists other units' complaint ids"
    digest = "\n".join(str(c.value) for c in at.code)
    assert "KES-1" in digest
    assert not [i for i in OTHER_IDS if i in digest]
    assert not at.get("form"), "commitments are recorded by the review, not by the unit"
