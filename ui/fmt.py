"""Numbers, percentages and dates as Pantau shows them: ``1.234,5``, ``87,3%``, ``13 Jun 2025``.

The number and date functions live in analytics.textfmt (pure, no Streamlit) because the weekly
review pack's PDF and WhatsApp digests format the same way; this module re-exports them so the UI
imports one formatting module and there is still one definition of each. ``md_escape`` makes text
from files or users safe for ``st.markdown``.
"""

from analytics.textfmt import (  # noqa: F401 - re-exported for the UI
    MISSING,
    MONTHS,
    fmt_date,
    fmt_datetime,
    fmt_days,
    fmt_delta,
    fmt_int,
    fmt_num,
    fmt_pct,
    is_missing,
    round_half_up,
    tz_label,
)


def md_escape(text: object) -> str:
    """Text from files or users made safe for ``st.markdown`` (no emphasis, links, HTML, math)."""
    out = str(text)
    for ch in "\\`*_[]<>#|~$":
        out = out.replace(ch, "\\" + ch)
    return out
