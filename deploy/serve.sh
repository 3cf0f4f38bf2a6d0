#!/usr/bin/env bash
# Pantau's production setup on one machine, one command: the dashboard (`streamlit run app.py`,
# loopback only) behind Caddy from Debian (HTTPS, HTTP/2, compressed and year-cached static files,
# the websocket, a health check). Stops both on Ctrl-C or SIGTERM. docs/deploy.md has the details,
# and the systemd units that do the same on a server (deploy/pantau.service, pantau-proxy.service).
#
#   PANTAU_DB=data/kabupaten.duckdb deploy/serve.sh          # https://127.0.0.1:8443, self-signed
#   PANTAU_DOMAIN=pantau.bekasikab.go.id PANTAU_ACME_EMAIL=diskominfo@bekasikab.go.id \
#     PANTAU_DB=/var/lib/pantau/pantau.duckdb deploy/serve.sh   # ports 80/443, Let's Encrypt
#
# Settings (environment):
#   PANTAU_DB              the store (default: the dashboard's own, data/pantau.duckdb)
#   PANTAU_HTTPS_PORT      HTTPS port (default 8443; 443 with PANTAU_DOMAIN)
#   PANTAU_HTTP_PORT       with PANTAU_DOMAIN: plain HTTP, redirected to HTTPS, and the ACME
#                          challenge (default 80); without, nothing listens on plain HTTP
#   PANTAU_BIND            listen address (default 127.0.0.1; 0.0.0.0 with PANTAU_DOMAIN)
#   PANTAU_STREAMLIT_PORT  Streamlit's loopback port behind the proxy (default 8501)
#   PANTAU_DOMAIN, PANTAU_ACME_EMAIL   a public domain: a Let's Encrypt certificate, renewed by Caddy
#   PANTAU_TLS_CERT, PANTAU_TLS_KEY    a certificate of your own (PEM) instead of the self-signed one
#   PANTAU_TLS_NAMES       extra names for the self-signed certificate, e.g. "IP:10.0.0.5,DNS:pantau.lan"
#   PANTAU_STATE_DIR       certificate, Caddy's data, logs (default deploy/.state)
#   PANTAU_STATIC_CACHE    the precompressed frontend files (default $PANTAU_STATE_DIR/static)
#   PANTAU_CADDY           the caddy program (default: caddy on PATH; Debian: apt-get install caddy)
#   PANTAU_PYTHON          the dashboard's Python (default .venv/bin/python, set up by scripts/setup.sh)
# Extra arguments go to `streamlit run`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

caddy_bin=${PANTAU_CADDY:-caddy}
if ! command -v "$caddy_bin" >/dev/null 2>&1; then
  echo "serve.sh: caddy not found. Install Debian's: sudo apt-get install -y caddy (docs/deploy.md)" >&2
  exit 2
fi
# The dashboard's Python: PANTAU_PYTHON, or the clone's .venv (made by scripts/setup.sh if missing).
py=${PANTAU_PYTHON:-$root/.venv/bin/python}
[ -x "$py" ] || { bash scripts/setup.sh; py="$root/.venv/bin/python"; }

state=${PANTAU_STATE_DIR:-$root/deploy/.state}
mkdir -p "$state"
state=$(cd "$state" && pwd)
static_cache=${PANTAU_STATIC_CACHE:-$state/static}
st_port=${PANTAU_STREAMLIT_PORT:-8501}

if [ -n "${PANTAU_DOMAIN:-}" ]; then
  : "${PANTAU_ACME_EMAIL:?PANTAU_DOMAIN needs PANTAU_ACME_EMAIL, the address the certificate authority writes to}"
  https_port=${PANTAU_HTTPS_PORT:-443}
  http_port=${PANTAU_HTTP_PORT:-80}
  bind=${PANTAU_BIND:-0.0.0.0}
  site=$PANTAU_DOMAIN
  [ "$https_port" = 443 ] || site="$PANTAU_DOMAIN:$https_port"
  tls=$PANTAU_ACME_EMAIL
  public="https://$site"
  auto_https=ignore_loaded_certs  # the Caddyfile's default: redirects on, certificates managed
