"""Numbers, percentages and dates as Pantau shows them: ``1.234,5``, ``87,3%``, ``13 Jun 2025``.

The number and date functions live in analytics.textfmt (pure, no Streamlit) because the weekly
review pack's PDF and WhatsApp digests format the same way; this module re-exports them so the UI
imports one formatting module and there is still one definition of each. ``metric_text`` is the
one way a registry metric's value becomes text (by its unit), and ``md_escape`` makes text from
files or users safe for ``st.markdown``.
"""

import re

from analytics.metrics.registry import METRICS
from analytics.textfmt import (  # noqa: F401 - re-exported for the UI
    MISSING,
    MONTHS,
    fmt_date,
    fmt_datetime,
    fmt_days,
    fmt_delta,
    fmt_int,
    fmt_limit,
    fmt_num,
    fmt_pct,
    is_missing,
    round_half_up,
    tz_label,
)

# Streamlit's markdown (GitHub-flavoured) turns a bare "http://...", "www.x.y" or "a@b.id" into a
# clickable link, escaped or not (the links are found in the text after escapes are resolved). An
# invisible WORD JOINER after the scheme, the "www" or the "@" breaks the pattern; the text reads
# and wraps the same.
_AUTOLINK = re.compile(r"(?i)(?:https?|ftp)(?=:)|www(?=\.)|@")
WORD_JOINER = "\u2060"


def md_escape(text: object) -> str:
    """Text from files, users, URL parameters or the identity provider made plain for
    ``st.markdown`` and the alert boxes: no emphasis, links (written or bare: URLs and e-mail
    addresses stay text), HTML or math."""
    out = str(text)
    for ch in "\\`*_[]<>#|~$":
        out = out.replace(ch, "\\" + ch)
    return _AUTOLINK.sub(lambda m: m.group(0) + WORD_JOINER, out)


def metric_text(name: str, value: object, lang: str = "id", *, days_word: bool = False) -> str:
    """A registry metric's value as text, by its unit: count and rank ``1.234``, pct ``87,3%``,
    days ``1,5`` (``1,5 hari`` with ``days_word``), rating and score ``4,4``; missing ``–``.
    A name outside the registry counts as a count."""
    unit = METRICS[name].unit if name in METRICS else "count"
    if unit == "pct":
        return fmt_pct(value, lang=lang)
    if unit in ("count", "rank"):
        return fmt_int(value, lang=lang)
    if unit == "days" and days_word:
        return fmt_days(value, lang=lang)
    return fmt_num(value, 1, lang=lang)
