"""`python -m analytics regions [SEARCH]`: the kab/kota Pantau knows (every one in Indonesia), with
the slug, Kemendagri code and zone an import's --region accepts (docs/regions.md)."""

from __future__ import annotations

import argparse


def add_commands(sub, add_db) -> None:  # noqa: ANN001 - argparse's private subparsers type
    del add_db  # the registry is shipped with Pantau, not kept in a store
    p = sub.add_parser("regions", help="list the kab/kota a --region can name (slug, code, name, zone)")
    p.add_argument("search", nargs="?", help="part of a name or code, e.g. bekasi or 32.7")


def run(args: argparse.Namespace) -> int:
    from analytics.rules import national
    from analytics.rules.regions import curated_regions, resolve_region

    t = national.kabkota()
    if args.search:
        needle = args.search.casefold()
        t = t[t["nama"].str.casefold().str.contains(needle, regex=False) | t["kode"].str.startswith(args.search)]
    curated = set(curated_regions())
    for row in t.sort_values("kode").itertuples():
        slug = resolve_region(row.kode)
        zone = national.timezone_of(row.kode)[1]
        extra = "  (daftar OPD dan alias)" if slug in curated else ""
        print(f"{row.kode}  {slug:<32} {row.nama} · {row.nama_prov} · {zone}{extra}")
    if t.empty:
        print(f"tidak ada kab/kota yang cocok dengan {args.search!r}")
        return 2
    return 0
