"""Shared filter widgets: they live in the URL (deep links) and persist across pages.

Every widget has a fixed key, which is also its URL parameter (``?periode=bulan&unit=DINKES``),
and ``persist_state="session"``. URL values are stable codes (period codes, ISO dates, unit codes,
policy names), never display text; a value equal to the default is left out of the URL and an
unknown one is ignored (the default applies).

Why not ``bind="query-params"`` everywhere: in Streamlit 1.67 a bound selectbox or segmented
control puts the *formatted label* in the URL (``?periode=Bulan+ini``), which changes with the
language and with unit renames. So code-valued widgets sync the URL themselves (``coded``):
the URL seeds the value on a session's first run, and every run writes the code back. Date inputs
have no labels to format, so they use ``bind="query-params"`` (ISO dates).

Render each widget at most once per run (a key can only appear once). The pure part
(``period_label``) is unit-tested; the periods themselves are analytics.rules.periods.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from analytics.rules.periods import DEFAULT_PRESET, PRESETS, Period, resolve_period
from analytics.rules.policy import CHAIN_STAGES, DEFAULT_POLICY, END_TO_END, SlaPolicy, list_policies, load_policy
from ui import fmt
from ui.i18n import DEFAULT_LANG, LANG_KEY, LANGS, MESSAGES, current_lang, option_labels, t

# URL parameter names = widget keys. Changing one breaks links people have saved.
PERIOD_KEY, FROM_KEY, TO_KEY = "periode", "dari", "sampai"
UNIT_KEY = "unit"
POLICY_KEY = "kebijakan"
SETTINGS_KEY = "pengaturan"  # the settings button of filter_row (not in the URL)

ALL_UNITS = "semua"
# How far back a custom range may start: older than the store's data is pointless and a date
# picker that scrolls through decades is unusable on a phone.
CUSTOM_YEARS_BACK = 10


def period_label(period: Period, lang: str = "id") -> str:
    """``1 Nov 2025 – 20 Nov 2025`` (one date when start == end)."""
    a, b = fmt.fmt_date(period.start, lang=lang), fmt.fmt_date(period.end, lang=lang)
    return a if a == b else f"{a} – {b}"


def coded(
    widget: Callable[..., object],
    label: str,
    options: Sequence[str],
    *,
    key: str,
    default: str,
    format_func: Callable[[object], str],
    **kwargs: object,
) -> str:
    """Draw a single-choice widget over string codes whose URL parameter (= ``key``) holds the
    code: ``coded(st.selectbox, "Unit", codes, key="unit", default="semua", format_func=...)``.

    The URL value seeds the widget the first time a session meets ``key``; a value that is not
    one of ``options`` is ignored. ``format_func`` must be picklable (``option_labels`` or a
    ``functools.partial`` of a module-level function). Works with st.selectbox, st.radio,
    st.segmented_control and st.pills (single selection).
    """
    options = list(options)
    if key not in st.session_state or st.session_state[key] not in options:
        wanted = st.query_params.get(key)
        st.session_state[key] = wanted if wanted in options else default
    else:
        # Re-assign: a keyed widget first drawn on a newly switched-to page otherwise shows its
        # first option although session_state holds a valid value (seen in Chromium: a tap from
        # Ringkasan to a unit switched the SLA policy to the first in the list).
        st.session_state[key] = st.session_state[key]
    value = widget(label, options, key=key, format_func=format_func, persist_state="session", **kwargs)
    if value is None or value not in options:  # deselected (segmented control without required)
        value = default
    if value == default:
        st.query_params.pop(key, None)
    elif st.query_params.get(key) != value:
        st.query_params[key] = value
    return str(value)


def language_switch() -> str:
    """The language control in the sidebar: Indonesia / English, URL ``?lang=en``."""
    return coded(
        st.segmented_control, t("lang.label"), LANGS, key=LANG_KEY, default=DEFAULT_LANG,
        format_func=option_labels("lang."),  # "Indonesia" / "English" in both catalogs
        required=True,
    )


def _period_option(lang: str | None, compact: bool, code: str) -> str:
    if compact and code == "custom":  # an icon: the four buttons and the settings button share a 390 px row
        return ":material/date_range:"
    return t(f"widget.period.{code}", lang=lang)


def _period_buttons(lang: str | None, *, compact: bool = False) -> str:
    return coded(
        st.segmented_control, t("widget.period", lang=lang), PRESETS, key=PERIOD_KEY, default=DEFAULT_PRESET,
        format_func=functools.partial(_period_option, lang, compact), required=True, label_visibility="collapsed",
    )


def _period_from(code: str, today: date, lang: str | None) -> Period:
    """The period of ``code``; for "custom" two date inputs (``?dari=&sampai=``) are drawn here."""
    start = end = None
    if code == "custom":
        lo = date(today.year - CUSTOM_YEARS_BACK, 1, 1)
        left, right = st.columns(2, wrap=False)
        start = left.date_input(
            t("widget.period.from", lang=lang), value=today - timedelta(days=29), min_value=lo,
            max_value=today, format="DD/MM/YYYY", key=FROM_KEY, bind="query-params", persist_state="session",
        )
        end = right.date_input(
            t("widget.period.to", lang=lang), value=today, min_value=lo, max_value=today,
            format="DD/MM/YYYY", key=TO_KEY, bind="query-params", persist_state="session",
        )
    return resolve_period(code, today, start, end)


def period_picker(today: date, *, lang: str | None = None) -> Period:
    """Segmented control: minggu ini / bulan ini / 30 hari / pilih tanggal (+ two date inputs).

    URL: ``?periode=bulan``; a custom range ``?periode=custom&dari=2025-06-01&sampai=2025-06-30``.
    ``today`` is the reference day (use ``ctx.today``: the data's latest day, not the clock).
    """
    period = _period_from(_period_buttons(lang), today, lang)
    st.caption(period_label(period, lang or "id"))
    return period


def filter_row(
    today: date, *, lang: str | None = None, settings: Callable[[], object] | None = None,
) -> tuple[Period, SlaPolicy, object]:
    """A page's controls in one phone row: the period buttons (the custom range as a calendar
    icon) and a settings button (:material/tune:) that opens the SLA policy and ``settings()``,
    the page's own rarer controls, drawn inside it. Under the row one caption line names the
    dates and the policy (its full label in the tooltip).

    Returns (period, policy, whatever ``settings()`` returned). URL keys as period_picker and
    policy_selector.
    """
    with st.container(horizontal=True, vertical_alignment="center", gap="xsmall"):
        code = _period_buttons(lang, compact=True)
        box = st.popover("", icon=":material/tune:", help=t("widget.settings", lang=lang), key=SETTINGS_KEY,
                         type="tertiary")
    with box:
        policy = policy_selector(lang=lang)
        extra = settings() if settings else None
    period = _period_from(code, today, lang)
    st.caption(t("widget.period_policy", lang=lang, period=period_label(period, lang or "id"),
                 policy=policy_name(policy)), help=fmt.md_escape(policy_label(policy, lang)))
    return period, policy, extra


def unit_selector(
    units: pd.DataFrame | Sequence[tuple[str, str]], *, lang: str | None = None, label_key: str = "widget.unit"
) -> str | None:
    """Selectbox of units; returns the unit code, or None for "all units".

    ``units``: a frame with columns code, name (e.g. ``ctx.query(screens.units_in_store)``)
    or (code, name) pairs. URL: ``?unit=DINKES``.
    """
    if isinstance(units, pd.DataFrame):
        pairs = list(zip(units["code"].astype("str"), units["name"].fillna(units["code"]).astype("str")))
    else:
        pairs = [(str(c), str(n)) for c, n in units]
    names = dict(pairs)
    choice = coded(
        st.selectbox, t(label_key, lang=lang), [ALL_UNITS, *names], key=UNIT_KEY, default=ALL_UNITS,
        format_func=functools.partial(_unit_label, names, lang),
    )
    return None if choice == ALL_UNITS else choice


def _unit_label(names: dict[str, str], lang: str | None, code: str) -> str:
    return t("widget.unit.all", lang=lang) if code == ALL_UNITS else names.get(code, code)


def policy_name(policy: SlaPolicy) -> str:
    """The policy's name as people say it: its label before the limits ("SP4N-LAPOR!")."""
    return policy.label.split(" (", 1)[0].strip() or policy.name


