"""Citizens' personal data: which fields hold it, masking it in free text, and the Rahasia/Anonim
rules. Pure (no Streamlit, no store); docs/security.md describes the rules in plain words.

- Identity fields (``reporter_name``, ``reporter_contact``) are shown only to a viewer with the
  right (a unit for its own complaints, an analyst after a logged reveal), never for a Rahasia
  (confidential) report, and are not even stored for an Anonim report (``strip_anonymous``; in
  quarantined raw rows ``strip_anonymous_raw``).
- Free text (the complaint itself) is shown with phone numbers, 16-digit numbers (NIK) and
  e-mail addresses replaced by ``[telp]``, ``[NIK]``, ``[email]`` (``mask_text``), except to a
  viewer with the right, and for Rahasia/Anonim reports always.
- Exports carry no identity fields and no free text at all (``for_export``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import pandas as pd

MASK = "•••"
PHONE_MASK, NIK_MASK, EMAIL_MASK = "[telp]", "[NIK]", "[email]"

# The canonical columns that identify the reporter, and the free-text ones.
IDENTITY_COLUMNS: tuple[str, ...] = ("reporter_name", "reporter_contact")
TEXT_COLUMNS: tuple[str, ...] = ("text", "title", "response_text")

# Column names (normalised: lower case, every run of punctuation, "_" and spaces as one space)
# that hold personal data in raw rows of any layout: the canonical names, SP4N-LAPOR!'s free-text
# columns, and the usual spellings in a mapping file ("Nama Pelapor", "No HP", "No.HP", "Alamat").
_PERSONAL_KEYS = {
    "reporter name", "reporter contact", "text", "isi laporan awal", "isi laporan akhir", "judul laporan",
    "nama", "name", "title", "response text",
}
_PERSONAL_PHRASES = ("pelapor", "reporter", "isi laporan", "judul laporan", "kontak", "contact",
                     "telepon", "phone", "email", "e mail", "alamat", "address")
_PERSONAL_WORDS = {"text", "nik", "ktp", "hp", "telp", "wa", "whatsapp", "kk"}
_NON_WORD = re.compile(r"[\W_]+")  # any run of punctuation or spaces: "No.HP", "No. Telp/WA"

# --- patterns in free text ------------------------------------------------------------------
# Text is matched in a folded copy: Unicode NFKC (full-width digits and letters, ligatures), every
# dash-like character as "-", every space-like one as " ", and zero-width characters and the soft
# hyphen as "_" (a joiner, so a number or address split by one still reads as one). The masks are
# then put into the text as written: only the personal part changes.
#
# Every pattern below runs in linear time: a match can only start where a number or address can
# start (lookbehinds), and every repetition is bounded or separated by a character it cannot
# contain, so a failed attempt costs a bounded number of steps per character.


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in range(0x80, 0x10000):
        ch = chr(cp)
        cat = unicodedata.category(ch)
        if cat == "Zs":
            table[cp] = " "
        elif cat == "Pd":
            table[cp] = "-"
    table[0x2212] = "-"  # the minus sign (Sm), which some keyboards put in for a hyphen
    for cp in (0x00AD, 0x180E, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF):  # soft hyphen, zero-width
        table[cp] = "_"
    for cp in range(0xFF01, 0xFF5F):  # full-width ASCII (what NFKC gives, one character each)
        table.setdefault(cp, chr(cp - 0xFEE0))
    return table


_FOLD = _fold_table()

# Numbers. The rules below read a number as digits with up to three separator characters
# between any two of them (space . - / _ and brackets, after folding), so a number written in
# groups of any size, in any mix of separators, is one number.
_S = r"[ .\-/_()]{0,3}"
_NS = r"[ .\-/_]{0,3}"  # in a NIK: no brackets
_DAY, _MONTH = r"(?:0?[1-9]|[12][0-9]|3[01])", r"(?:0?[1-9]|1[0-2])"
_END = r"(?![0-9]|[.\-/_][0-9])"  # the last group of a date: no more digits joined to it
_DATE = _DAY + r"(?:-" + _MONTH + r"-|\." + _MONTH + r"\.|/" + _MONTH + r"/)(?:19|20)?[0-9]{2}" + _END
_YMD = r"(?:19|20)[0-9]{2}(?:-" + _MONTH + r"-|\." + _MONTH + r"\.|/" + _MONTH + r"/| " + _MONTH + r" )" + _DAY + _END
_TIME = r"0[0-9][.:][0-5][0-9](?![0-9])"
# Phone: 10-15 digits starting with 0, 62, +62 (or 0062), the digit after the prefix 1-9:
# 0812-3456-7890, (0812) 1051 7051, +62 (812) 1101-7101, 628 1211 117 111, 08 12 10 71 70 71,
# (021) 8765 4321. Not where a date (05-06-2025, 05/06/25), a time (08.00, 09:30) or an amount
# (Rp 62.500.000.000) starts.
_PHONE = (
    r"(?P<open>\()?(?:\+ ?\(?)?(?!" + _DATE + "|" + _TIME + ")"
    r"(?:0" + _S + r"[1-9](?:" + _S + r"[0-9]){8,13}"
    r"|(?<![Rr]p)(?<![Rr]p )(?<![Rr]p\.)(?<![Rr]p\. )(?:00 ?)?(?!62(?:\.[0-9]{3})+(?![0-9]))62"
    + _S + r"[1-9](?:" + _S + r"[0-9]){7,12})"
)
# NIK: 16 digits, with or without separators: 3216 0145 0590 0001, 32.16.10-545059-0105,
# 321610/845059/0108. Every such number is masked, without checking the region code and birth
# date inside: the Kartu Keluarga number and the 16-digit NPWP have the same shape and are just
# as personal, and a false positive (a 16-digit code that was not a NIK) only hides a number.
# A separated one starts with 1-9 (as every NIK does) and not with a date ("2025-11-02 09.00.00
# 12" holds 16 digits too).
_NIK = r"(?!" + _DATE + "|" + _YMD + r")(?:[0-9]{16}|[1-9](?:" + _NS + r"[0-9]){15})"
# Land lines with a short subscriber number (8-9 digits in all, which the phone rule leaves
# alone): (0266) 12345, 021-876543. The separator after the area code is required.
_LANDLINE = r"(?:\(0[2-9][0-9]{1,2}\) ?|0[2-9][0-9]{1,2}[ .\-/])[0-9]{5,8}(?![0-9])"
# A number starts after no digit or "+", and not after a digit and a joiner (. - / _): the "02"
# of "2025-11-02 09.00.00 12" starts nothing. Right after a number that was masked, though, the
# next one may start after a joiner (``_scan``): "0812-3456-7890/0813-1111-2222" is two phones.
_START = r"(?<![0-9+])(?<![0-9][.\-/_])"
_JOINED = re.compile(r"[ .\-/_()]{1,3}")
# Where a number ends is decided in two passes (``_number_spans``): first only numbers that end
# where a group ends (at a space, bracket or "/", not before . - _ and a digit), then, in what is
# left, any number that ends before a non-digit. So in a run of more than 15 or 16 digits
# "05 05 0812-3456-7890" masks the phone, not "05 05 0812-3456" (which would leave "-7890"), and
# "0812-3456-7890-0813-1111-2222" is still two phones. At each place a NIK is tried first, then a
# phone, then a land line: a 16-digit NIK is not half taken for a phone.


def _numbers(end: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The number pattern for one pass, where a number may start on its own and right after one."""
    body = r"(?:(?P<nik>" + _NIK + end + r")|(?P<tel>" + _PHONE + end + r"(?(open)\)?))|(?P<land>" + _LANDLINE + r"))"
    return re.compile(_START + body), re.compile(body)


