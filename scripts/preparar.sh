#!/usr/bin/env bash
# Prepares this checkout to run the suite: a virtualenv in .venv with the pinned requirements and,
# when no Chromium is available to Playwright, Debian's chromium (plus certutil, used to trust the
# stack's CA in the browser profile). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
# The key of the pinned requirements (every requirements file) and of the interpreter: a virtualenv built
# for that key is reused as it is. A fresh clone links .venv to the one built before on this machine in
# $XPORY_VENV_CACHE (default ~/.cache/xpory/venvs/<key>; XPORY_VENV_CACHE=off builds .venv in the checkout).
key=$(cat requirements.txt requirements/*.txt sandbox/requirements.txt | "$PYTHON" -c \
  'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read() + sys.version.encode()).hexdigest()[:16])')
stamp=".requirements-$key"

build_venv() {  # $1: the folder; pip installs the pinned requirements, then the stamp says it is complete
  rm -rf "$1"
  "$PYTHON" -m venv "$1"
  "$1/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt
  touch "$1/$stamp"
}

cache=${XPORY_VENV_CACHE:-$HOME/.cache/xpory/venvs}
if [ -e ".venv/$stamp" ] && .venv/bin/python -c 'import behave, playwright, psycopg' 2>/dev/null; then
  :  # this checkout's environment already has these requirements
elif [ "$cache" != "off" ] && { [ -L .venv ] || [ ! -e .venv ]; } && mkdir -p "$cache" 2>/dev/null; then
  target="$cache/$key"
  (
    flock 9  # two preparations at once build it once
    if [ ! -e "$target/$stamp" ] || ! "$target/bin/python" -c 'import behave, playwright, psycopg' 2>/dev/null; then
      echo "Criando o ambiente $target (requirements com a chave $key)"
      build_venv "$target"
    fi
  ) 9> "$cache/$key.lock"
  ln -sfn "$target" .venv
else
  if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
  fi
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
  touch ".venv/$stamp"
fi

have_playwright_chromium() {
  .venv/bin/python - <<'PY' 2>/dev/null
import os, sys
from playwright.sync_api import sync_playwright
with sync_playwright() as p:
    sys.exit(0 if os.path.exists(p.chromium.executable_path) else 1)
PY
}

need=()
if ! have_playwright_chromium && [ -z "${XPORY_BROWSER_PATH:-}" ]; then
  # the full browser (headed runs, XPORY_HEADED) and the old headless shell, which headless runs prefer
  # (support/ui/browser.py: about a third of the full browser's CPU)
  [ -x /usr/bin/chromium ] || need+=(chromium)
  [ -x /usr/bin/chromium-headless-shell ] || need+=(chromium-headless-shell)
elif ! have_playwright_chromium && [ ! -x "$XPORY_BROWSER_PATH" ]; then
  need+=(chromium)
fi
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
