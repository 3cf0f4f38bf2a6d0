"""SLA policies: which stage has which time limit, read from TOML files in ``data/sla/``.

A policy gives each stage (``verifikasi``, ``tindak_lanjut``, ``penyelesaian``) a limit in working
days or in calendar hours, optionally refined per complaint classification and per category.
File format and the shipped policies: docs/metrics.md ("Deadlines") and data/sla/*.toml.

Precedence for one complaint and stage: a category override beats a classification override,
which beats the stage's default limit. Matching ignores case and repeated/outer whitespace.
"""

from __future__ import annotations

import functools
import tomllib
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

POLICY_DIR = Path(__file__).resolve().parents[2] / "data" / "sla"
DEFAULT_POLICY = "sp4n-lapor"
DEFAULT_TZ = "Asia/Jakarta"
# Canonical stage names; analytics.metrics.clock re-exports this tuple (defined here so that a policy file
# can be validated without importing the clock). The first three are the chain a complaint passes
# through, each owned by one office; "respons" (received -> first response) spans the first two
# end to end, for exports that carry no dispatch time. It overlaps the chain, so it is counted
# only where asked for by name (never added to the chain's counts: docs/metrics.md, "Stages").
STAGES: tuple[str, ...] = ("verifikasi", "tindak_lanjut", "penyelesaian", "respons")
CHAIN_STAGES: tuple[str, ...] = STAGES[:3]
END_TO_END = "respons"

_TOP_KEYS = {"name", "label", "description", "timezone", "calendar", "reference", "stages", "freshness"}
_FRESHNESS_KEYS = {"working_days", "sources"}
# The data is stale when a source's newest snapshot is more than this many working days old
# (docs/metrics.md, "How old the data is"); a policy's [freshness] table may change it.
DEFAULT_FRESHNESS_DAYS = 2
_STAGE_KEYS = {"days", "hours", "classifications", "categories", "source_deadline"}
_LIMIT_KEYS = {"days", "hours"}
_Fail = Callable[[str], ValueError]  # builds "<file>: <problem>" errors


@dataclass(frozen=True)
class Limit:
    """One time limit: ``days`` working days or ``hours`` calendar hours (exactly one is set)."""

    days: int | None = None
    hours: float | None = None


@dataclass(frozen=True)
class StageLimit:
    """A stage's limits: ``default`` (None = no limit unless an override matches) plus overrides.

    Overrides are tuples of (key as written in the file, Limit) so the policy stays hashable and
    picklable (Streamlit's cache hashes arguments).
    """

    stage: str
    default: Limit | None
    by_classification: tuple[tuple[str, Limit], ...] = ()
    by_category: tuple[tuple[str, Limit], ...] = ()
    # True: where the source set a deadline for the complaint (its due_at), that is this stage's
    # deadline; the limits above apply where it set none.
    source_deadline: bool = False


@dataclass(frozen=True)
class FreshnessRule:
    """How old each source's newest snapshot may be, in working days, before the data is stale.

    ``sources`` are (source as in import_batches.source, working days) pairs, a tuple so the
    policy stays hashable; a source not listed gets ``working_days``.
    """

    working_days: int = DEFAULT_FRESHNESS_DAYS
    sources: tuple[tuple[str, int], ...] = ()

    def threshold(self, source: str) -> int:
        """Working days ``source``'s newest snapshot may be old before it is stale."""
        return dict(self.sources).get(source, self.working_days)


@dataclass(frozen=True)
class SlaPolicy:
    """A named set of stage limits. ``calendar`` is an optional calendar override file."""

    name: str
    label: str
    description: str
    stages: tuple[StageLimit, ...]
    timezone: str = DEFAULT_TZ
    calendar: Path | None = None
    reference: str = ""
    path: Path | None = None
    freshness: FreshnessRule = FreshnessRule()

    def stage(self, stage: str) -> StageLimit | None:
        """The limits for ``stage``, or None when this policy does not time it."""
        return next((s for s in self.stages if s.stage == stage), None)


def list_policies() -> list[str]:
    """Names of the policies shipped in ``POLICY_DIR`` (file stems), sorted."""
    return sorted(p.stem for p in POLICY_DIR.glob("*.toml"))


