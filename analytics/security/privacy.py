"""Citizens' personal data: which fields hold it, masking it in free text, and the Rahasia/Anonim
rules. Pure (no Streamlit, no store); docs/security.md describes the rules in plain words.

- Identity fields (``reporter_name``, ``reporter_contact``) are shown only to a viewer with the
  right (a unit for its own complaints, an analyst after a logged reveal), never for a Rahasia
  (confidential) report, and are not even stored for an Anonim report (``strip_anonymous``).
- Free text (the complaint itself) is shown with phone numbers, 16-digit numbers (NIK) and
  e-mail addresses replaced by ``[telp]``, ``[NIK]``, ``[email]`` (``mask_text``), except to a
  viewer with the right, and for Rahasia/Anonim reports always.
- Exports carry no identity fields and no free text at all (``for_export``).
"""

from __future__ import annotations

import re

import pandas as pd

MASK = "•••"
PHONE_MASK, NIK_MASK, EMAIL_MASK = "[telp]", "[NIK]", "[email]"

# The canonical columns that identify the reporter, and the free-text ones.
IDENTITY_COLUMNS: tuple[str, ...] = ("reporter_name", "reporter_contact")
TEXT_COLUMNS: tuple[str, ...] = ("text", "title", "response_text")

# Column names (normalised: lower case, "_"/"-" as spaces) that hold personal data in raw rows of
# any layout: the canonical names, SP4N-LAPOR!'s free-text columns, and the usual spellings in a
# mapping file ("Nama Pelapor", "No HP", "Alamat").
_PERSONAL_KEYS = {
    "reporter name", "reporter contact", "text", "isi laporan awal", "isi laporan akhir", "judul laporan",
    "nama", "name", "title", "response text",
}
_PERSONAL_PHRASES = ("pelapor", "reporter", "isi laporan", "judul laporan", "kontak", "contact",
                     "telepon", "phone", "email", "e mail", "alamat", "address")
_PERSONAL_WORDS = {"text", "nik", "ktp", "hp", "telp", "wa", "whatsapp", "kk"}
_NON_WORD = re.compile(r"[\s_\-]+")

# --- patterns in free text ------------------------------------------------------------------
# Digits are ASCII only ([0-9], not \d, which would also take Arabic-Indic digits). Separators
# people type inside numbers: space, dot, hyphen.
_SEP = r"[ .\-]?"
# NIK: 16 digits, alone or grouped (3216 0112 3456 0001, 32.16.01.123456.0001), not part of a
# longer number. We mask EVERY such 16-digit number, without checking the region code and birth
# date inside: the Kartu Keluarga number and the new 16-digit NPWP have the same shape and are just
# as personal, and a false positive (a 16-digit code that was not a NIK) only hides a number.
# One kind of separator per number, so a date and time run together ("2025-11-02 09.00.00 12")
# is not read as one.
_NIK = re.compile(
    r"(?<![0-9])(?:" + "|".join(r"[0-9](?:" + s + r"?[0-9]){15}" for s in (" ", r"\.", "-")) + r")(?![0-9])"
)
# Mobile numbers: 08xx, +628xx, 628xx, (+62) 8xx, with 8-12 digits after the 8 prefix group,
# separated or not: 0812-3456-7890, +62 812 3456 7890, 62812345678, (+62)812.3456.789.
_MOBILE = re.compile(
    r"(?<![0-9+])(?:\(?\+62\)?|62|0)" + _SEP + r"8[0-9](?:" + _SEP + r"[0-9]){6,11}(?![0-9])"
)
# Land lines with an area code, written the way people write them: (022) 7654321, 021-8765432,
# +62 22 7654321. The separator after the area code is required, so dates (01-02-2025) and
# amounts are not taken for phones.
_LANDLINE = re.compile(
    r"(?<![0-9+])(?:\(0[2-9][0-9]{1,2}\) ?|0[2-9][0-9]{1,2}[ .\-]|\+62 ?[2-9][0-9]{1,2}[ .\-]?)[0-9]{5,8}(?![0-9])"
)
# Starts only where an address can start (not inside a run of address characters): without the
# lookbehind a long run of digits or letters costs quadratic time.
_DIGIT = re.compile(r"[0-9]")
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")


def mask_text(text: object) -> object:
    """Free text with e-mail addresses, 16-digit numbers (NIK) and phone numbers masked.

    Order matters: e-mails first (their local part can hold digits), then 16-digit numbers (a NIK
    must not be half-eaten by the phone pattern), then phones. Missing values come back as given.
    """
    if not isinstance(text, str):
        return text
    out = _EMAIL.sub(EMAIL_MASK, text) if "@" in text else text
    if not _DIGIT.search(out):  # no digits: no number to mask
        return out
    out = _NIK.sub(NIK_MASK, out)
    out = _MOBILE.sub(PHONE_MASK, out)
    return _LANDLINE.sub(PHONE_MASK, out)


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
