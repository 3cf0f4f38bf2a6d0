"""Fair ranking: volume rule, Bayesian shrinkage, composite score, tiers, funnel limits.

Why shrinkage and not the Wilson lower bound (docs/metrics.md, "Fair ranking"): Wilson's bound
always ranks a small unit below a large unit with the same rate, so it punishes small kecamatan
offices for being small. Shrinkage toward the regency rate treats them symmetrically: a small
unit's extreme rate (3 of 3 on time, or 0 of 3) is pulled toward the regency's, a large unit
keeps its own, and neither direction is favoured.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

RANKING_FILE = Path(__file__).resolve().parents[2] / "data" / "ranking.toml"
Z95, Z998 = 1.959964, 3.090232  # two-sided 95% and 99.8% normal quantiles


@dataclass(frozen=True)
class RankingSettings:
    min_decided: int = 10
    prior_strength: float = 20.0
    weights: dict[str, float] = field(
        default_factory=lambda: {"on_time": 0.5, "response": 0.2, "backlog": 0.2, "rating": 0.1}
    )
    tiers: dict[str, float] = field(default_factory=lambda: {"A": 85.0, "B": 70.0})


def load_ranking_settings(path: str | Path | None = None) -> RankingSettings:
    path = Path(path) if path else RANKING_FILE
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"ranking settings {path}: {exc}") from exc
    base = RankingSettings()
    weights = {k: float(v) for k, v in doc.get("weights", base.weights).items()}
    unknown = set(weights) - set(base.weights)
    if unknown or any(w < 0 for w in weights.values()):
        raise ValueError(f"ranking settings {path}: weights must be non-negative, of {', '.join(base.weights)}")
    return RankingSettings(
        min_decided=int(doc.get("min_decided", base.min_decided)),
        prior_strength=float(doc.get("prior_strength", base.prior_strength)),
        weights=weights,
        tiers={k: float(v) for k, v in doc.get("tiers", base.tiers).items()},
    )


def shrunk_rate(on_time: pd.Series, decided: pd.Series, regency_rate: float, strength: float) -> pd.Series:
    """(on_time + m·p0) / (decided + m): the on-time rate pulled toward the regency rate p0."""
    if not np.isfinite(regency_rate):
        return pd.Series(np.nan, index=on_time.index)
    return (on_time + strength * regency_rate) / (decided + strength)


def response_component(median_days: pd.Series, limit_days: float) -> pd.Series:
    """1 for an instant response, 0.5 at the limit, 0 at twice the limit or slower."""
    return (1 - median_days / (2 * limit_days)).clip(0, 1)


def composite_score(components: pd.DataFrame, weights: dict[str, float]) -> pd.Series:
    """Weighted mean (×100) of the components a unit has; missing ones are left out and the
    remaining weights rescaled, so a unit without ratings is not scored as if rated zero."""
    w = pd.Series(weights, dtype=float).reindex(components.columns).fillna(0.0)
    present = components.notna()
    num = (components.fillna(0) * w).sum(axis=1)
    den = (present * w).sum(axis=1)
    return (100 * num / den).where(den > 0)


def tier_of(score: pd.Series, tiers: dict[str, float]) -> pd.Series:
    out = pd.Series("C", index=score.index, dtype="str")
    for name, floor in sorted(tiers.items(), key=lambda kv: kv[1]):
        out = out.mask(score >= floor, name)
    return out.where(score.notna())


def funnel_flag(on_time: pd.Series, decided: pd.Series, p0: float) -> pd.Series:
    """Where a unit's on-time rate sits against the regency's funnel limits for its volume:
    "atas_99_8", "atas_95", "dalam", "bawah_95", "bawah_99_8" (NA without decided stages)."""
    n = decided.astype(float)
    sd = np.sqrt(p0 * (1 - p0) / n.where(n > 0))
    z = (on_time / n.where(n > 0) - p0) / sd.where(sd > 0)
    flag = pd.Series("dalam", index=on_time.index, dtype="str")
    flag = flag.mask(z > Z95, "atas_95").mask(z > Z998, "atas_99_8")
    flag = flag.mask(z < -Z95, "bawah_95").mask(z < -Z998, "bawah_99_8")
    return flag.where(n > 0)


def funnel_limits(p0: float, n_max: int, points: int = 200) -> pd.DataFrame:
    """Control limits of an on-time rate p0 for volumes 1..n_max: columns n, lo95, hi95, lo998, hi998."""
    n = np.unique(np.round(np.geomspace(1, max(n_max, 2), points)).astype(int))
    sd = np.sqrt(p0 * (1 - p0) / n)
    return pd.DataFrame(
        {
            "n": n,
            "lo95": np.clip(p0 - Z95 * sd, 0, 1),
            "hi95": np.clip(p0 + Z95 * sd, 0, 1),
            "lo998": np.clip(p0 - Z998 * sd, 0, 1),
            "hi998": np.clip(p0 + Z998 * sd, 0, 1),
        }
    )


def rank_table(metrics: pd.DataFrame, settings: RankingSettings, regency_rate: float, limit_days: float) -> pd.DataFrame:
    """Add adjusted_on_time_rate, score, ranked, rank, tier and funnel to a group-metrics frame."""
    t = metrics.copy()
    t["adjusted_on_time_rate"] = shrunk_rate(t["on_time"], t["decided"], regency_rate, settings.prior_strength)
    backlog = 1 - t["open_overdue"] / t["decided"].where(t["decided"] > 0)
    rating = (t["mean_rating"] - 1) / 4
    components = pd.DataFrame(
        {
            "on_time": t["adjusted_on_time_rate"].where(t["decided"] > 0),
            "response": response_component(t["median_response_days"], limit_days),
            "backlog": backlog,
            "rating": rating,
        }
    )
    t["score"] = composite_score(components, settings.weights).round(1)
    t["ranked"] = (t["decided"] >= settings.min_decided) & t["score"].notna()
    t["rank"] = t["score"].where(t["ranked"]).rank(ascending=False, method="min").astype("Int64")
    t["tier"] = tier_of(t["score"], settings.tiers).where(t["ranked"])
    t["funnel"] = funnel_flag(t["on_time"], t["decided"], regency_rate) if np.isfinite(regency_rate) else pd.NA
    return t
