#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build.sh: builds the debug kernel from Debian's linux-source, tinyconfig
# plus selftests/debug-kernel/config, into the cache, keyed by the fragment
# and the source; prints the build directory.  An unchanged key is reused.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../qemu/env.sh"

src=$(portres_newest_source)
key=$(cat "$here/config" <(basename "$src") | sha256sum | cut -c1-16)
out=$PORTRES_CACHE/debug-kernel/$key
if [ -f "$out/.built" ]; then
	echo "$out"
	exit 0
fi
rm -rf "$out"
mkdir -p "$out"
{
	make -C "$src" O="$out" tinyconfig
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$here/config"
	make -C "$src" O="$out" olddefconfig
	# Every line of the fragment must have held.
	missing=0
	while read -r line; do
		case $line in
		CONFIG_*=n) grep -q "^# ${line%=n} is not set" "$out/.config" || missing=1 ;;
		CONFIG_*) grep -qx "$line" "$out/.config" || { echo "not set: $line"; missing=1; } ;;
		esac
	done < "$here/config"
	[ $missing -eq 0 ]
	make -C "$src" O="$out" -j"$(nproc)" bzImage modules
} > "$out/build.log" 2>&1 || { tail -n 40 "$out/build.log" >&2; exit 1; }
touch "$out/.built"
echo "$out"
