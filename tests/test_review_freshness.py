"""The review pack says how old its data is, and warns when it is stale, with the dashboard's one
definition (analytics.live.freshness): the PDF's data line, the workbook's summary and the
WhatsApp digests, read back from the rendered files."""

from __future__ import annotations

import io
import shutil

import pandas as pd
import pypdfium2 as pdfium
import pytest
from openpyxl import load_workbook

from analytics.live import freshness
from analytics.metrics.clock import policy_calendar
from analytics.review.digest import bupati_digest, unit_digest
from analytics.review.pack import assemble
from analytics.review.pdf import pdf_bytes
from analytics.review.workbook import workbook_bytes
from analytics.rules.policy import load_policy
from tests.app_fixtures import DEMO_END, demo_file  # noqa: F401 - pytest fixture

WEEK = "2025-W46"  # 10-16 Nov 2025; the demo store's data is as of Thursday 20 Nov 2025 12.00 WIB
WARNING = ("Data terlambat: demo 3 hari kerja lalu (batas 2 hari kerja). Angka dalam paket ini bisa sudah berubah: "
           "impor ekspor terbaru lalu buat paket lagi sebelum rapat.")


@pytest.fixture(scope="module")
def con(demo_file, tmp_path_factory):
    from analytics.store import connect

    path = tmp_path_factory.mktemp("review_age") / "pantau.duckdb"
    shutil.copy(demo_file, path)
    c = connect(path, read_only=True)
    yield c
    c.close()


def _pack(con, now: str | None):
    """The pack as its makers build it: the age from analytics.live.freshness at ``now``."""
    policy = load_policy(None)
    age = None if now is None else freshness.data_age(
        freshness.snapshots(con), pd.Timestamp(now, tz="Asia/Jakarta"), policy.freshness, policy_calendar(policy),
        policy.timezone)
    return assemble(con, WEEK, DEMO_END.tz_convert("UTC"), policy, age=age)


def _pdf_page_one(pack) -> str:
    return " ".join(pdfium.PdfDocument(pdf_bytes(pack))[0].get_textpage().get_text_range().split())


def _summary(pack) -> dict:
    ws = load_workbook(io.BytesIO(workbook_bytes(pack))).active
    return {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r[0]}


def test_a_pack_made_on_tuesday_warns_that_thursdays_data_is_stale(con):
    pack = _pack(con, "2025-11-25 09:00")  # Fri 21, Mon 24, Tue 25: three working days
    assert pack.age.working_days == 3 and pack.age.stale
    line = "Data per 20 Nov 2025 12.00 WIB, umur 3 hari kerja saat paket dibuat 25 Nov 2025 09.00 WIB."
    page = _pdf_page_one(pack)
    assert line in page and WARNING in page
    assert page.index(WARNING) < page.index("Angka utama")  # before any figure
    summary = _summary(pack)
    assert summary["Data per"] == line[len("Data per "):-1] and summary["Peringatan"] == WARNING
    digest = bupati_digest(pack)
    assert digest.splitlines()[2] == f"⚠️ *{WARNING}*"  # under the title, before the figures
    assert line in digest
    code = pack.units["code"].iloc[0]
    assert f"⚠️ *{WARNING}*" in unit_digest(pack, code, code)


def test_a_pack_made_the_same_afternoon_says_its_age_and_no_warning(con):
    pack = _pack(con, "2025-11-20 14:30")
    line = "Data per 20 Nov 2025 12.00 WIB, umur 2 jam saat paket dibuat 20 Nov 2025 14.30 WIB."
    page = _pdf_page_one(pack)
    assert line in page and "Data terlambat" not in page
    summary = _summary(pack)
    assert "Peringatan" not in summary and summary["Data per"].startswith("20 Nov 2025 12.00 WIB, umur 2 jam")
    assert line in bupati_digest(pack) and "⚠️" not in bupati_digest(pack)


def test_without_the_moment_of_making_the_pack_says_only_data_per(con):
    pack = _pack(con, None)
    assert pack.age is None
    assert "Data per 20 Nov 2025 12.00 WIB." in _pdf_page_one(pack)
    assert _summary(pack)["Data per"] == "20 Nov 2025 12.00 WIB"
