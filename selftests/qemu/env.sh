# SPDX-License-Identifier: GPL-2.0
# Sourced by the QEMU scripts: installs what they need on a fresh Debian
# machine and finds the stock kernel and the kernel source at run time.

PORTRES_CACHE=${PORTRES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portres}

portres_deps() {
	local pkgs=(qemu-system-x86 linux-image-amd64 linux-headers-amd64
		    busybox-static linux-source cpio kmod xz-utils gcc make
		    libc6-dev g++ pkg-config libmnl-dev perl e2fsprogs bc
		    python3 flex bison libelf-dev libssl-dev binutils)
	local missing=() p
	for p in "${pkgs[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing packages: ${missing[*]} (run as root to install them)" >&2
		return 1
	fi
	echo "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The newest installed kernel with both an image and headers to build against.
portres_stock_kver() {
	local v best=
	for v in $(ls /lib/modules | sort -V); do
		[ -f "/boot/vmlinuz-$v" ] && [ -e "/lib/modules/$v/build/Makefile" ] && best=$v
	done
	[ -n "$best" ] || { echo "no kernel with headers in /lib/modules" >&2; return 1; }
	echo "$best"
}

# Unpacks Debian's linux-source once per version into the cache; prints the tree.
portres_kernel_source() {
	local tarball dir
	tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n 1)
	[ -n "$tarball" ] || { echo "no /usr/src/linux-source-*.tar.xz" >&2; return 1; }
	dir=$PORTRES_CACHE/src/$(basename "$tarball" .tar.xz)-$(stat -c %Y "$tarball")
	if [ ! -f "$dir/.unpacked" ]; then
		rm -rf "$dir" && mkdir -p "$dir"
		tar -xf "$tarball" -C "$dir" --strip-components=1
		touch "$dir/.unpacked"
	fi
	echo "$dir"
}

# Installs what is needed, builds the module for the stock kernel and the
# given guest programs; prints the stock kernel's release.
portres_stock_build() {
	local kver
	portres_deps >&2
	kver=$(portres_stock_kver)
	echo "building portres for $kver" >&2
	make -s module KVER="$kver" >&2
	make -s "$@" >&2
	echo "$kver"
}
