#!/usr/bin/env bash
# One command from a fresh clone: set up (venv, test tools, Debian Chromium for the phone-view
# tests) and run the whole test suite. Extra arguments go to pytest (e.g. -k sla, -m "not browser").
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh dev
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing Debian chromium for the browser tests"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core >/dev/null
  else
    echo "!! /usr/bin/chromium missing and not root: run 'sudo apt-get install -y chromium' for the browser tests" >&2
  fi
fi
echo "==> ruff check"
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
