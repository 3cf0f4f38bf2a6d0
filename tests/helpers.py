"""Small builders for test files and store fingerprints."""

from __future__ import annotations

from pathlib import Path

HEADER = (
    "id,received_at,verified_at,dispatched_at,first_response_at,resolved_at,status,opd,kecamatan,desa,"
    "category,classification,channel,lat,lon,rating,redispatch_count"
)

# Quarantine and personal data (tests/test_import_bad_input.py, tests/test_roles_rows.py).
# Extra columns a channel's export may carry: the template's personal extras and two columns of
# its own, one whose name says "phone" in a way people write it, one whose name says nothing.
HEADER_Q = HEADER + ",anonymous,confidential,reporter_name,reporter_contact,text,No.HP,keterangan"
_BLANK_TAIL = "," * 15  # verified_at .. redispatch_count: empty


def _q_row(cid: str, received: str, *, anon: str, name: str, contact: str, text: str, hp: str, note: str) -> str:
    return ",".join([cid, received + _BLANK_TAIL, anon, "", name, contact, f'"{text}"', hp, f'"{note}"'])


QUARANTINE_ROWS = [
    # Anonim, received_at unreadable: the file still carries who they are, in four places.
    _q_row("Q1", "kemarin sore", anon="1", name="Anonim Tapi Bernama", contact="0899-5555-6666",
           text="Obat habis, hubungi 0899 5555 6666", hp="0899 5555 6666", note="WA (0899) 5555 6666 / anon@mail.id"),
    # Anonim whose unreadable time is itself a phone number (a shifted column): the reason names it.
    _q_row("Q2", "0899 7777 8888", anon="ya", name="Anonim Kedua", contact="", text="", hp="", note=""),
    # A named report: its identity is stored (an authorised person may follow it up), shown masked.
    _q_row("Q3", "31/02/2025", anon="", name="Siti Aminah", contact="0812-1111-2222",
           text="Jalan rusak", hp="0812 1111 2222", note="hubungi 0812\u20131111\u20132222"),
]


def template_csv(path: Path, rows: list[str], header: str = HEADER, encoding: str = "utf-8") -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding=encoding)
    return path


def fingerprint(con) -> tuple:
    """Row counts and a content checksum of every table: equal before and after means untouched."""
    out = []
    for table in ("complaints", "status_history", "import_batches", "quarantine", "meta"):
        n, digest = con.execute("SELECT count(*), sum(hash(t)) FROM " + table + " t").fetchall()[0]
        out.append((table, n, digest))
    return tuple(out)
