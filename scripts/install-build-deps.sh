#!/bin/sh
# Install the system libraries the renderers load at run time, and only those that
# are missing: on the usual Debian image they are already there and this does nothing
# but a few look-ups.
#
#   Pango and its FreeType backend   WeasyPrint (the PDF leaflets)
#   liblouis and its tables          the braille edition (loaded with ctypes)
#   Ghostscript (+ its ICC profiles) the print-shop file's CMYK conversion, the preflight
#   fonts pinned in styles/fonts/fonts.yaml (`package: name=version`: Noto Sans CJK)
#                                    guides in Chinese, Korean and Japanese
set -eu

missing=""
if ! ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' \
    || ! ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so'; then
    missing="$missing libpango-1.0-0 libpangoft2-1.0-0 fontconfig"
fi
if ! ldconfig -p 2>/dev/null | grep -q 'liblouis.so.20'; then
    missing="$missing liblouis20"
fi
if [ ! -f /usr/share/liblouis/tables/en-ueb-g2.ctb ]; then
    missing="$missing liblouis-data"
fi
if ! command -v gs >/dev/null 2>&1 \
    || [ ! -f /usr/share/color/icc/ghostscript/default_rgb.icc ]; then
    missing="$missing ghostscript"
fi
fonts=""
for pinned in $(sed -n 's/^ *package: *//p' "$(dirname "$0")/../styles/fonts/fonts.yaml" | sort -u)
do
    if [ "$(dpkg-query -W -f='${Version}' "${pinned%%=*}" 2>/dev/null || true)" \
            != "${pinned#*=}" ]; then
        fonts="$fonts $pinned"
    fi
done
[ -z "$missing$fonts" ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo -n"
    else
        echo "install-build-deps: need root (or sudo) to install:$missing$fonts" >&2
        exit 1
    fi
fi
echo "install-build-deps: installing:$missing$fonts" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -q -o DPkg::Lock::Timeout=600 update
if [ -n "$missing" ]; then
    # shellcheck disable=SC2086  # word splitting of $missing is intended
    $SUDO apt-get -q -o DPkg::Lock::Timeout=600 install -y --no-install-recommends $missing
fi
# shellcheck disable=SC2086
if [ -n "$fonts" ] && ! $SUDO apt-get -q -o DPkg::Lock::Timeout=600 install -y \
        --no-install-recommends --allow-downgrades $fonts; then
    # Another Debian release has other versions: every other script still builds, and a
    # guide that needs these fonts stops with font-missing, naming the package.
    echo "install-build-deps: could not install$fonts (pinned in styles/fonts/fonts.yaml):" \
         "guides in Chinese, Korean or Japanese will not build on this machine" >&2
fi
