#!/usr/bin/env bash
# Copy Streamlit's frontend files (the installed package's static/ folder) to CACHE_DIR/<version>
# and write a .zst (zstd -19) and a .gz (gzip -9) beside each text file, for the proxy to send as
# they are (deploy/Caddyfile, "precompressed"). Made once per Streamlit version: a later run
# finds the folder and only prints its path, so serve.sh and the systemd unit run this on every
# start. Prints the folder to serve from (PANTAU_STATIC_ROOT).
#
# Usage: deploy/precompress.sh PYTHON CACHE_DIR
#   PYTHON     the interpreter that runs the dashboard (its streamlit package is the one served)
#   CACHE_DIR  where the copies live (serve.sh: deploy/.state/static; systemd: /var/cache/pantau)
#
# Compression levels: these files are compressed once and sent to every phone, so the slowest,
# smallest settings pay off (plotly's 4.7 MB chunk: 1.13 MB as zstd -19, 1.42 MB as gzip -9).
# zstd's window stays at 8 MB (--zstd=wlog=23), the most browsers accept. Without the zstd
# program only .gz files are written (Chrome then takes gzip too).
set -euo pipefail
py=${1:?usage: precompress.sh PYTHON CACHE_DIR}
cache=${2:?usage: precompress.sh PYTHON CACHE_DIR}

read -r version src < <("$py" -c 'import os, streamlit; print(streamlit.__version__, os.path.join(os.path.dirname(streamlit.__file__), "static"))')
[ -f "$src/index.html" ] || { echo "precompress: no Streamlit frontend at $src" >&2; exit 1; }
# The version and the page's hash: a patched or rebuilt frontend gets a folder of its own.
tag="$version-$(sha256sum "$src/index.html" | cut -c1-12)"
dest="$cache/$tag"
# CACHE_DIR/current names the latest folder (the systemd unit's fixed PANTAU_STATIC_ROOT).
point_current() {
  ln -sfn "$tag" "$cache/.current.$$" && mv -T "$cache/.current.$$" "$cache/current"
}
if [ -f "$dest/.complete" ]; then
  point_current
  echo "$dest"
  exit 0
fi

mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.building.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp -R "$src/." "$tmp/"
# Text only: fonts (woff2) and images are compressed already.
list() { find "$tmp" -type f \( -name '*.js' -o -name '*.css' -o -name '*.html' -o -name '*.json' \
  -o -name '*.svg' -o -name '*.txt' -o -name '*.map' -o -name '*.ttf' \) -size +511c -print0; }
jobs=$(nproc 2>/dev/null || echo 1)
list | xargs -0 -r -P "$jobs" -n 16 gzip -9 -k -n
if command -v zstd >/dev/null 2>&1; then
  list | xargs -0 -r -P "$jobs" -n 16 zstd -19 --zstd=wlog=23 -q -k
else
  echo "precompress: zstd not found (apt-get install zstd): gzip only" >&2
fi
touch "$tmp/.complete"
chmod -R a+rX "$tmp"
# Another start may have finished the same folder meanwhile: keep the first, drop ours.
if mv -T "$tmp" "$dest" 2>/dev/null; then
  trap - EXIT
fi
point_current
# Older versions' folders are no longer served.
find "$cache" -mindepth 1 -maxdepth 1 -type d ! -name "$tag" ! -name '.building.*' -exec rm -rf {} +
echo "$dest"
