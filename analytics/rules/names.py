"""Name normalisation and matching of unit (OPD), kecamatan and desa names to region codes.

Two keys are used (docs/regions.md):

- ``normalise_name``: upper case, punctuation to spaces, whitespace collapsed, common
  abbreviations expanded (``KAB.`` -> ``KABUPATEN`` ...). Readable; used for alias keys.
- ``compact_key``: the normalised name with the spaces removed. Every comparison uses this key, so
  ``SOLOKAN JERUK``, ``Solokan-Jeruk`` and ``Solokanjeruk`` are the same name.

The matchers work on the distinct values of the input (``pd.factorize``) and broadcast the answer
back, so a million rows with a hundred distinct names cost one factorize plus a hundred lookups.
Unknown names are kept as given (stripped) with a NA code, never dropped or merged.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

if TYPE_CHECKING:  # regions imports this module; only the type is needed here
    from analytics.rules.regions import Region

# Whole-word abbreviations expanded by normalise_name. PEMKAB and SEKDA are common in agency names
# ("Bagian Hukum Sekda Kab. Bandung").
ABBREVIATIONS: dict[str, str] = {
    "KAB": "KABUPATEN",
    "KEC": "KECAMATAN",
    "KEL": "KELURAHAN",
    "DS": "DESA",
    "PEMKAB": "PEMERINTAH KABUPATEN",
    "PEMKOT": "PEMERINTAH KOTA",
    "SEKDA": "SEKRETARIAT DAERAH",
}
# Words that name the regency itself rather than the unit; stripped together with the region's
# name_tokens before the fallback comparisons ("Dinas Pendidikan Kab. Bandung" -> DINAS PENDIDIKAN).
REGENCY_WORDS: tuple[str, ...] = ("PEMERINTAH KABUPATEN", "KABUPATEN")
# ... and the city (stripped only in a kota's names, where "Kota" names the city).
CITY_WORDS: tuple[str, ...] = ("PEMERINTAH KOTA ADMINISTRASI", "PEMERINTAH KOTA", "KOTA ADMINISTRASI", "KOTA")
# A unit name starting with one of these is a kecamatan (camat) office.
KECAMATAN_OFFICE_PREFIXES: tuple[str, ...] = ("KECAMATAN", "CAMAT")
DESA_PREFIXES: tuple[str, ...] = ("DESA", "KELURAHAN")
# A unit name starting with one of these is a lurah or kepala desa office.
VILLAGE_OFFICE_PREFIXES: tuple[str, ...] = ("KELURAHAN", "DESA", "LURAH", "KANTOR KELURAHAN", "KANTOR DESA",
                                            "PEMERINTAH DESA", "KEPALA DESA")

_NON_WORD = re.compile(r"[\W_]+")
_STR = pd.StringDtype(na_value=float("nan"))  # pandas 3's default str dtype


def _is_missing(s: Any) -> bool:
    if s is None or s is pd.NA:
        return True
    return isinstance(s, float) and math.isnan(s)


def normalise_name(s: Any) -> str:
    """Upper-case, punctuation to spaces, collapse whitespace, expand abbreviations.

    None/NaN/NA give "". ``normalise_name("Dinas Kesehatan Kab. Bandung")`` is
    ``"DINAS KESEHATAN KABUPATEN BANDUNG"``.
    """
    if _is_missing(s):
        return ""
    words = _NON_WORD.sub(" ", str(s).upper()).split()
    return " ".join(ABBREVIATIONS.get(w, w) for w in words)


def compact_key(s: Any) -> str:
    """The matching key: ``normalise_name(s)`` without spaces.

    ``compact_key("SOLOKAN JERUK") == compact_key("Solokanjeruk") == "SOLOKANJERUK"``.
    """
    return normalise_name(s).replace(" ", "")


def _strip_phrases(normalised: str, phrases: tuple[str, ...]) -> str:
    """Remove whole-word phrases (longest first) from a normalised name; collapse spaces."""
    out = f" {normalised} "
    for p in sorted(phrases, key=len, reverse=True):
        out = out.replace(f" {p} ", " ")
        out = out.replace(f" {p} ", " ")  # twice: adjacent repeats share a space
    return " ".join(out.split())


def _strip_prefix(normalised: str, prefixes: tuple[str, ...]) -> tuple[str, bool]:
    for p in prefixes:
        if normalised.startswith(p + " "):
            return normalised[len(p) + 1 :], True
    return normalised, False


def _unique_map(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """key -> value, dropping keys that point to two different values (ambiguous)."""
    out: dict[str, str] = {}
    bad: set[str] = set()
    for k, v in pairs:
        if k in out and out[k] != v:
            bad.add(k)
        out.setdefault(k, v)
    return {k: v for k, v in out.items() if k not in bad}


def _regency_phrases(region: Region) -> tuple[str, ...]:
    city = CITY_WORDS if region.name.startswith("Kota") else ()  # "Dinas Kesehatan Kota Bekasi"
    return (*city, *REGENCY_WORDS, *(normalise_name(t) for t in region.name_tokens))


# ----------------------------------------------------------------------------- kecamatan


@lru_cache(maxsize=32)
def _kecamatan_index(region: Region) -> tuple[dict[str, str], dict[str, str]]:
    """(compact name -> kode, kode -> Kemendagri name)."""
    kec = region.kecamatan
    pairs = [(compact_key(n), k) for n, k in zip(kec["nama"], kec["kode"])]
    pairs += [(a.replace(" ", ""), k) for a, k in region.kecamatan_aliases.items()]
    return _unique_map(pairs), dict(zip(kec["kode"], kec["nama"]))


def _kecamatan_code(normalised: str, region: Region) -> str | None:
    """Kode of one normalised kecamatan name, or None. Tries as given, without a "KECAMATAN"
    prefix, then without the regency words ("Kecamatan Pangalengan Kabupaten Bandung")."""
    index, _ = _kecamatan_index(region)
    bare, _ = _strip_prefix(normalised, KECAMATAN_OFFICE_PREFIXES)
    for cand in (normalised, bare, _strip_phrases(bare, _regency_phrases(region))):
        key = cand.replace(" ", "")
        if key and key in index:
            return index[key]
    return None


# ----------------------------------------------------------------------------- helpers


def _broadcast(raw: pd.Series, solve: Callable[[Any], tuple], width: int) -> list[pd.Series]:
    """Apply ``solve(value) -> tuple`` once per distinct value of ``raw``; return one str Series
    per tuple position, aligned to raw's index. Missing raw values give NA in every column."""
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    return _take([solve(u) for u in uniques], codes, raw.index, width)


