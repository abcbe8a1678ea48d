#!/bin/sh
# Install the system libraries WeasyPrint loads at run time (Pango and its
# FreeType backend), and only when they are missing: on the usual Debian image
# they are already there and this does nothing but one ldconfig look-up.
set -eu

if ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' \
    && ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so'; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo -n"
    else
        echo "install-build-deps: need root (or sudo) to install Pango for WeasyPrint" >&2
        exit 1
    fi
fi
echo "install-build-deps: installing Pango for WeasyPrint" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -q -o DPkg::Lock::Timeout=600 update
$SUDO apt-get -q -o DPkg::Lock::Timeout=600 install -y --no-install-recommends \
    libpango-1.0-0 libpangoft2-1.0-0 fontconfig
