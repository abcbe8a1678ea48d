#!/bin/sh
# Install what the validator tests need, and nothing that is already there.
#
#   system (apt): chromium (axe-core, DAISY Ace), a JRE (EPUBCheck, Nu Html
#                 Checker), poppler-utils (pdfinfo, pdffonts), ghostscript (print-shop
#                 separations)
#   npm (tools/): axe-core, vnu-jar, @daisy/ace-cli, pinned in tools/package-lock.json
#
# Idempotent and quick when everything is present: it only runs `command -v`
# and compares two file dates. Safe as root without a TTY (CI). It never
# downloads a browser or a JRE from the web: Chromium and Java come from
# Debian, npm install scripts are not run (PUPPETEER_SKIP_DOWNLOAD=1 and
# --ignore-scripts; the only two are Puppeteer's browser download and
# vnu-jar's JRE download).
set -eu

ROOT=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
TOOLS="$ROOT/tools"

export DEBIAN_FRONTEND=noninteractive
export PUPPETEER_SKIP_DOWNLOAD=1
export PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

log() { printf 'install-test-deps: %s\n' "$*" >&2; }

# --- system packages --------------------------------------------------------
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v java >/dev/null 2>&1 || missing="$missing default-jre-headless"
command -v pdfinfo >/dev/null 2>&1 || missing="$missing poppler-utils"
command -v gs >/dev/null 2>&1 || missing="$missing ghostscript"
if ! command -v npm >/dev/null 2>&1; then
    # Fallback only: Debian 12 ships Node 18, while @daisy/ace-cli 1.4.6
    # declares node >= 20 (npm only warns). The harness was tested on Node 20.
    missing="$missing nodejs npm"
fi

if [ -n "$missing" ]; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            SUDO="sudo -n"
        else
            log "need root (or sudo) to install:$missing"
            exit 1
        fi
    fi
    log "installing:$missing"
    # Wait for another apt/dpkg run instead of failing on its lock.
    APT="$SUDO apt-get -q -o DPkg::Lock::Timeout=600"
    tries=0
    until $APT update; do
        tries=$((tries + 1))
        if [ "$tries" -ge 20 ]; then
            log "apt-get update kept failing"
            exit 1
        fi
        log "apt-get update failed (lock held?), retrying in 30 s"
        sleep 30
    done
    # shellcheck disable=SC2086  # word splitting of $missing is intended
    $APT install -y --no-install-recommends $missing
fi

for cmd in chromium java pdfinfo gs node npm; do
    command -v "$cmd" >/dev/null 2>&1 || { log "still missing after install: $cmd"; exit 1; }
done

# --- npm tools --------------------------------------------------------------
# npm writes node_modules/.package-lock.json on every install: it is our stamp.
STAMP="$TOOLS/node_modules/.package-lock.json"
need_npm=0
if [ ! -f "$STAMP" ] \
    || [ ! -f "$TOOLS/node_modules/axe-core/axe.min.js" ] \
    || [ ! -f "$TOOLS/node_modules/vnu-jar/build/dist/vnu.jar" ] \
    || [ ! -e "$TOOLS/node_modules/.bin/ace-cli" ]; then
    need_npm=1
elif [ -f "$TOOLS/package-lock.json" ] && [ "$TOOLS/package-lock.json" -nt "$STAMP" ]; then
    need_npm=1
elif [ "$TOOLS/package.json" -nt "$STAMP" ]; then
    need_npm=1
fi

if [ "$need_npm" -eq 1 ]; then
    if [ -f "$TOOLS/package-lock.json" ]; then
        log "npm ci in tools/"
        npm ci --prefix "$TOOLS" --ignore-scripts --no-audit --no-fund --no-progress
    else
        log "no tools/package-lock.json yet: npm install in tools/"
        npm install --prefix "$TOOLS" --ignore-scripts --no-audit --no-fund --no-progress
    fi
    touch "$STAMP"
fi

chmod +x "$TOOLS/chromium-headless" 2>/dev/null || true
log "ok"
