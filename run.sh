#!/usr/bin/env bash
# One command from a fresh clone: set up, load the demo regency if the store is empty, and start
# the dashboard at http://localhost:8501. Extra arguments go to `streamlit run`.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
.venv/bin/python -m analytics demo --if-empty
# app.py is the dashboard (dashboard.py) behind Pantau's HTTP guard (ui/guard.py, docs/security.md).
exec .venv/bin/python -m streamlit run app.py --browser.gatherUsageStats=false "$@"
