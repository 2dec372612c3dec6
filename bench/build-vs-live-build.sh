#!/bin/bash
# The default image's package set built by live-build and by hydra, each with a
# warm package cache (a first, untimed round fills it): wall time, peak memory
# (/usr/bin/time -v) and image size, with their ratios; then an overlay-only
# rebuild and seconds from QEMU start to multi-user.target (TCG). Run as root
# from the source tree after make; live-build is installed when missing.
#   bench/build-vs-live-build.sh [WORKDIR]     (default out/bench)
set -eu
cd "$(dirname "$0")/.."
top=$PWD
work=$(realpath -m "${1:-out/bench}")
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
mkdir -p "$work"
[ -x /usr/bin/time ] || apt-get install -y time >/dev/null

# usage: measure NAME COMMAND...; sets $wall and $rss (KiB), logs to $work/NAME.log
measure() {
	local name=$1
	shift
	/usr/bin/time -v -o "$work/$name.time" "$@" >"$work/$name.log" 2>&1 ||
		{ echo "$name failed; the end of $work/$name.log:" >&2; tail -20 "$work/$name.log" >&2; exit 1; }
	wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0;
		for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$work/$name.time")
	rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/$name.time")
}

lb_build() {
	bench/live-build.sh "$work" >/dev/null
}

hydra_build() {
	build/hydra build --no-cache -o "$work/default.img" images/default.conf
}

# /usr/bin/time runs programs, not shell functions: hand them to a bash.
export -f lb_build hydra_build
export work
echo "warming both package caches (untimed)..."
measure lb-warmup bash -c lb_build
measure hydra-warmup bash -c hydra_build
echo "timed builds..."
measure lb bash -c lb_build
lb_wall=$wall lb_rss=$rss
lb_img=$(ls "$work"/lb/*.iso | head -1)
measure hydra bash -c hydra_build
hy_wall=$wall hy_rss=$rss
hy_img=$work/default.img
# What the medium carries: the MANIFEST's files (the FAT keeps room for one staged update).
payload=$(MTOOLS_SKIP_CHECK=1 mtype -i "$hy_img@@1M" ::/hydra/MANIFEST | awk '$1 == "file" { s += $3 } END { print s }')
hy_sqfs=$(MTOOLS_SKIP_CHECK=1 mcopy -n -i "$hy_img@@1M" ::/live/system.sqfs - | wc -c)
lb_sqfs=$(stat -c %s "$work"/lb/binary/live/filesystem.squashfs)

# An overlay-only rebuild: one file more in a copy of the tree, the stage cache warm.
proj=$work/project
rm -rf "$proj"
mkdir -p "$proj/images"
ln -s "$top/hooks" "$proj/hooks"
cp -a overlays hardware-db "$proj/"
cp images/default.conf "$proj/images/"
HYDRA_CACHE=$top/out/cache build/hydra build -o "$work/default-overlay.img" "$proj/images/default.conf" >/dev/null 2>&1
date >"$proj/overlays/common/etc/hydra/bench-marker"
measure hydra-overlay env HYDRA_CACHE="$top/out/cache" build/hydra build -o "$work/default-overlay.img" "$proj/images/default.conf"
ov_wall=$wall
grep -q '\[mmdebstrap\]\|\[squashfs\]' "$work/hydra-overlay.log" && { echo "the overlay-only rebuild re-ran a long stage" >&2; exit 1; }

boot=$(python3 - "$hy_img" <<'PY'
import os, sys
sys.path.insert(0, os.path.join(os.getcwd(), "tests", "lib"))
from hydratest import VM
with VM("bench-default", [(sys.argv[1], "if=virtio,snapshot=on")]) as vm:
    vm.expect(rb"Reached target .*Multi-User System", 600)
    print(f"{vm.elapsed():.1f}")
    vm.wait_login()
    vm.poweroff()
PY
)

mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
lb_size=$(stat -c %s "$lb_img") hy_size=$(stat -c %s "$hy_img")
printf '%-40s %14s %14s %8s\n' "" "live-build" "hydra" "ratio"
printf '%-40s %13.1fs %13.1fs %8s\n' "build, warm package cache (wall)" "$lb_wall" "$hy_wall" "$(ratio "$hy_wall" "$lb_wall")"
printf '%-40s %14s %14s %8s\n' "peak memory (max RSS)" "$((lb_rss / 1024)) MiB" "$((hy_rss / 1024)) MiB" "$(ratio "$hy_rss" "$lb_rss")"
printf '%-40s %14s %14s %8s\n' "image file" "$(mib "$lb_size")" "$(mib "$hy_size")" "$(ratio "$hy_size" "$lb_size")"
printf '%-40s %14s %14s %8s\n' "payload (the iso / the MANIFEST's files)" "$(mib "$lb_size")" "$(mib "$payload")" "$(ratio "$payload" "$lb_size")"
printf '%-40s %14s %14s %8s\n' "squashfs" "$(mib "$lb_sqfs")" "$(mib "$hy_sqfs")" "$(ratio "$hy_sqfs" "$lb_sqfs")"
printf '%-40s %14s %13.1fs\n' "hydra overlay-only rebuild (wall)" "" "$ov_wall"
printf '%-40s %14s %13ss\n' "QEMU start to multi-user.target (TCG)" "" "$boot"