def _take(answers: list[tuple], codes: np.ndarray, index: pd.Index, width: int) -> list[pd.Series]:
    """Broadcast per-distinct answers to rows: build each column over the distinct values (plus
    a trailing NA for code -1) and ``take`` it, so the per-row work stays inside pandas."""
    pos = pa.array(np.where(codes < 0, len(answers), codes))
    out = []
    for i in range(width):
        # pyarrow's take: pandas' take on Arrow strings was ~10x slower at a million rows.
        small = pa.array([a[i] for a in answers] + [None], type=pa.large_string())
        taken = small.take(pos).to_pandas(types_mapper={pa.large_string(): _STR}.get)
        out.append(pd.Series(taken.array, index=index, dtype=_STR))
    return out


def _frame(index: pd.Index, names: tuple[str, ...], cols: list[pd.Series]) -> pd.DataFrame:
    return pd.DataFrame(dict(zip(names, cols)), index=index)


def _given(value: Any) -> str:
    return str(value).strip()


# ----------------------------------------------------------------------------- public API


def match_kecamatan(raw: pd.Series, region: Region) -> pd.DataFrame:
    """Match kecamatan names to the region's kecamatan.

    Returns columns ``kecamatan_code`` (dotted Kemendagri kode) and ``kecamatan`` (Kemendagri
    name), aligned to ``raw.index``. Unknown names: code NA, name = raw stripped. Empty: both NA.
    """
    _, names = _kecamatan_index(region)

    def solve(value: Any) -> tuple[str | None, str | None]:
        n = normalise_name(value)
        if not n:
            return (None, None)
        code = _kecamatan_code(n, region)
        return (code, names[code]) if code else (None, _given(value))

    return _frame(raw.index, ("kecamatan_code", "kecamatan"), _broadcast(raw, solve, 2))


@lru_cache(maxsize=32)
def _unit_index(region: Region) -> dict[str, dict[str, str]]:
    """The lookup tables of match_units, one per matching step (compact keys -> unit code)."""
    units = region.units
    phrases = _regency_phrases(region)
    camat = units[units["kind"] == "camat"]
    return {
        "exact": _unique_map([(compact_key(n), c) for n, c in zip(units["name"], units["code"])]),
        "alias": _unique_map([(a.replace(" ", ""), c) for a, c in region.unit_aliases.items()]),
        "stripped": _unique_map(
            [
                (_strip_phrases(normalise_name(n), phrases).replace(" ", ""), c)
                for n, c in zip(units["name"], units["code"])
            ]
        ),
        "short": _unique_map(
            [(compact_key(s), c) for s, c in zip(units["short_name"], units["code"])]
        ),
        "camat": dict(zip(camat["kecamatan_code"], camat["code"])),
        "name": dict(zip(units["code"], units["name"])),
        "kind": dict(zip(units["code"], units["kind"])),
    }


def _unit_code(n: str, region: Region) -> str | None:
    """Unit code for one normalised name; the matching order is documented in docs/regions.md."""
    idx = _unit_index(region)
    key = n.replace(" ", "")
    for step in ("exact", "alias"):
        if key in idx[step]:
            return idx[step][key]
    if _strip_prefix(n, KECAMATAN_OFFICE_PREFIXES)[1]:
        kec = _kecamatan_code(n, region)
        if kec is not None and kec in idx["camat"]:
            return idx["camat"][kec]
    # Without the regency words: "Dinas Pendidikan Bandung" == "Dinas Pendidikan Kab. Bandung",
    # "DP2KBP3A kab. Bandung" hits the alias "DP2KBP3A", "Dinkes Kab. Bandung" the short name.
    stripped = _strip_phrases(n, _regency_phrases(region)).replace(" ", "")
    for step in ("stripped", "alias", "short"):
        if stripped in idx[step]:
            return idx[step][stripped]
    return idx["short"].get(key)