def load_policy(name_or_path: str | Path | None = None) -> SlaPolicy:
    """Load a policy by name (``sp4n-lapor``), by file path, or the default when None.

    A string counts as a path when it ends in ``.toml`` or contains a path separator. Raises
    ``ValueError`` for an unknown name (listing the valid ones) or a bad file (naming the file and
    the problem).
    """
    if name_or_path is None:
        name_or_path = DEFAULT_POLICY
    if isinstance(name_or_path, Path) or _looks_like_path(name_or_path):
        return _read_once(Path(name_or_path))
    path = POLICY_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        raise ValueError(
            f"unknown SLA policy {name_or_path!r}; valid: {', '.join(list_policies())}"
        )
    policy = _read_once(path)
    if policy.name != name_or_path:
        raise ValueError(f"{path}: name = {policy.name!r} must match the file name")
    return policy


def _read_once(path: Path) -> SlaPolicy:
    """The policy in ``path``, read once per version of the file: a page and the review pack ask
    for it several times, and an edited file must still be read again."""
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = None  # missing: _read_policy names the file in its error
    return _read_at(str(path.resolve()), stamp)


@functools.lru_cache(maxsize=32)
def _read_at(path: str, stamp: int | None) -> SlaPolicy:
    del stamp  # only part of the cache key
    return _read_policy(Path(path))


def stage_limits(
    policy: SlaPolicy, stage: str, classification: pd.Series, category: pd.Series
) -> tuple[np.ndarray, np.ndarray]:
    """Per-row limits for ``stage``: (days, hours) float arrays, NaN where not set.

    At most one of the two is set in a row; both NaN means the stage has no limit for that
    complaint. Vectorised: overrides are looked up once per distinct value.
    """
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; valid: {', '.join(STAGES)}")
    n = len(classification)
    if len(category) != n:
        raise ValueError("stage_limits: classification and category differ in length")
    days = np.full(n, np.nan)
    hours = np.full(n, np.nan)
    limits = policy.stage(stage)
    if limits is None:
        return days, hours
    if limits.default is not None:
        days[:], hours[:] = _as_pair(limits.default)
    # Lowest precedence first, so the later assignment wins.
    for values, overrides in (
        (classification, limits.by_classification),
        (category, limits.by_category),
    ):
        if not overrides:
            continue  # skip the factorize: most policies have no overrides
        lookup = {_norm(k): lim for k, lim in overrides}
        codes, uniques = pd.factorize(values)
        # One slot per distinct value plus a last, never-matching slot that code -1 (missing)
        # indexes: the per-row work is then three takes, whatever the number of categories.
        hit = np.zeros(len(uniques) + 1, dtype=bool)
        u_days = np.full(len(uniques) + 1, np.nan)
        u_hours = np.full(len(uniques) + 1, np.nan)
        for i, value in enumerate(uniques):
            lim = lookup.get(_norm(value))
            if lim is not None:
                hit[i] = True
                u_days[i], u_hours[i] = _as_pair(lim)
        row_hit = hit[codes]
        days = np.where(row_hit, u_days[codes], days)
        hours = np.where(row_hit, u_hours[codes], hours)
    return days, hours


def _as_pair(lim: Limit) -> tuple[float, float]:
    return (np.nan if lim.days is None else lim.days, np.nan if lim.hours is None else lim.hours)


def _norm(value: object) -> str:
    """Matching key: case-folded, whitespace collapsed ("  permintaan  INFORMASI")."""
    return " ".join(str(value).split()).casefold()


def _looks_like_path(value: str) -> bool:
    return value.endswith(".toml") or "/" in value or "\\" in value


def _read_policy(path: Path) -> SlaPolicy:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{path}: SLA policy file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not valid TOML: {exc}") from None

    def fail(problem: str) -> ValueError:
        return ValueError(f"{path}: {problem}")

    unknown = set(doc) - _TOP_KEYS
    if unknown:
        raise fail(f"unknown key(s) {sorted(unknown)}; allowed: {sorted(_TOP_KEYS)}")
    for key in ("name", "label", "description"):
        if not isinstance(doc.get(key), str) or not doc[key].strip():
            raise fail(f"{key} must be a non-empty string")
    timezone = doc.get("timezone", DEFAULT_TZ)
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise fail(f"unknown timezone {timezone!r} (use an IANA name like Asia/Jakarta)") from None

    calendar = None
    if "calendar" in doc:
        if not isinstance(doc["calendar"], str):
            raise fail("calendar must be a path string")
        # Relative to the policy file, so a policy and its calendar can travel together.
        calendar = (path.parent / doc["calendar"]).resolve()
        if not calendar.is_file():
            raise fail(f"calendar file {calendar} not found")

    stages_doc = doc.get("stages", {})
    if not isinstance(stages_doc, dict) or not stages_doc:
        raise fail("needs at least one [stages.<stage>] table")
    stages = tuple(_read_stage(name, body, fail) for name, body in stages_doc.items())
    return SlaPolicy(
        name=doc["name"],
        label=doc["label"],
        description=doc["description"].strip(),
        stages=stages,
        timezone=timezone,
        calendar=calendar,
        reference=str(doc.get("reference", "")).strip(),
        path=path.resolve(),
        freshness=_read_freshness(doc.get("freshness", {}), fail),
    )


