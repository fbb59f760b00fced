# SPDX-License-Identifier: GPL-2.0
# Sourced by the QEMU scripts: installs what they need on a fresh Debian
# machine and finds the stock kernel and the kernel source at run time.

PORTRES_CACHE=${PORTRES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portres}

portres_deps() {
	# Debian 12's stock kernel and Debian's 6.12 (bookworm-security).
	local pkgs=(qemu-system-x86 linux-image-amd64 linux-headers-amd64
		    linux-image-6.12-amd64 linux-headers-6.12-amd64
		    busybox-static linux-source cpio kmod xz-utils gcc make
		    libc6-dev g++ pkg-config libmnl-dev perl e2fsprogs bc
		    python3 flex bison libelf-dev libssl-dev binutils
		    dkms dh-dkms debhelper dpkg-dev lintian systemd zsh)
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

# The installed kernels with both an image and headers to build against,
# oldest first; only $PORTRES_KVER when that is set.
portres_stock_kvers() {
	local v found=
	for v in $(ls /lib/modules | sort -V); do
		[ -z "${PORTRES_KVER:-}" ] || [ "$v" = "$PORTRES_KVER" ] || continue
		[ -f "/boot/vmlinuz-$v" ] && [ -e "/lib/modules/$v/build/Makefile" ] || continue
		echo "$v"
		found=1
	done
	[ -n "$found" ] || { echo "no kernel${PORTRES_KVER:+ $PORTRES_KVER} with an image and headers in /lib/modules" >&2; return 1; }
}

# The newest of those.
portres_stock_kver() {
	local kvers
	kvers=$(portres_stock_kvers) || return 1
	tail -n 1 <<<"$kvers"
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

# The newest Debian kernel source (linux-source-N.M from sid or
# trixie-backports), fetched with apt-get download through a private apt
# list in the cache, never through the machine's own apt sources; unpacked
# once per version.  Prints the tree.  The lists are refreshed once a day.
portres_newest_source() {
	local apt=$PORTRES_CACHE/apt name deb dir
	local opts=(-o "Dir::Etc::SourceList=$apt/sources.list"
		    -o Dir::Etc::SourceParts=/dev/null
		    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt"
		    -o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root)
	mkdir -p "$apt/lists/partial" "$apt/archives/partial" "$apt/debs" || return 1
	cat >"$apt/sources.list" <<-EOF
	deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main
	deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie-backports main
	EOF
	if [ -z "$(find "$apt/lists" -name '*_Packages*' -mtime -1 2>/dev/null)" ]; then
		apt-get "${opts[@]}" update -qq >&2 || return 1
	fi
	name=$(apt-cache "${opts[@]}" pkgnames linux-source- |
	       grep -E '^linux-source-[0-9]+\.[0-9]+$' | sort -V | tail -n 1)
	[ -n "$name" ] || { echo "no linux-source-N.M in sid or trixie-backports" >&2; return 1; }
	deb=$(ls "$apt/debs/${name}_"*.deb 2>/dev/null | sort -V | tail -n 1)
	local want
	want=$(apt-cache "${opts[@]}" policy "$name" | sed -n 's/^  Candidate: //p')
	if [ -z "$deb" ] || [ "$(dpkg-deb -f "$deb" Version)" != "$want" ]; then
		(cd "$apt/debs" && apt-get "${opts[@]}" download -qq "$name" >&2) || return 1
		deb=$(ls "$apt/debs/${name}_"*.deb | sort -V | tail -n 1)
	fi
	dir=$PORTRES_CACHE/src/$(basename "$deb" _all.deb)
	if [ ! -f "$dir/.unpacked" ]; then
		rm -rf "$dir" && mkdir -p "$dir" || return 1
		dpkg-deb --fsys-tarfile "$deb" |
			tar -xO --wildcards './usr/src/linux-source-*.tar.xz' |
			tar -xJ -C "$dir" --strip-components=1 || return 1
		touch "$dir/.unpacked"
	fi
	echo "$dir"
}

# Builds the module for the stock kernel KVER into build/portres-KVER.ko.
portres_module_build() {	# portres_module_build KVER
	make -s module-clean KVER="$1" >/dev/null 2>&1
	make -s module KVER="$1" && mkdir -p build && cp portres.ko "build/portres-$1.ko"
}

# Installs what is needed and builds the given guest programs.
portres_guest_build() {
	portres_deps >&2 && make -s "$@" >&2
}
