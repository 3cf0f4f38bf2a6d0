#!/usr/bin/env bash
# One command from a fresh clone: set up (venv, test tools, Debian Chromium for the phone-view
# tests, Debian Caddy for the production setup) and run the whole test suite. Extra arguments go to
# pytest (e.g. -k sla, -m "not browser").
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh dev
# Debian packages for the browser tests: chromium (the phone), and caddy (the production setup,
# deploy/serve.sh, tests/browser/test_production.py).
need=()
[ -x /usr/bin/chromium ] || need+=(chromium fonts-noto-core)
command -v caddy >/dev/null 2>&1 || need+=(caddy)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing Debian ${need[*]} for the browser tests"
    if ! { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; }; then
      echo "!! could not install ${need[*]}: the tests that need them skip (under CI they fail)" >&2
    fi
  else
    echo "!! ${need[*]} missing and not root: run 'sudo apt-get install -y ${need[*]}' for the browser tests" >&2
  fi
fi
echo "==> ruff check"
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