def _read_freshness(body: object, fail: _Fail) -> FreshnessRule:
    """The optional ``[freshness]`` table: ``working_days = 2`` and ``[freshness.sources]``
    ``lapor-aa-bupati = 1`` (whole working days, >= 0)."""
    if not isinstance(body, dict):
        raise fail("[freshness] must be a table")
    unknown = set(body) - _FRESHNESS_KEYS
    if unknown:
        raise fail(f"[freshness]: unknown key(s) {sorted(unknown)}; allowed: {sorted(_FRESHNESS_KEYS)}")

    def days(value: object, where: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise fail(f"{where} must be a whole number of working days >= 0, got {value!r}")
        return value

    default = days(body.get("working_days", DEFAULT_FRESHNESS_DAYS), "[freshness] working_days")
    sources = body.get("sources", {})
    if not isinstance(sources, dict):
        raise fail('[freshness.sources] must be a table of "source" = working days')
    pairs = tuple(sorted((str(k), days(v, f"[freshness.sources] {k!r}")) for k, v in sources.items()))
    return FreshnessRule(working_days=default, sources=pairs)


def _read_stage(name: str, body: object, fail: _Fail) -> StageLimit:
    where = f"[stages.{name}]"
    if name not in STAGES:
        raise fail(f"unknown stage {where}; valid: {', '.join(STAGES)}")
    if not isinstance(body, dict):
        raise fail(f"{where} must be a table")
    unknown = set(body) - _STAGE_KEYS
    if unknown:
        raise fail(f"{where}: unknown key(s) {sorted(unknown)}")
    default = _read_limit({k: body[k] for k in _LIMIT_KEYS & set(body)}, where, fail, True)
    overrides = []
    for table in ("classifications", "categories"):
        entries = body.get(table, {})
        if not isinstance(entries, dict):
            raise fail(f"{where}.{table} must be a table of \"value\" = {{ days = N }}")
        seen: dict[str, str] = {}
        pairs = []
        for key, value in entries.items():
            if _norm(key) in seen:
                raise fail(f"{where}.{table}: {key!r} repeats {seen[_norm(key)]!r}")
            seen[_norm(key)] = key
            pairs.append((key, _read_limit(value, f"{where}.{table}.{key!r}", fail, False)))
        overrides.append(tuple(pairs))
    if default is None and not any(overrides):
        raise fail(f"{where} sets no limit: give days or hours")
    source = body.get("source_deadline", False)
    if not isinstance(source, bool):
        raise fail(f"{where}: source_deadline must be true or false, got {source!r}")
    return StageLimit(name, default, overrides[0], overrides[1], source_deadline=source)


def _read_limit(value: object, where: str, fail: _Fail, optional: bool) -> Limit | None:
    if not isinstance(value, dict):
        raise fail(f"{where} must be a table like {{ days = 5 }} or {{ hours = 24 }}")
    unknown = set(value) - _LIMIT_KEYS
    if unknown:
        raise fail(f"{where}: unknown key(s) {sorted(unknown)}")
    if not value:
        if optional:
            return None
        raise fail(f"{where} needs days or hours")
    if len(value) == 2:
        raise fail(f"{where} has both days and hours; give one")
    days, hours = value.get("days"), value.get("hours")
    # bool is an int subclass: `days = true` is a typo, not 1 day.
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 0):
        raise fail(f"{where}: days must be a whole number >= 0, got {days!r}")
    if hours is not None and (
        isinstance(hours, bool) or not isinstance(hours, (int, float)) or not 0 < hours < 1e6
    ):
        raise fail(f"{where}: hours must be a number > 0, got {hours!r}")
    return Limit(days=days, hours=None if hours is None else float(hours))
