#!/bin/bash
# The default image's package set as a live-build ISO (iso-hybrid, syslinux,
# zstd squashfs), built in WORKDIR/lb: the one configuration the benches that
# set live-build beside hydra build (bench/build-vs-live-build.sh) and boot
# (bench/boot.py). Run as root from the source tree; live-build is installed
# when missing. Prints the ISO's path.
#   bench/live-build.sh WORKDIR
set -eu
cd "$(dirname "$0")/.."
work=$(realpath -m "$1")
command -v lb >/dev/null || apt-get install -y live-build >/dev/null
# The packages images/default.conf asks for, one list for both builders.
pkgs=$(sed -n 's/^packages *= *//p' images/default.conf | tr -s ' ' '\n')
mkdir -p "$work/lb"
cd "$work/lb"
lb clean >/dev/null 2>&1 || true
lb config --distribution bookworm --mode debian --archive-areas main \
	--mirror-bootstrap http://deb.debian.org/debian \
	--mirror-chroot http://deb.debian.org/debian \
	--mirror-binary http://deb.debian.org/debian \
	--binary-images iso-hybrid --bootloaders syslinux \
	--chroot-squashfs-compression-type zstd --debian-installer none \
	--memtest none --apt-indices false --apt-recommends false \
	--firmware-binary false --firmware-chroot false \
	--linux-flavours amd64 --cache true --security false --updates false >/dev/null
printf '%s\n' $pkgs >config/package-lists/hydra.list.chroot
lb build >&2
ls "$work"/lb/*.iso | head -1
