#!/bin/sh
# Remake the CMYK output profiles in publish/icc/ from Fogra's characterisation data as
# Debian ships it (icc-profiles-free: /usr/share/color/icc/FOGRA*L.ti3, zlib licence),
# with ArgyllCMS colprof. Not run by the build: the profiles are committed (about 20 s
# each), and this script is how they were made. See publish/icc/README.md.
#
#   sh scripts/make-icc-profiles.sh          # rewrite publish/icc/*.icc
#   sh scripts/make-icc-profiles.sh --check  # remake into a temporary folder, compare
#
# colprof is deterministic except for the creation date in the ICC header (bytes
# 24-35): it is set here to a fixed date (2006-12-01, the FOGRA39 data's), so a remake
# gives the same bytes on the same ArgyllCMS version (2.3.1 made the committed files).
set -eu

ROOT=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
DEST="$ROOT/publish/icc"
DATA=/usr/share/color/icc
command -v colprof >/dev/null 2>&1 || { echo "make-icc-profiles: needs colprof (apt install argyll)" >&2; exit 1; }

CHECK=0
if [ "${1:-}" = "--check" ]; then
    CHECK=1
    DEST=$(mktemp -d)
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"; [ "$CHECK" -eq 0 ] || rm -rf "$DEST"' EXIT

# name  data      total-ink-limit  description
while read -r name data limit description; do
    [ -f "$DATA/$data.ti3" ] || { echo "make-icc-profiles: no $DATA/$data.ti3 (apt install icc-profiles-free)" >&2; exit 1; }
    cp "$DATA/$data.ti3" "$WORK/$name.ti3"
    # -qm medium quality, -nc without a copy of the measurements, -kr black ramp (default),
    # -l total ink limit: the B2A tables never ask for more ink than the limit.
    (cd "$WORK" && colprof -qm -nc -kr -l "$limit" -D "$description" \
        -C "Made with ArgyllCMS colprof from Fogra $data data (Debian icc-profiles-free, zlib licence)" \
        "$name" >/dev/null)
    # Fixed header date (ICC dateTimeNumber: six big-endian uint16): 2006-12-01 00:00:00.
    printf '\007\326\000\014\000\001\000\000\000\000\000\000' \
        | dd of="$WORK/$name.icc" bs=1 seek=24 count=12 conv=notrunc status=none
    cp "$WORK/$name.icc" "$DEST/$name.icc"
    echo "make-icc-profiles: $DEST/$name.icc" >&2
done <<'ROWS'
FOGRA39L-TAC300 FOGRA39L 300 Coated FOGRA39 (ISO 12647-2:2004/Amd 1), total ink 300 %
FOGRA29L-TAC300 FOGRA29L 300 Uncoated FOGRA29 (ISO 12647-2:2004), total ink 300 %
ROWS

if [ "$CHECK" -eq 1 ]; then
    for f in "$DEST"/*.icc; do
        cmp "$f" "$ROOT/publish/icc/$(basename "$f")" || exit 1
    done
    echo "make-icc-profiles: the committed profiles are remade byte for byte" >&2
fi