_PASSES = (_numbers(r"(?![0-9]|[.\-_][0-9])"), _numbers(r"(?![0-9])"))
# What a number is not, wherever it sits inside the match: a date with a four-digit year
# ("05 13-06-2025" is a number and a date, not a phone), or an amount of a million or more
# written with dots ("05 1.250.000 03", "1.250.000 1.250.000 03"), unless it follows the 62 of a
# phone ("+62 812.345.678").
_HAS_DATE = re.compile(
    r"(?<![0-9])(?:" + _DAY + r"[.\-/]" + _MONTH + r"[.\-/](?:19|20)[0-9]{2}|(?:19|20)[0-9]{2}[.\-/]" + _MONTH
    + r"[.\-/]" + _DAY + r")(?![0-9])"
)
_HAS_AMOUNT = re.compile(r"(?<![0-9])(?<!62[ .\-/_()])[1-9][0-9]{0,2}(?:\.[0-9]{3}){2,}(?![0-9])")
# Where a number can be: eight digits or more, with at most three separators between two. Only
# these stretches are searched with the patterns above (most text has none: this is what keeps
# a column of 100k texts fast).
_RUN = re.compile(r"[0-9](?:[ .\-/_()]{0,3}[0-9]){7,}")

# E-mail addresses, as written and as people disguise them: budi@mail.id, joão1m4@mail.id,
# budi(at)mail(dot)id, budi [at] gmail.com, budi @ gmail.com, budi@gmail. The local part may hold
# any letter (not only ASCII). A bare "@" between words (rapat @ balai desa) is no address, so a
# spaced "@" or "(at)" needs a domain with a common ending (gmail.com, mail(dot)id); a tight one
# does not (budi@gmail). An address starts only where a run of address characters starts:
# without that lookbehind a long run of letters costs quadratic time.
_LOCAL = r"[\w.%+\-\u0300-\u036f]"
_DOT = r"(?:\.|[ ]?[(\[{][ ]?dot[ ]?[)\]}][ ]?)"
_DOMAIN = r"[\w\-]+(?:" + _DOT + r"[\w\-]+)*"
_TLD = r"(?:com|net|org|id|info|biz|co|edu|gov|mil|me|io|xyz|online|site|web|sch|ac|or|go|my)"
_AT_SIGN = r"(?:@|[(\[{][ ]?at[ ]?[)\]}])"
_EMAIL = re.compile(
    r"(?<!" + _LOCAL + r")" + _LOCAL + r"+(?:"
    + _AT_SIGN + _DOMAIN
    + r"|[ ]{0,3}" + _AT_SIGN + r"[ ]{0,3}" + _DOMAIN + _DOT + _TLD + r"(?![\w\-])"
    r")",
    re.IGNORECASE,
)
_AT = re.compile(r"@|[(\[{] ?at ?[)\]}]", re.IGNORECASE)  # no sign of an address: skip _EMAIL


