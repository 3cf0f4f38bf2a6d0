"""Random points inside polygons, vectorised with numpy (no shapely).

Polygons come from a GeoJSON FeatureCollection (Polygon or MultiPolygon, holes allowed). Every
ring of a feature becomes a list of edges; the even-odd ray-casting rule over all of a feature's
edges handles holes and multi-part features alike.

The point-in-polygon test pairs each point only with the edges of *its* polygon whose y-span
contains the point's y (found by binary search over points sorted by polygon and y), so the work
is about (points x edges crossed by one horizontal line), not points x all edges.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_CHUNK = 400_000  # points per point-in-polygon batch (bounds the memory of the pairing step)


@dataclass(frozen=True)
class Polygons:
    """Edges of N features. Feature i owns edges with ``owner == i``; ``bbox[i]`` = x0,y0,x1,y1."""

    keys: tuple[str, ...]
    owner: np.ndarray
    x0: np.ndarray
    y0: np.ndarray
    x1: np.ndarray
    y1: np.ndarray
    bbox: np.ndarray

    def index(self) -> dict[str, int]:
        return {k: i for i, k in enumerate(self.keys)}


def _rings(geometry: dict | None) -> list[np.ndarray]:
    if not geometry:
        return []
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        parts = [coords]
    elif kind == "MultiPolygon":
        parts = coords
    else:
        return []
    rings = []
    for part in parts:
        for ring in part:
            arr = np.asarray(ring, dtype=float)[:, :2]
            if len(arr) >= 3:
                rings.append(arr)
    return rings


def load_polygons(path: Path, key: str = "kode") -> Polygons:
    """Read a GeoJSON file; features are keyed by ``properties[key]``. Empty geometries are kept
    (with an empty bbox) so every key resolves; points for them must come from elsewhere."""
    features = json.loads(Path(path).read_text(encoding="utf-8")).get("features", [])
    keys, owner, x0, y0, x1, y1, bbox = [], [], [], [], [], [], []
    for i, feature in enumerate(features):
        keys.append(str((feature.get("properties") or {}).get(key)))
        rings = _rings(feature.get("geometry"))
        if not rings:
            bbox.append((np.nan, np.nan, np.nan, np.nan))
            continue
        pts = np.concatenate(rings)
        bbox.append((pts[:, 0].min(), pts[:, 1].min(), pts[:, 0].max(), pts[:, 1].max()))
        for ring in rings:
            a, b = ring, np.roll(ring, -1, axis=0)  # closes the ring whether or not it repeats
            owner.append(np.full(len(a), i))
            x0.append(a[:, 0]), y0.append(a[:, 1]), x1.append(b[:, 0]), y1.append(b[:, 1])
    cat = lambda parts, dt=float: np.concatenate(parts).astype(dt) if parts else np.empty(0, dt)  # noqa: E731
    o, ax0, ay0, ax1, ay1 = cat(owner, np.int64), cat(x0), cat(y0), cat(x1), cat(y1)
    keep = ay0 != ay1  # horizontal edges never cross a horizontal ray
    return Polygons(
        tuple(keys), o[keep], ax0[keep], ay0[keep], ax1[keep], ay1[keep], np.asarray(bbox, float).reshape(-1, 4)
    )


def points_in_polygons(px: np.ndarray, py: np.ndarray, pid: np.ndarray, polys: Polygons) -> np.ndarray:
    """Whether point k lies inside feature ``pid[k]`` (even-odd rule, vectorised)."""
    n = len(px)
    inside = np.zeros(n, dtype=bool)
    if n == 0 or len(polys.owner) == 0:
        return inside
    for start in range(0, n, _CHUNK):
        sl = slice(start, min(n, start + _CHUNK))
        inside[sl] = _pip_chunk(px[sl], py[sl], pid[sl], polys)
    return inside


def _pip_chunk(px, py, pid, polys: Polygons) -> np.ndarray:
    ylo_all = min(polys.y0.min(), polys.y1.min(), py.min())
    span = max(polys.y0.max(), polys.y1.max(), py.max()) - ylo_all
    stride = 2.0 * span + 1.0  # one band of the sort key per polygon
    key = pid * stride + (py - ylo_all)
    order = np.argsort(key, kind="stable")
    skey = key[order]
    e_lo = np.minimum(polys.y0, polys.y1)
    e_hi = np.maximum(polys.y0, polys.y1)
    base = polys.owner * stride - ylo_all
    lo = np.searchsorted(skey, base + e_lo, side="left")  # ylo <= y < yhi: half-open
    hi = np.searchsorted(skey, base + e_hi, side="left")
    counts = hi - lo
    total = int(counts.sum())
    if total == 0:
        return np.zeros(len(px), dtype=bool)
    edge = np.repeat(np.arange(len(counts)), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    point = order[np.repeat(lo, counts) + (np.arange(total) - first)]
    x0, y0, x1, y1 = polys.x0[edge], polys.y0[edge], polys.x1[edge], polys.y1[edge]
    x_cross = x0 + (py[point] - y0) * (x1 - x0) / (y1 - y0)
    crossings = np.bincount(point, weights=(px[point] < x_cross), minlength=len(px))
    return (crossings.astype(np.int64) % 2) == 1


def sample_points(
    rng: np.random.Generator,
    target: np.ndarray,
    polys: Polygons,
    also: tuple[np.ndarray, Polygons] | None = None,
    max_rounds: int = 60,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Uniform random points inside feature ``target[k]`` (and, when ``also=(ids, polys2)`` is
    given, inside feature ``ids[k]`` of polys2 too), by vectorised rejection sampling from each
    feature's bounding box. Returns (x, y, ok); ``ok`` is False where no point was found (no
    geometry, or the two features barely overlap) and x/y are NaN there."""
    n = len(target)
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    box = polys.bbox[target] if n else np.empty((0, 4))
    pending = np.flatnonzero(~np.isnan(box[:, 0])) if n else np.empty(0, np.int64)
    for _ in range(max_rounds):
        if len(pending) == 0:
            break
        b = box[pending]
        cx = b[:, 0] + rng.random(len(pending)) * (b[:, 2] - b[:, 0])
        cy = b[:, 1] + rng.random(len(pending)) * (b[:, 3] - b[:, 1])
        ok = points_in_polygons(cx, cy, target[pending], polys)
        if also is not None:
            ids2, polys2 = also
            check = np.flatnonzero(ok)
            ok[check] = points_in_polygons(cx[check], cy[check], ids2[pending[check]], polys2)
        x[pending[ok]], y[pending[ok]] = cx[ok], cy[ok]
        pending = pending[~ok]
    return x, y, ~np.isnan(x)