def match_units(raw: pd.Series, region: Region) -> pd.DataFrame:
    """Match free-text unit (OPD / kecamatan office) names to the region's units.

    Returns columns ``unit_code``, ``unit`` (canonical name from units.csv) and ``unit_kind``
    (opd | camat | lainnya | tidak_dikenal), aligned to ``raw.index``.
    Empty/NaN raw: all three NA. Unknown: ``unit_code`` NA, ``unit`` = raw stripped (kept as given),
    ``unit_kind`` "camat" if it looks like a kecamatan office, else "tidak_dikenal".
    """
    idx = _unit_index(region)

    def solve(value: Any) -> tuple[str | None, str | None, str | None]:
        n = normalise_name(value)
        if not n:
            return (None, None, None)
        code = _unit_code(n, region)
        if code is not None:
            return (code, idx["name"][code], idx["kind"][code])
        looks_camat = _strip_prefix(n, KECAMATAN_OFFICE_PREFIXES)[1]
        looks_village = _strip_prefix(n, VILLAGE_OFFICE_PREFIXES)[1]
        kind = "camat" if looks_camat else "kelurahan" if looks_village else "tidak_dikenal"
        return (None, _given(value), kind)

    return _frame(raw.index, ("unit_code", "unit", "unit_kind"), _broadcast(raw, solve, 3))


@lru_cache(maxsize=32)
def _desa_index(
    region: Region,
) -> tuple[dict[str, list[tuple[str, str]]], dict[str, str], dict[str, str]]:
    """(compact name -> [(kode, kode_kec)], alias -> kode, kode -> name)."""
    desa = region.desa
    by_name: dict[str, list[tuple[str, str]]] = {}
    for n, k, kk in zip(desa["nama"], desa["kode"], desa["kode_kec"]):
        by_name.setdefault(compact_key(n), []).append((k, kk))
    aliases = {a.replace(" ", ""): k for a, k in region.desa_aliases.items()}
    return by_name, aliases, dict(zip(desa["kode"], desa["nama"]))


def _desa_code(n: str, kec: str | None, region: Region) -> str | None:
    by_name, aliases, _ = _desa_index(region)
    bare, _ = _strip_prefix(n, DESA_PREFIXES)
    for cand in (n, bare):
        key = cand.replace(" ", "")
        if key in aliases:
            return aliases[key]
        found = by_name.get(key)
        if not found:
            continue
        if kec is not None:
            within = [k for k, kk in found if kk == kec]
            # A known kecamatan that does not hold this desa is a conflict: leave unmatched
            # rather than assign a desa from another kecamatan.
            return within[0] if len(within) == 1 else None
        return found[0][0] if len(found) == 1 else None
    return None


def match_desa(raw: pd.Series, kecamatan_code: pd.Series, region: Region) -> pd.DataFrame:
    """Match desa/kelurahan names, preferring the desa inside the row's kecamatan.

    ``kecamatan_code`` is the matched kode per row (NA when unknown), aligned with ``raw``.
    Returns columns ``desa_code`` and ``desa`` (Kemendagri name), aligned to ``raw.index``.
    With a known kecamatan only a desa of that kecamatan matches; with an unknown kecamatan the
    name must be unique in the regency. Unknown: code NA, name = raw stripped. Empty: both NA.
    """
    _, _, names = _desa_index(region)
    if len(kecamatan_code) != len(raw):
        raise ValueError("raw and kecamatan_code must have the same length")
    raw_codes, raw_uniques = pd.factorize(raw, use_na_sentinel=True)
    # Positional: the two Series come from the same frame, row for row.
    kec_codes, kec_uniques = pd.factorize(kecamatan_code.to_numpy(), use_na_sentinel=True)
    # One integer per distinct (desa, kecamatan) pair; the -1 sentinels shift to 0.
    width = len(kec_uniques) + 1
    pair = (raw_codes.astype(np.int64) + 1) * width + (kec_codes + 1)
    pair_codes, pair_uniques = pd.factorize(pair)

    def solve(p: int) -> tuple[str | None, str | None]:
        ri, ki = int(p) // width - 1, int(p) % width - 1
        value = raw_uniques[ri] if ri >= 0 else None
        n = normalise_name(value)
        if not n:
            return (None, None)
        code = _desa_code(n, str(kec_uniques[ki]) if ki >= 0 else None, region)
        return (code, names[code]) if code else (None, _given(value))

    answers = [solve(p) for p in pair_uniques]
    return _frame(raw.index, ("desa_code", "desa"), _take(answers, pair_codes, raw.index, 2))