def _fold(text: str) -> tuple[str, list[int] | None]:
    """The text to match in, and for each of its characters the index of the character of
    ``text`` it came from (None when they are one to one)."""
    if text.isascii():
        return text, None
    folded = text.translate(_FOLD)
    if unicodedata.is_normalized("NFKC", folded):
        return folded, None
    # Rare (ligatures, "…", superscripts, mathematical digits): one character at a time, so
    # each piece of the result can be traced back to where it was written.
    pieces: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(folded):
        piece = unicodedata.normalize("NFKC", ch).translate(_FOLD) if ord(ch) > 0x7F else ch
        pieces.append(piece)
        origin.extend([i] * len(piece))
    return "".join(pieces), origin


def _blank(text: str, spans: list[tuple[int, int, str]]) -> str:
    """``text`` with the spans already masked turned into NULs (no pattern takes those)."""
    out, pos = [], 0
    for start, end, _label in spans:
        out += [text[pos:start], "\0" * (end - start)]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _number_spans(norm: str) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    for number, joined in _PASSES:
        found = _scan(number, joined, norm)
        if found:
            spans += found
            norm = _blank(norm, found)
    return sorted(spans)


def _scan(number: re.Pattern[str], joined: re.Pattern[str], norm: str) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    done = 0
    for run in _RUN.finditer(norm):
        # Three characters of room before the run ("(+" of a phone), one after (its ")").
        pos, end = max(done, run.start() - 3), min(len(norm), run.end() + 1)
        m = number.search(norm, pos, end)
        while m is not None:
            text = m.group()
            if _HAS_DATE.search(text) or _HAS_AMOUNT.search(text):
                pos = m.start() + 1  # not this one: try from the next place
            else:
                spans.append((m.start(), m.end(), NIK_MASK if m.group("nik") else PHONE_MASK))
                pos = m.end()
                gap = _JOINED.match(norm, pos, end)
                nxt = joined.match(norm, gap.end(), end) if gap else None
                if nxt is not None:  # another number joined to this one
                    m = nxt
                    continue
            m = number.search(norm, pos, end)
        done = max(done, pos)
    return spans


def _personal_spans(norm: str) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    if _AT.search(norm):
        spans = [(m.start(), m.end(), EMAIL_MASK) for m in _EMAIL.finditer(norm)]
        if spans:
            norm = _blank(norm, spans)
    numbers = _number_spans(norm)
    return sorted(spans + numbers) if numbers else spans