_IN, _EDGE, _OUT = 0, 1, 2


@dataclass(frozen=True)
class GridSampler:
    """Uniform points inside feature i of ``polys`` that also lie inside feature ``also_of[i]``
    of ``also`` (e.g. a desa and its kecamatan), faster than plain rejection: each feature's bbox
    is cut into G x G cells, classified once as inside both, outside either, or crossed by an edge.
    A point is drawn in a random non-outside cell (equal areas keep it uniform) and only points in
    edge cells go through the point-in-polygon test."""

    polys: Polygons
    also: Polygons
    also_of: np.ndarray
    grid: int
    status: np.ndarray  # (features, grid*grid)
    cand: np.ndarray  # global cell ids (feature * grid^2 + cell) that are not outside
    cand_start: np.ndarray
    cand_count: np.ndarray

    def sample(self, rng: np.random.Generator, target: np.ndarray, max_rounds: int = 40):
        """(x, y, ok) for features ``target``; ok False (x, y NaN) when no point was found."""
        g, gg = self.grid, self.grid * self.grid
        n = len(target)
        x, y = np.full(n, np.nan), np.full(n, np.nan)
        pending = np.flatnonzero(self.cand_count[target] > 0)
        box = self.polys.bbox
        for _ in range(max_rounds):
            if len(pending) == 0:
                break
            t = target[pending]
            pick = self.cand[self.cand_start[t] + (rng.random(len(t)) * self.cand_count[t]).astype(np.int64)]
            cell = pick % gg
            b = box[t]
            cx = b[:, 0] + (cell % g + rng.random(len(t))) * (b[:, 2] - b[:, 0]) / g
            cy = b[:, 1] + (cell // g + rng.random(len(t))) * (b[:, 3] - b[:, 1]) / g
            ok = self.status.reshape(-1)[pick] == _IN
            edge = np.flatnonzero(~ok)
            if len(edge):
                hit = points_in_polygons(cx[edge], cy[edge], t[edge], self.polys)
                sub = edge[hit]
                hit2 = points_in_polygons(cx[sub], cy[sub], self.also_of[t[sub]], self.also)
                ok[sub[hit2]] = True
            x[pending[ok]], y[pending[ok]] = cx[ok], cy[ok]
            pending = pending[~ok]
        return x, y, ~np.isnan(x)


def _touched(polys: Polygons, grid_of_edge, edges, box, g: int, touched: np.ndarray) -> None:
    """Mark in ``touched[feature, cell]`` every cell of feature ``grid_of_edge[k]``'s grid that
    edge ``edges[k]`` of ``polys`` may cross (conservative: each edge is cut into pieces no longer
    than a cell and each piece marks the cells its bbox overlaps)."""
    if len(edges) == 0:
        return
    b = box[grid_of_edge]
    cw = np.maximum((b[:, 2] - b[:, 0]) / g, 1e-12)
    ch = np.maximum((b[:, 3] - b[:, 1]) / g, 1e-12)
    x0, y0, x1, y1 = polys.x0[edges], polys.y0[edges], polys.x1[edges], polys.y1[edges]
    pieces = np.ceil(np.maximum(np.abs(x1 - x0) / cw, np.abs(y1 - y0) / ch)).astype(np.int64) + 1
    too_many = pieces > 20_000
    touched[grid_of_edge[too_many]] = True  # absurdly long edge for this grid: mark it all
    keep = np.flatnonzero(~too_many)
    reps = pieces[keep]
    k = np.repeat(keep, reps)
    step = np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps)
    f0 = step / pieces[k]
    f1 = (step + 1) / pieces[k]
    ax, ay = x0[k] + f0 * (x1[k] - x0[k]), y0[k] + f0 * (y1[k] - y0[k])
    bx, by = x0[k] + f1 * (x1[k] - x0[k]), y0[k] + f1 * (y1[k] - y0[k])
    i0 = np.floor((np.minimum(ax, bx) - b[k, 0]) / cw[k]).astype(np.int64)
    i1 = np.floor((np.maximum(ax, bx) - b[k, 0]) / cw[k]).astype(np.int64)
    j0 = np.floor((np.minimum(ay, by) - b[k, 1]) / ch[k]).astype(np.int64)
    j1 = np.floor((np.maximum(ay, by) - b[k, 1]) / ch[k]).astype(np.int64)
    feat = grid_of_edge[k]
    for di in range(3):
        for dj in range(3):
            i, j = i0 + di, j0 + dj
            m = (i <= i1) & (j <= j1) & (i >= 0) & (i < g) & (j >= 0) & (j < g)
            touched[feat[m], j[m] * g + i[m]] = True


