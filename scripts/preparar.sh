#!/usr/bin/env bash
# Prepares this checkout to run the suite: a virtualenv in .venv with the pinned requirements and,
# when no Chromium is available to Playwright, Debian's chromium (plus certutil, used to trust the
# stack's CA in the browser profile). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt

have_playwright_chromium() {
  .venv/bin/python - <<'PY' 2>/dev/null
import os, sys
from playwright.sync_api import sync_playwright
with sync_playwright() as p:
    sys.exit(0 if os.path.exists(p.chromium.executable_path) else 1)
PY
}

need=()
if ! have_playwright_chromium && [ ! -x "${XPORY_BROWSER_PATH:-/usr/bin/chromium}" ]; then need+=(chromium); fi
if ! command -v certutil >/dev/null 2>&1; then need+=(libnss3-tools); fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Instalando pacotes Debian: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "Faltam pacotes para os cenários @ui: ${need[*]} (instale com: sudo apt-get install -y ${need[*]})" >&2
  fi
fi
echo "Pronto. Ative o ambiente com: source .venv/bin/activate"