def mask_text(text: object) -> object:
    """Free text with e-mail addresses, 16-digit numbers (NIK) and phone numbers masked.

    Matched in a folded copy (NFKC, dashes and spaces of every kind), masked in the text as
    written. Order matters: e-mails first (their local part can hold digits), then numbers,
    where a NIK is tried before a phone, and a phone before a short land line, at each place.
    Missing values come back as given.
    """
    if not isinstance(text, str):
        return text
    norm, origin = _fold(text)
    spans = _personal_spans(norm)
    if not spans:
        return text
    out, pos = [], 0
    for start, end, label in spans:
        if origin is not None:  # back to the text as written (one character may have become several)
            start, end = max(origin[start], pos), origin[end - 1] + 1
        out += [text[pos:start], label]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def is_personal_key(key: object) -> bool:
    """Whether a column name (of any export layout) holds personal data."""
    norm = _NON_WORD.sub(" ", str(key).lower()).strip()
    if norm in _PERSONAL_KEYS:
        return True
    if any(p in norm for p in _PERSONAL_PHRASES):
        return True
    return bool(set(norm.split()) & _PERSONAL_WORDS)


def _flag(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame:
        return pd.Series(False, index=frame.index)
    return frame[name].fillna(False).astype("bool")


def mask_complaints(frame: pd.DataFrame, *, identity: bool, full_text: bool) -> pd.DataFrame:
    """Complaint rows ready to show.

    ``identity``: the viewer may see reporter identity (name, contact) of these rows.
    ``full_text``: the viewer may see the free text unmasked.
    Whatever the viewer may see, a Rahasia (``confidential``) or Anonim (``anonymous``) row never
    shows identity and always has its text masked: the reporter asked not to be known, and the text
    is where a name or number would give them away. Identity cells become ``MASK`` when there was
    something to hide, and stay empty when the field was empty.
    """
    out = frame.copy()
    protected = _flag(out, "confidential") | _flag(out, "anonymous")
    for col in IDENTITY_COLUMNS:
        if col not in out:
            continue
        values = out[col].astype("object")
        has = values.notna() & (values.astype("str").str.strip() != "")
        hide = has & (protected | (not identity))
        out[col] = values.where(~hide, MASK)
    for col in TEXT_COLUMNS:
        if col not in out:
            continue
        values = out[col].astype("object")
        masked = values.map(mask_text)
        out[col] = values.where(~protected, masked) if full_text else masked
    return out


def strip_anonymous(frame: pd.DataFrame) -> pd.DataFrame:
    """An imported frame with the identity fields of Anonim reports emptied (never stored)."""
    anon = _flag(frame, "anonymous")
    if not anon.any():
        return frame
    out = frame.copy()
    for col in IDENTITY_COLUMNS:
        if col in out:
            out[col] = out[col].where(~anon)
    return out


def strip_anonymous_raw(
    records: Sequence[dict], anonymous: Sequence[bool], identity_columns: Sequence[str] = ()
) -> list[dict]:
    """Raw rows (a file's row as a dict, for quarantine) with Anonim reports' identity removed.

    For each row whose ``anonymous`` flag is set: every column that is personal by its name
    (``is_personal_key``) or that the layout maps to an identity field (``identity_columns``,
    e.g. a mapping file's ``reporter_name = "Pengirim"``) becomes None, and every other text cell
    is masked by content (``mask_text``): a phone number in a ``keterangan`` column is theirs too.
    Other rows are returned as they came. The input is not changed.
    """
    named = {str(c) for c in identity_columns}
    out = []
    for record, anon in zip(records, anonymous, strict=True):
        if not anon:
            out.append(record)
            continue
        out.append({
            k: None if (k in named or is_personal_key(k)) else mask_text(v) for k, v in record.items()
        })
    return out


def for_export(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame safe to hand out as a file: personal columns dropped (by name, any layout), and
    personal data masked inside every remaining text cell (a unit or category name can carry a
    phone number the exporting system put there)."""
    out = frame.drop(columns=[c for c in frame.columns if is_personal_key(c)])
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            # Mask each distinct value once: units, categories and statuses repeat on every row.
            values = out[c].dropna().unique()
            masked = {v: mask_text(v) for v in values}
            changed = {v: m for v, m in masked.items() if m != v}
            if changed:
                out[c] = out[c].map(lambda v, changed=changed: changed.get(v, v) if isinstance(v, str) else v)
    return out