def build_grid_sampler(polys: Polygons, also: Polygons, also_of: np.ndarray, grid: int = 16) -> GridSampler:
    """Precompute the cell classification for every feature of ``polys`` (no randomness)."""
    nf, gg = len(polys.keys), grid * grid
    box = polys.bbox
    valid = ~np.isnan(box[:, 0]) & (also_of >= 0)
    valid &= np.r_[~np.isnan(also.bbox[:, 0]), False][np.where(also_of >= 0, also_of, len(also.keys))]
    touched_p = np.zeros((nf, gg), dtype=bool)
    touched_a = np.zeros((nf, gg), dtype=bool)
    _touched(polys, polys.owner, np.arange(len(polys.owner)), box, grid, touched_p)
    # Edges of each feature's companion, paired with the features whose bbox they overlap.
    feats = np.flatnonzero(valid)
    order = np.argsort(also.owner, kind="stable")
    starts = np.searchsorted(also.owner[order], np.arange(len(also.keys)))
    counts = np.bincount(also.owner, minlength=len(also.keys))
    reps = counts[also_of[feats]]
    pair_f = np.repeat(feats, reps)
    within = np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps)
    pair_e = order[np.repeat(starts[also_of[feats]], reps) + within]
    ex0, ex1 = np.minimum(also.x0[pair_e], also.x1[pair_e]), np.maximum(also.x0[pair_e], also.x1[pair_e])
    ey0, ey1 = np.minimum(also.y0[pair_e], also.y1[pair_e]), np.maximum(also.y0[pair_e], also.y1[pair_e])
    fb = box[pair_f]
    near = (ex1 >= fb[:, 0]) & (ex0 <= fb[:, 2]) & (ey1 >= fb[:, 1]) & (ey0 <= fb[:, 3])
    _touched(also, pair_f[near], pair_e[near], box, grid, touched_a)
    # Cells no edge crosses are wholly inside or wholly outside: their centre decides.
    cf = np.repeat(np.arange(nf), gg)
    cc = np.tile(np.arange(gg), nf)
    safe = np.where(valid, np.arange(nf), 0)
    b = box[safe][cf]
    px = b[:, 0] + (cc % grid + 0.5) * (b[:, 2] - b[:, 0]) / grid
    py = b[:, 1] + (cc // grid + 0.5) * (b[:, 3] - b[:, 1]) / grid
    ok = valid[cf]
    in_p = np.zeros(nf * gg, dtype=bool)
    in_a = np.zeros(nf * gg, dtype=bool)
    idx = np.flatnonzero(ok)
    in_p[idx] = points_in_polygons(px[idx], py[idx], cf[idx], polys)
    in_a[idx] = points_in_polygons(px[idx], py[idx], also_of[cf[idx]], also)
    tp, ta = touched_p.reshape(-1), touched_a.reshape(-1)
    status = np.full(nf * gg, _EDGE, dtype=np.int8)
    status[(~tp & ~in_p) | (~ta & ~in_a) | ~ok] = _OUT
    status[~tp & in_p & ~ta & in_a & ok] = _IN
    cand = np.flatnonzero(status != _OUT)
    cand_start = np.searchsorted(cand // gg, np.arange(nf))
    cand_count = np.bincount(cand // gg, minlength=nf)
    return GridSampler(polys, also, also_of, grid, status.reshape(nf, gg), cand, cand_start, cand_count)
