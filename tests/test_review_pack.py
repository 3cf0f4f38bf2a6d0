"""The weekly review pack against the ``league`` and ``breaches`` CLI on a seeded demo store: the
PDF is read back with pypdfium2 (text and rendered pages), the workbook with openpyxl, the digests
as text. The expected values come from the CLI's JSON and from direct SQL, never from the pack."""

from __future__ import annotations

import io
import json
import re
import shutil
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pypdfium2 as pdfium
import pytest
from openpyxl import load_workbook

from analytics.cli import main as cli
from analytics.review import digest
from analytics.rules.policy import load_policy
from tests.app_fixtures import DEMO_END, demo_file  # noqa: F401 - pytest fixture

WEEK, MONDAY, SUNDAY = "2025-W45", "2025-11-03", "2025-11-09"
WEEK_END = "2025-11-09T23:59:59.999999+07:00"  # the pack judges a finished week at its last instant
LOOKBACK_FROM = "2025-08-05"  # 90 days before the week ends (screens.REVIEW_LOOKBACK_DAYS)


@pytest.fixture(scope="module")
def demo_store(demo_file) -> Path:
    """The page tests' session demo store (same seed and size); these tests only read it, and the
    one that writes works on a copy."""
    return demo_file


def _cli_json(capsys, *args: str) -> list[dict]:
    capsys.readouterr()
    assert cli.main([*args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def pack_dir(demo_store, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pack")
    assert cli.main(["review", "--week", WEEK, "--db", str(demo_store), "--as-of", DEMO_END.isoformat(),
                     "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def pdf_text(pack_dir) -> str:
    doc = pdfium.PdfDocument(str(pack_dir / f"tinjauan-{WEEK}.pdf"))
    return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))


def _sheet(pack_dir: Path, name: str) -> list[dict]:
    wb = load_workbook(pack_dir / f"tinjauan-{WEEK}.xlsx")
    rows = [r for r in wb[name].iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[0] in ("Unit", "ID aduan"))
    header = rows[start]
    return [dict(zip(header, r)) for r in rows[start + 1:] if r[0] != "(tidak ada)"]


def _short_names() -> dict[str, str]:
    from analytics.rules.regions import load_region

    u = load_region("kab-bekasi").units
    return dict(zip(u["code"], u["short_name"]))


def _id(x: float, nd: int = 1) -> str:
    """Independent id-ID formatting for the expectations: half-up, comma decimal."""
    q = Decimal(str(x)).quantize(Decimal(1).scaleb(-nd), rounding=ROUND_HALF_UP)
    return f"{q:f}".replace(".", ",")


@pytest.mark.parametrize("by", ["opd", "camat"])
def test_workbook_league_equals_league_cli(capsys, demo_store, pack_dir, by):
    from analytics.review.workbook import LEAGUE_HEADERS

    expected = _cli_json(capsys, "league", "--by", by, "--from", MONDAY, "--to", SUNDAY, "--as-of", WEEK_END,
                         "--db", str(demo_store))
    got = _sheet(pack_dir, "Peringkat OPD" if by == "opd" else "Peringkat Camat")
    assert len(got) == len(expected) > 0
    for want, row in zip(expected, got):
        assert want.pop("lens") == "due"  # the pack's league is the CLI's default lens
        for col, value in want.items():
            cell = row[LEAGUE_HEADERS[col]]
            if isinstance(value, float):
                assert cell == pytest.approx(value), (want["unit"], col)
            else:
                assert cell == value, (want["unit"], col)


def test_workbook_breaches_equal_breaches_cli(capsys, demo_store, pack_dir):
    expected = _cli_json(capsys, "breaches", "--from", MONDAY, "--to", SUNDAY, "--as-of", WEEK_END,
                         "--db", str(demo_store))
    from analytics.metrics.clock import STAGE_LABELS as STAGE_WORDS
    from analytics.metrics.registry import METRICS

    got = _sheet(pack_dir, "Pelanggaran")
    assert len(got) == len(expected)
    for want, row in zip(expected, got):
        # Words in the workbook, codes in the CLI's JSON: the same stage and state.
        assert (row["ID aduan"], row["Tahap"], row["Status SLA"], row["Hari kerja lewat"]) == (
            want["id"], STAGE_WORDS[want["stage"]], METRICS[want["state"]].label_id, want["working_days_over"])
        assert row["Unit"] == want["unit"]  # the verifier owns verification stages in both
        local = pd.Timestamp(want["deadline"]).tz_convert("Asia/Jakarta").tz_localize(None).floor("s")
        assert pd.Timestamp(row["Batas waktu (WIB)"]) == local


def test_pdf_league_lines_equal_league_cli(capsys, demo_store, pdf_text):
    short = _short_names()
    lines = pdf_text.splitlines()
    checked = 0
    for by in ("opd", "camat"):
        for r in _cli_json(capsys, "league", "--by", by, "--from", MONDAY, "--to", SUNDAY, "--as-of", WEEK_END,
                           "--db", str(demo_store)):
            if r["rank"] is None:
                continue
            name = short[r["unit_code"]]
            line = next(x for x in lines if x.startswith(f"{r['rank']} {name} "))
            assert f" {r['tier']} {_id(r['score'])} {_id(r['on_time_pct'])}% {r['decided']} {r['open_overdue']} " in line
            checked += 1
    assert checked >= 3


def test_pdf_headline_figures(capsys, demo_store, pdf_text):
    import duckdb

    con = duckdb.connect(str(demo_store), read_only=True)
    n = con.execute("SELECT count(*) FROM complaints WHERE received_at >= $lo AND received_at < $hi",
                    {"lo": pd.Timestamp(MONDAY, tz="Asia/Jakarta"), "hi": pd.Timestamp("2025-11-10", tz="Asia/Jakarta")}
                    ).fetchall()[0][0]
    con.close()
    rows = []
    for by in ("opd", "camat"):
        rows += _cli_json(capsys, "league", "--by", by, "--from", MONDAY, "--to", SUNDAY, "--as-of", WEEK_END,
                          "--db", str(demo_store))
    on_time, decided = sum(r["on_time"] for r in rows), sum(r["decided"] for r in rows)
    # Lewat batas is the now lens at the pack's moment: the summary command's overdue_now.
    assert cli.main(["summary", "--from", MONDAY, "--to", SUNDAY, "--as-of", WEEK_END, "--db", str(demo_store),
                     "--format", "json"]) == 0
    head = json.loads(capsys.readouterr().out)
    assert re.search(rf"^Aduan {n} ", pdf_text, re.M)
    assert re.search(rf"^Tepat waktu \(%\) {_id(100 * on_time / decided)}% ", pdf_text, re.M)
    assert head["on_time_pct"] == pytest.approx(round(100 * on_time / decided, 1))
    assert re.search(rf"^Lewat batas {head['overdue_now']} ", pdf_text, re.M)


def test_new_breaches_and_unit_digest_equal_breaches_cli(capsys, demo_store, pack_dir, pdf_text):
    window = _cli_json(capsys, "breaches", "--from", LOOKBACK_FROM, "--to", SUNDAY, "--as-of", WEEK_END,
                       "--db", str(demo_store))
    lo, hi = pd.Timestamp(MONDAY, tz="Asia/Jakarta"), pd.Timestamp("2025-11-10", tz="Asia/Jakarta")
    new = {r["id"] for r in window if r["state"] in ("late", "open_overdue") and lo <= pd.Timestamp(r["deadline"]) < hi}
    assert new and {r["ID aduan"] for r in _sheet(pack_dir, "Pelanggaran baru")} == new
    assert all(i in pdf_text for i in sorted(new)[:40])
    # A unit's digest lists exactly its open overdue stages with their working days over.
    overdue = [r for r in window if r["state"] == "open_overdue" and r["unit"] != "Verifikator (Diskominfo)"]
    code = pd.Series([r["unit"] for r in overdue]).value_counts().index[0]
    mine = _cli_json(capsys, "breaches", "--from", LOOKBACK_FROM, "--to", SUNDAY, "--as-of", WEEK_END,
                     "--unit", code, "--db", str(demo_store))
    # --unit also returns the verifier stage of the unit's complaints; that delay is Diskominfo's.
    mine = [r for r in mine if r["state"] == "open_overdue" and r["unit"] == code]
    text = next(p for p in (pack_dir / f"tinjauan-{WEEK}-unit").iterdir()
                if p.read_text(encoding="utf-8").startswith(f"*{code}*")).read_text(encoding="utf-8")
    listed = re.findall(r"^- (\S+) · .* · lewat (\d+) hari kerja$", text, re.M)
    shown = min(len(mine), digest.LIST_MAX)  # a long list is cut and the rest counted
    assert listed == [(r["id"], str(r["working_days_over"])) for r in mine[:shown]]  # same order: most days over first
    assert f"*Aduan terbuka lewat batas* ({len(mine)}," in text
    if len(mine) > shown:
        assert f"dan {len(mine) - shown} lainnya" in text


def test_bupati_digest_names_worst_and_improved(capsys, demo_store, pack_dir):
    short = _short_names()
    rows = []
    for by in ("opd", "camat"):
        rows += _cli_json(capsys, "league", "--by", by, "--from", MONDAY, "--to", SUNDAY, "--as-of", WEEK_END,
                          "--db", str(demo_store))
    text = (pack_dir / f"tinjauan-{WEEK}-bupati.txt").read_text(encoding="utf-8")
    assert len(text) < 4000
    ranked = sorted((r for r in rows if r["rank"] is not None), key=lambda r: (r["score"], -r["complaints"]))
    for i, r in enumerate(ranked[:3], 1):
        assert f"{i}. {short[r['unit_code']]}: skor {_id(r['score'])}, kelas {r['tier']}, peringkat {r['rank']} " in text
    up = sorted((r for r in rows if (r["rank_change"] or 0) > 0), key=lambda r: -r["rank_change"])
    assert (f"1. {short[up[0]['unit_code']]}: naik {up[0]['rank_change']} ke peringkat {up[0]['rank']}" in text) if up \
        else "Tidak ada unit yang naik peringkat" in text


def test_pdf_pages_render_and_are_not_blank(pack_dir):
    data = (pack_dir / f"tinjauan-{WEEK}.pdf").read_bytes()
    assert data.startswith(b"%PDF") and len(data) < 2_000_000
    doc = pdfium.PdfDocument(data)
    assert len(doc) >= 2
    for i in range(len(doc)):
        w, h = doc[i].get_size()
        assert (round(w), round(h)) == (595, 842)  # A4 in points
        img = np.asarray(doc[i].render(scale=0.5).to_pil().convert("L"))
        ink = (img < 200).mean()
        assert ink > 0.01, f"page {i + 1} is blank ({ink:.4f} dark)"


def test_every_known_unit_gets_a_digest_and_quiet_ones_say_so(pack_dir, pdf_text):
    folder = pack_dir / f"tinjauan-{WEEK}-unit"
    files = {p.stem: p.read_text(encoding="utf-8") for p in folder.iterdir()}
    from analytics.rules.regions import load_region

    assert set(load_region("kab-bekasi").units["code"]) <= set(files)
    quiet = [t for t in files.values() if "Tidak ada aduan yang diterima unit ini" in t]
    assert quiet, "the demo week has registry units without complaints"
    assert all(t.strip() and "Aturan SLA" in t and len(t) < 4000 for t in files.values())
    assert "Kab. Bekasi" in pdf_text and "SP4N-LAPOR!" in pdf_text and "WIB" in pdf_text


@pytest.mark.parametrize(("week", "message"), [
    ("2026-W10", "is in the future"), ("2024-W10", "no complaints were received"), ("2025-W60", "not an ISO week"),
])
def test_bad_weeks_exit_2_and_write_nothing(capsys, demo_store, tmp_path, week, message):
    out = tmp_path / "out"
    assert cli.main(["review", "--week", week, "--db", str(demo_store), "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_no_personal_data_and_formulas_kept_as_text(demo_store, tmp_path):
    from analytics.review import commitments as cm
    from analytics.review.files import pack_files
    from analytics.review.pack import assemble
    from analytics.store import connect

    db = tmp_path / "copy.duckdb"
    shutil.copy(demo_store, db)
    con = connect(db)
    con.execute("UPDATE complaints SET reporter_name = 'Siti Zulaikha QQ', reporter_contact = '0812-5550-777', "
                "text = 'Rumah saya di Gang Mawar QQ kebanjiran' WHERE received_at >= $lo AND received_at < $hi",
                {"lo": pd.Timestamp(MONDAY, tz="Asia/Jakarta"), "hi": pd.Timestamp("2025-11-10", tz="Asia/Jakarta")})
    cm.add(con, unit="DLH", text='=HYPERLINK("http://x","klik")', due_on=date(2025, 11, 12), made_week=WEEK,
           created_at=DEMO_END)
    files = pack_files(assemble(con, WEEK, DEMO_END, load_policy(None)))
    con.close()
    doc = pdfium.PdfDocument(files[f"tinjauan-{WEEK}.pdf"])
    everything = "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    wb = load_workbook(io.BytesIO(files[f"tinjauan-{WEEK}.xlsx"]))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    everything += "\n".join(str(c.value) for c in cells)
    everything += "\n".join(v.decode("utf-8") for k, v in files.items() if k.endswith(".txt"))
    for secret in ("Zulaikha", "0812-5550-777", "Gang Mawar"):
        assert secret not in everything
    formula = [c for c in cells if c.value == '=HYPERLINK("http://x","klik")']
    assert formula and all(c.data_type == "s" for c in formula)
    assert "HYPERLINK" in files[f"tinjauan-{WEEK}-bupati.txt"].decode("utf-8")  # overdue commitment listed