def policy_label(policy: SlaPolicy, lang: str | None = None) -> str:
    """The policy's label in the page language. Indonesian: the label its file gives. English:
    the translation in ui/messages/policy.py (``policy.label.<name>``), or for a policy file
    without one, its name and its limits in words ("verification 3 working days, ...")."""
    lang = lang if lang in LANGS else current_lang()
    if lang == DEFAULT_LANG:
        return policy.label
    return MESSAGES[lang].get(f"policy.label.{policy.name}") or _label_from_limits(policy, lang)


def _label_from_limits(policy: SlaPolicy, lang: str) -> str:
    parts = []
    for stage in policy.stages:
        if stage.stage not in CHAIN_STAGES:
            continue
        name = t(f"policy.stage.{stage.stage}", lang=lang)
        days = sorted({lim.days for _, lim in stage.by_classification if lim.days is not None}
                      | ({stage.default.days} if stage.default and stage.default.days is not None else set()))
        if stage.by_classification and days:
            parts.append(t("policy.limit.classified", lang=lang, stage=name, days="/".join(map(str, days))))
        elif stage.default is not None:
            parts.append(f"{name} {fmt.fmt_limit(stage.default.days, stage.default.hours, lang=lang)}")
    respons = policy.stage(END_TO_END)
    if not parts and respons is not None and respons.default is not None:
        parts.append(t("policy.limit.respons", lang=lang,
                       limit=fmt.fmt_limit(respons.default.days, respons.default.hours, lang=lang)))
    return f"{policy_name(policy)} ({', '.join(parts)})" if parts else policy_name(policy)


def _policy_label(lang: str | None, name: str) -> str:
    try:
        return policy_label(load_policy(name), lang)
    except ValueError:
        return name


def policy_selector(*, lang: str | None = None) -> SlaPolicy:
    """Selectbox of the SLA policies in data/sla (default "sp4n-lapor"); returns the loaded policy,
    the one shape a policy has from here down (loaded once per file version, cached). The options
    read in the page language (policy_label).

    URL: ``?kebijakan=permenpan-62-2018`` (the policy's name).
    """
    names = list_policies()
    default = DEFAULT_POLICY if DEFAULT_POLICY in names else (names[0] if names else DEFAULT_POLICY)
    name = coded(
        st.selectbox, t("widget.policy", lang=lang), names, key=POLICY_KEY, default=default,
        format_func=functools.partial(_policy_label, lang),
        filter_mode=None,  # a handful of options: no search box, so no phone keyboard pops up
    )
    return load_policy(name)
