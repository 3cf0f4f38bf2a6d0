#!/usr/bin/env bash
# Create .venv and install the pinned requirements; re-installs only when a requirements file
# changed. Usage: scripts/setup.sh [dev]   ("dev" adds the test tools, and the npm packages of the
# OpenID Connect provider the browser login tests start: tests/browser/oidc, from its lock file).
set -euo pipefail
cd "$(dirname "$0")/.."
want="requirements.txt"
[ "${1:-}" = "dev" ] && want="requirements-dev.txt"
py="${PYTHON:-}"
if [ -z "$py" ]; then
  for cand in python3.13 python3.12 python3.11 python3; do
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
      py="$cand"; break
    fi
  done
fi
[ -n "$py" ] || { echo "Pantau needs Python 3.11 or newer (streamlit 1.67, duckdb 2.0 and pandas 3 require it)." >&2; exit 1; }
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $py"
  "$py" -m venv .venv
fi
stamp=".venv/.pantau-$(basename "$want" .txt).sha"
sum=$(cat requirements.txt "$want" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
  echo "==> installing $want"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$want"
  echo "$sum" > "$stamp"
fi
if [ "${1:-}" = "dev" ]; then
  # The real identity provider for tests/browser/test_login.py (panva/oidc-provider), installed
  # exactly as locked into the git-ignored tests/browser/oidc/node_modules; again only when the
  # lock file changed (the same stamp tests/browser/oidc_provider.py checks).
  oidc="tests/browser/oidc"
  lock_sum=$(sha256sum "$oidc/package-lock.json" | cut -d' ' -f1)
  if [ "$(cat "$oidc/node_modules/.pantau-lock.sha" 2>/dev/null)" != "$lock_sum" ]; then
    if command -v npm >/dev/null 2>&1; then
      echo "==> installing the test OpenID Connect provider (npm ci in $oidc)"
      (cd "$oidc" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
      echo "$lock_sum" > "$oidc/node_modules/.pantau-lock.sha"
    else
      echo "!! npm not found: the browser login tests need Node.js 20+ and npm (they are skipped without)" >&2
    fi
  fi
fi
