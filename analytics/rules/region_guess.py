"""Which kab/kota a file is about, from the place names it carries (docs/regions.md, "Detection").

An export without an agency line (a WhatsApp bot's CSV, a city app's dump) still names kecamatan,
desa/kelurahan and camat offices ("Kecamatan Cikarang Barat"). Each distinct name is looked up in
the national registry; a kab/kota scores the rows whose names it holds. The best one is chosen
when it explains most named rows and clearly more than the next (Kab. and Kota Bandung share
names: when the file does not tell them apart, the import asks for --region instead of guessing).

Pure Python and pandas; never imports streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pandas as pd
import pyarrow.parquet as pq

from analytics.rules import national
from analytics.rules.names import compact_key
from analytics.rules.regions import load_region, resolve_region

# A choice needs this share of the named rows, and this lead over the runner-up (in rows).
MIN_SHARE = 0.6
MIN_LEAD = 2.0
_KEC_PREFIXES = ("KECAMATAN ", "CAMAT ", "KEC ")


@dataclass(frozen=True)
class RegionGuess:
    """slug: the chosen kab/kota, or None. share: the part of the named rows it explains.
    runner_up: the next best (slug, share), for the message when none is chosen."""

    slug: str | None
    share: float
    named_rows: int
    runner_up: tuple[str, float] | None = None

    def sentence(self, lang: str = "id") -> str:
        """How the region was found, or why not, in one sentence for the import report."""
        pct = f"{round(100 * self.share)}%"
        if self.slug is not None:
            name = load_region(self.slug).name
            return (f"Wilayah dikenali dari nama tempat dalam file: {name} ({pct} baris bernama tempat cocok)."
                    if lang == "id" else
                    f"Region recognised from the place names in the file: {name} ({pct} of rows naming a place match).")
        if self.runner_up is None:
            return ""
        names = national.kabkota().set_index("slug")["nama"]
        return (f"Nama tempat dalam file cocok dengan lebih dari satu kab/kota (mis. {names[self.runner_up[0]]}); "
                "sebutkan wilayahnya dengan --region." if lang == "id" else
                f"The place names in the file fit more than one kab/kota (e.g. {names[self.runner_up[0]]}); "
                "name the region with --region.")


@cache
def _index(level: str) -> dict[str, frozenset[str]]:
    """compact kecamatan (or desa) name -> the kab/kota codes holding one of that name."""
    out: dict[str, set[str]] = {}
    frame = pq.read_table(national.NATIONAL_DIR / f"{level}.parquet", columns=["nama", "kode_kab"]).to_pandas()
    for name, kab in zip(frame["nama"], frame["kode_kab"], strict=True):
        out.setdefault(compact_key(name), set()).add(kab)
    return {k: frozenset(v) for k, v in out.items()}


def _place(value: object) -> str:
    key = compact_key(value)
    for p in _KEC_PREFIXES:
        if key.startswith(p.replace(" ", "")):
            return key[len(p.replace(" ", "")):]
    return key


def _votes(values: pd.Series, level: str) -> tuple[dict[str, int], int]:
    """Rows per kab/kota holding the row's name at ``level``, and the rows that named one."""
    index = _index(level)
    votes: dict[str, int] = {}
    named = 0
    for value, n in values.dropna().value_counts().items():  # a few hundred places over many rows
        kabs = index.get(_place(value), frozenset()) if isinstance(value, str) else frozenset()
        if kabs:
            named += int(n)
            for kab in kabs:
                votes[kab] = votes.get(kab, 0) + int(n)
    return votes, named


def guess_region(kecamatan: pd.Series | None = None, desa: pd.Series | None = None,
                 units: pd.Series | None = None) -> RegionGuess:
    """The kab/kota the place names point to: kecamatan names (and camat offices among the
    units, "Kecamatan X") first; desa/kelurahan names, which repeat across the country far more,
    only when no kecamatan is named."""
    empty = pd.Series(dtype="str")
    kec_names = pd.concat([kecamatan if kecamatan is not None else empty,
                           (units if units is not None else empty).where(
                               lambda u: u.astype("str").str.upper().str.match(r"\s*(KECAMATAN|KEC\.?|CAMAT)\s"))],
                          ignore_index=True)
    votes, named = _votes(kec_names, "kecamatan")
    if not votes:
        votes, named = _votes(desa if desa is not None else empty, "desa")
    if not votes:
        return RegionGuess(None, 0.0, 0)
    ranked = sorted(votes.items(), key=lambda kv: -kv[1])
    slug_of = national.kabkota().set_index("kode")["slug"]
    best, best_n = ranked[0]
    second = ranked[1] if len(ranked) > 1 else None
    share = best_n / named
    runner = (slug_of[second[0]], second[1] / named) if second else None
    clear = share >= MIN_SHARE and (second is None or best_n >= MIN_LEAD * second[1])
    # A kab/kota with a hand-made registry is known by that registry's slug (kab-oki).
    return RegionGuess(resolve_region(slug_of[best]) if clear else None, share, named, runner)