else
  https_port=${PANTAU_HTTPS_PORT:-8443}
  http_port=${PANTAU_HTTP_PORT:-8080}  # unused: no redirects in local mode
  bind=${PANTAU_BIND:-127.0.0.1}
  site="https://:$https_port"
  if [ -n "${PANTAU_TLS_CERT:-}" ]; then
    tls="\"$PANTAU_TLS_CERT\" \"${PANTAU_TLS_KEY:?PANTAU_TLS_CERT needs PANTAU_TLS_KEY}\""
  else
    # A self-signed certificate for this machine (browsers warn once; for tests and a closed
    # network). Renewed when less than a week is left; delete $PANTAU_STATE_DIR/tls to remake it
    # (e.g. after changing PANTAU_TLS_NAMES).
    cert="$state/tls/selfsigned.pem" key="$state/tls/selfsigned-key.pem"
    if ! openssl x509 -in "$cert" -noout -checkend 604800 >/dev/null 2>&1; then
      mkdir -p "$state/tls"
      openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 397 \
        -subj "/CN=Pantau (self-signed)" \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1${PANTAU_TLS_NAMES:+,$PANTAU_TLS_NAMES}" \
        -keyout "$key" -out "$cert" 2>/dev/null
      chmod 600 "$key"
    fi
    tls="\"$cert\" \"$key\""  # quoted: Caddyfile tokens (a path may hold spaces)
  fi
  public="https://127.0.0.1:$https_port"
  auto_https=disable_redirects  # HTTPS only: nothing listens on plain HTTP
fi

echo "==> precompressing Streamlit's frontend files (once per Streamlit version)"
static_root=$(bash deploy/precompress.sh "$py" "$static_cache")

# Wait until URL answers "ok" (the health check), or the process PID has exited: 0 / 1.
wait_ok() {
  "$py" - "$1" "$2" "$3" <<'PY'
import os, ssl, sys, time, urllib.request
url, pid, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
ctx = ssl._create_unverified_context()  # our own self-signed certificate, on loopback
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    try:
        if urllib.request.urlopen(url, timeout=2, context=ctx).read() == b"ok":
            sys.exit(0)
    except OSError:
        pass
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(1)
    time.sleep(0.2)
sys.exit(1)
PY
}

st_pid="" caddy_pid=""
stop() {
  trap - EXIT INT TERM
  for pid in $caddy_pid $st_pid; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in $caddy_pid $st_pid; do wait "$pid" 2>/dev/null || true; done
}
trap 'stop; exit 143' INT TERM
trap stop EXIT

echo "==> starting the dashboard on 127.0.0.1:$st_port (store: ${PANTAU_DB:-data/pantau.duckdb})"
"$py" -m streamlit run app.py --server.headless=true --server.address=127.0.0.1 \
  "--server.port=$st_port" --server.fileWatcherType=none --browser.gatherUsageStats=false "$@" &
st_pid=$!
if ! wait_ok "http://127.0.0.1:$st_port/_stcore/health" "$st_pid" 90; then
  echo "serve.sh: the dashboard did not start" >&2
  exit 1
fi

echo "==> starting Caddy on $bind:$https_port (HTTPS)${PANTAU_DOMAIN:+ and :$http_port (redirect to HTTPS)}"
mkdir -p "$state/caddy"
PANTAU_SITE=$site PANTAU_TLS=$tls PANTAU_BIND=$bind PANTAU_HTTPS_PORT=$https_port PANTAU_HTTP_PORT=$http_port \
  PANTAU_AUTO_HTTPS=$auto_https PANTAU_UPSTREAM="127.0.0.1:$st_port" PANTAU_STATIC_ROOT=$static_root \
  PANTAU_CADDY_ADMIN=${PANTAU_CADDY_ADMIN:-off} XDG_DATA_HOME="$state/caddy" XDG_CONFIG_HOME="$state/caddy" \
  "$caddy_bin" run --config deploy/Caddyfile --adapter caddyfile &
caddy_pid=$!
check="https://127.0.0.1:$https_port/_stcore/health"
[ -n "${PANTAU_DOMAIN:-}" ] && check="http://127.0.0.1:$st_port/_stcore/health"  # the certificate may take a minute
if ! wait_ok "$check" "$caddy_pid" 60; then
  echo "serve.sh: Caddy did not start" >&2
  exit 1
fi
echo "==> Pantau is up: $public (health: $public/_stcore/health)"

# Until one of the two stops (or we are told to stop): then stop the other.
set +e
wait -n "$st_pid" "$caddy_pid"
code=$?
echo "serve.sh: a process stopped (exit $code); stopping the other" >&2
exit "$code"
