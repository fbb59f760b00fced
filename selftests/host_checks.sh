# SPDX-License-Identifier: GPL-2.0
# make check's host checks, sourced by check.sh (which has set $src, $work,
# $want_stock and the result function): the library, the Windows headers,
# make install and uninstall, the Debian packages and lintian, checkpatch,
# and DKMS building the module for every kernel with headers.  Each block
# is one check, or a few.  Leaves for the guest runs: $examples (the
# ported examples built) and $pkgbin (the program built with pkg-config).

if make -s lib guest-programs KSFT_DIR="$src/tools/testing/selftests" \
	>"$work/user.log" 2>&1; then
	result ok "library (static and shared), demo and selftests build with -Werror"
else
	cat "$work/user.log"
	result fail "library, demo and selftests build"
	finish
fi
# The two ported examples are read from the Windows reference pages, which
# are not part of the repository.
examples=(-b build/example-persistent)
if [ -x build/example-acquire ] && [ -x build/example-release ]; then
	examples+=(-b build/example-acquire -b build/example-release)
else
	echo "note: no Windows reference pages (SEEDS_DIR), the ported examples are not run"
fi

if readelf -d build/libportres.so | grep -q 'SONAME.*libportres.so.1'; then
	result ok "libportres.so carries its soname"
else
	result fail "libportres.so carries its soname"
fi

# The Windows headers, as C and as C++, alone and together.
hdr_ok=1
for lang in "gcc -x c -std=gnu11" "g++ -x c++ -std=c++17"; do
	for h in winsock2 mstcpip iphlpapi; do
		printf '#include <portres/%s.h>\nint main(void) { return 0; }\n' "$h" |
			$lang -Wall -Wextra -Werror -Ilib/include -c -o /dev/null - || hdr_ok=0
	done
done
[ $hdr_ok = 1 ] && result ok "each Windows header compiles alone, as C and C++" ||
	result fail "each Windows header compiles alone, as C and C++"
# The Windows names of portres-win.pc's directory, as a Windows source
# includes them, and the portres_ names alone (PORTRES_WIN_PREFIXED_ONLY).
hdr_ok=1
for lang in "gcc -x c -std=gnu11" "g++ -x c++ -std=c++17"; do
	for h in winsock2.h mstcpip.h iphlpapi.h ws2tcpip.h ws2ipdef.h windows.h \
		 Windows.h Windows.h.; do
		printf '#include <%s>\n#pragma comment(lib, "ws2_32.lib")\nint main(void) { return 0; }\n' "$h" |
			$lang -Wall -Wextra -Werror -Ilib/include/win -Ilib/include \
			-Wno-unknown-pragmas -c -o /dev/null - || hdr_ok=0
	done
	printf '#define PORTRES_WIN_PREFIXED_ONLY\n#include <winsock2.h>\n#include <iphlpapi.h>\nint closesocket(int s);\nint WSAIoctl(void);\nint main(void) { return portres_closesocket(0) + closesocket(0) + WSAIoctl() + (int)portres_DeletePersistentTcpPortReservation(0, 0); }\n' |
		$lang -Wall -Wextra -Werror -Ilib/include/win -Ilib/include \
		-c -o /dev/null - || hdr_ok=0
done
[ $hdr_ok = 1 ] &&
	result ok "portres-win's <winsock2.h> <mstcpip.h> <iphlpapi.h> <ws2tcpip.h> <ws2ipdef.h> <windows.h> compile alone, as C and C++; PORTRES_WIN_PREFIXED_ONLY leaves the Windows names free" ||
	result fail "portres-win's headers compile alone, as C and C++, and with PORTRES_WIN_PREFIXED_ONLY"
for lang in "gcc -std=gnu11" "g++ -std=c++17"; do
	if $lang -Wall -Wextra -Werror -Ilib/include -o "$work/win_compile" \
		selftests/win_compile.c build/libportres.a && "$work/win_compile"; then
		result ok "Windows layout and values (${lang#* -std=})"
	else
		result fail "Windows layout and values (${lang#* -std=})"
	fi
done

# make install, then a program built with pkg-config against the shared
# library; it runs in the guests below, with the libraries it needs.
inst=$work/inst
pkgbin=
if make -s install-lib DESTDIR="$inst" PREFIX=/usr >"$work/install.log" 2>&1 &&
   flags=$(PKG_CONFIG_SYSROOT_DIR="$inst" PKG_CONFIG_LIBDIR="$inst/usr/lib/pkgconfig" \
	   pkg-config --cflags --libs portres) &&
   winflags=$(PKG_CONFIG_SYSROOT_DIR="$inst" PKG_CONFIG_LIBDIR="$inst/usr/lib/pkgconfig" \
	   pkg-config --cflags --libs portres-win) &&
   g++ -Wall -Werror -o "$work/pkgconfig-example" examples/persistent_reservation.cpp $winflags &&
   readelf -d "$work/pkgconfig-example" | grep -q 'NEEDED.*libportres.so.1' &&
   printf '#include <portres.h>\nint main(void) { return portres_version() < -1000; }\n' |
	gcc -Wall -Werror -x c -o "$work/pkgconfig-native" - $flags; then
	result ok "make install DESTDIR=... PREFIX=/usr; the Windows source examples/persistent_reservation.cpp builds unedited with pkg-config portres-win against libportres.so.1, a native one with pkg-config portres"
	pkgbin=$work/pkgconfig-example
else
	cat "$work/install.log"
	result fail "make install DESTDIR=... PREFIX=/usr; programs build with pkg-config portres-win and portres against libportres.so.1"
fi

# The tools, the udev rule that asks systemd for the unit, the unit that
# restores the configuration file, the completions.
version=$(cat VERSION)
unit=$inst/usr/lib/systemd/system/portres-restore.service
if make -s install-tools DESTDIR="$inst" PREFIX=/usr >"$work/install-tools.log" 2>&1 &&
   [ -x "$inst/usr/sbin/portresctl" ] &&
   grep -qx 'ACTION=="add", SUBSYSTEM=="misc", KERNEL=="portres", TAG+="systemd", ENV{SYSTEMD_WANTS}+="portres-restore.service"' \
	"$inst/etc/udev/rules.d/60-portres.rules" &&
   grep -qx 'ExecStart=/usr/sbin/portresctl restore' "$unit" &&
   [ -f "$inst/usr/share/bash-completion/completions/portresctl" ] &&
   [ -f "$inst/usr/share/zsh/site-functions/_portresctl" ]; then
	result ok "make install-tools: portresctl, its man pages, the udev rule that asks systemd for portres-restore.service, the unit that runs portresctl restore, bash and zsh completions"
else
	cat "$work/install-tools.log"
	result fail "make install-tools: portresctl, its man pages, the udev rule, the unit, the completions"
fi

# The unit, as systemd reads it: systemd-analyze verify, in the installed
# tree (--root: its ExecStart must be there); the same with no portresctl
# must fail, or the check proves nothing.
if [ -f "$unit" ] &&
   systemd-analyze verify --man=no --root="$inst" "$unit" >"$work/verify.log" 2>&1 &&
   [ ! -s "$work/verify.log" ] &&
   mkdir -p "$work/noexec/usr/lib/systemd/system" &&
   cp "$unit" "$work/noexec/usr/lib/systemd/system/" &&
   ! systemd-analyze verify --man=no --root="$work/noexec" \
	"$work/noexec/usr/lib/systemd/system/portres-restore.service" >/dev/null 2>&1 &&
   for k in Type=oneshot RemainAfterExit=yes DefaultDependencies=no \
	    BindsTo=dev-portres.device Wants=network-pre.target; do
	grep -qx "$k" "$unit" || { echo "no $k"; false; } || break
   done &&
   grep -q '^After=.*systemd-modules-load.service' "$unit" &&
   grep -q '^Before=.*network-pre.target' "$unit"; then
	result ok "systemd-analyze verify portres-restore.service: clean (oneshot, RemainAfterExit, bound to /dev/portres, after modules-load, before network-pre)"
else
	cat "$work/verify.log"
	result fail "systemd-analyze verify portres-restore.service"
fi

# The man pages carry the version of VERSION.
man_ok=1
for m in man8/portresctl.8 man5/portres.conf.5; do
	grep -q "^\.TH .* \"portres $version\" " "$inst/usr/share/man/$m" || { echo "$m: no version $version"; man_ok=0; }
done
grep -q "^\.TH .* \"portres $version\" " "$inst/usr/share/man/man3/libportres.3" || { echo "libportres.3: no version"; man_ok=0; }
# portresctl(8) names what is installed: each file of FILES, each option
# of the usage in SYNOPSIS and OPTIONS, the other pages in SEE ALSO.
for f in portres.conf 60-portres.rules portres-restore.service modules-load.d/portres.conf \
	 /sys/kernel/portres /run/netns bash-completion/completions/portresctl _portresctl; do
	sed -n '/^\.SH FILES/,/^\.SH /p' tools/portresctl.8 | grep -qF -- "$f" || { echo "portresctl.8 FILES lacks $f"; man_ok=0; }
done
for o in $(build/portresctl --help | grep -o -- '--[a-z]*' | sort -u); do
	grep -qF -- "\-\-${o#--}" tools/portresctl.8 || { echo "portresctl.8 lacks $o"; man_ok=0; }
done
for p in 'portres.conf (5)' 'libportres (3)' 'systemd-analyze (1)' 'ip-netns (8)'; do
	sed -n '/^\.SH SEE ALSO/,$p' tools/portresctl.8 | grep -qF ".BR ${p% *} ${p#* }" || { echo "portresctl.8 SEE ALSO lacks $p"; man_ok=0; }
done
[ $man_ok = 1 ] && result ok "man pages: version $version from VERSION; portresctl(8) names every option, installed file and page" ||
	result fail "man pages: version from VERSION; portresctl(8) names every option, installed file and page"

# The errno contract has one source, uapi/linux/portres.h (and lib/portres.h
# for what the library adds): README, Documentation/ and the man pages list
# no errnos for a call, or exactly those.
logged_check errno-check \
	"errnos: every document and man page lists those of uapi/linux/portres.h for each call" \
	python3 selftests/errno_check.py

# The bash completion, run as bash-completion would (its two helpers
# stubbed): completions for a command, show's words, add's protocol, an
# option.
complete_words() {	# complete_words WORD...: what TAB after them offers
	bash -c '
		_init_completion() { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}; words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
		_filedir() { COMPREPLY=(FILE); }
		. "$1"; shift
		COMP_WORDS=(portresctl "$@"); COMP_CWORD=$#
		_portresctl; echo "${COMPREPLY[*]}"' _ tools/completion/portresctl.bash "$@"
}
if [ "$(complete_words '')" = "show lookup add delete monitor restore holders" ] &&
   [ "$(complete_words -j show tcp '')" = "port runtime persistent" ] &&
   [ "$(complete_words -n foo add '')" = "tcp udp" ] &&
   [ "$(complete_words show --js)" = "--json" ] &&
   [ "$(complete_words add udp 1 2 '')" = "exclusive" ] &&
   [ "$(complete_words restore '')" = "FILE" ] &&
   { ! command -v zsh >/dev/null || zsh -n tools/completion/_portresctl; }; then
	result ok "bash completion of commands, show's words, protocols, options, files$(command -v zsh >/dev/null && echo '; zsh completion parses')"
else
	result fail "bash and zsh completions"
fi

# dkms.conf builds only for what the module needs: x86-64, 6.1 and newer,
# ftrace with registers and direct calls, and kprobes.
if bash -c '. ./dkms.conf
	for k in 6.1.0-57-amd64 6.12.117+deb12-amd64 6.19.1 7.3.0-1-amd64 10.0.1; do
		[[ $k =~ $BUILD_EXCLUSIVE_KERNEL ]] || exit 1
	done
	for k in 6.0.19-amd64 5.10.0-30-amd64 4.19.1; do
		[[ $k =~ $BUILD_EXCLUSIVE_KERNEL ]] && exit 1
	done
	[[ x86_64 =~ $BUILD_EXCLUSIVE_ARCH ]] && ! [[ aarch64 =~ $BUILD_EXCLUSIVE_ARCH ]] &&
	[ "$BUILD_EXCLUSIVE_CONFIG" = "CONFIG_DYNAMIC_FTRACE_WITH_REGS CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS CONFIG_KPROBES" ]' 2>/dev/null; then
	result ok "dkms.conf: BUILD_EXCLUSIVE_ARCH x86_64, BUILD_EXCLUSIVE_KERNEL 6.1 and newer, BUILD_EXCLUSIVE_CONFIG ftrace with registers and direct calls, and kprobes"
else
	result fail "dkms.conf: BUILD_EXCLUSIVE_*"
fi

if perl "$src/scripts/checkpatch.pl" --no-tree --quiet --terse -f \
	kmod/*.c kmod/*.h uapi/linux/portres.h >"$work/checkpatch.log" 2>&1 &&
   ! grep -qE ': (ERROR|WARNING|CHECK):' "$work/checkpatch.log"; then
	result ok "checkpatch.pl runs clean on kmod/ and uapi/"
else
	cat "$work/checkpatch.log"
	result fail "checkpatch.pl runs clean on kmod/ and uapi/"
fi

# The module's files call each other one way only (kmod/portres.h).
logged_check kmod-deps \
	"no two kmod/*.c files depend on each other, no loop among them" \
	python3 selftests/kmod_deps.py

# make uninstall takes away what make install put there.
if make -s install-lib install-tools DESTDIR="$work/inst2" PREFIX=/usr \
	>"$work/uninstall.log" 2>&1 &&
   [ -n "$(find "$work/inst2" -type f)" ] &&
   make -s uninstall DESTDIR="$work/inst2" PREFIX=/usr >>"$work/uninstall.log" 2>&1 &&
   [ -z "$(find "$work/inst2" -type f -o -type l)" ]; then
	result ok "make uninstall DESTDIR=... PREFIX=/usr leaves no file behind"
else
	cat "$work/uninstall.log"
	find "$work/inst2" -type f -o -type l
	result fail "make uninstall DESTDIR=... PREFIX=/usr leaves no file behind"
fi

# Here no module is loaded: -V says so.  The ABI is the uapi header's.
abi=$(sed -n 's/^#define PORTRES_ABI_VERSION[[:space:]]*\([0-9]*\)$/\1/p' uapi/linux/portres.h)
portresctl_version=$(build/portresctl -V)
if [ "$portresctl_version" = "portresctl $(cat VERSION), ABI version $abi
module portres: not loaded" ] &&
   [ "$(build/portresctl --version -j)" = '{"version":"'"$(cat VERSION)"'","abi":'"$abi"',"module":{"loaded":false}}' ]; then
	result ok "portresctl -V prints its version and ABI, and that the module is not loaded (text and JSON)"
else
	result fail "portresctl -V prints the version" "$portresctl_version"
fi

# libportres.so.1 exports the symbols of its version script, and no others.
exported=$(objdump -T build/libportres.so.1 | awk '$4 == ".text" { print $6 " " $7 }' | sort)
mapped=$(awk '/^LIBPORTRES_[0-9.]* \{/ { node = $1 }
	/^\t[A-Za-z_]*;$/ { sub(/^\t/, ""); sub(/;$/, ""); print node " " $0 }' \
	lib/libportres.map | sort)
if [ -n "$mapped" ] && [ "$exported" = "$mapped" ]; then
	result ok "libportres.so.1 exports the $(wc -l <<<"$mapped") symbols of lib/libportres.map, each at its version node"
else
	diff <(echo "$exported") <(echo "$mapped")
	result fail "libportres.so.1 exports the symbols of lib/libportres.map, each at its version node"
fi

# The Debian packages: built, what each holds, installed into a scratch
# root, and lintian.
deb_holds() {	# deb_holds PACKAGE PATH...: the package holds each PATH
	local deb pkg=$1 missing=
	shift
	deb=$(ls build/deb/"$pkg"_*.deb 2>/dev/null | head -n 1)
	[ -n "$deb" ] || { echo "no $pkg package"; return 1; }
	dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' >"$work/deb.list"
	for f in "$@"; do
		grep -qx "$f" "$work/deb.list" || missing="$missing $f"
	done
	[ -z "$missing" ] || { echo "$pkg lacks:$missing"; return 1; }
}
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
if make -s deb >"$work/deb.log" 2>&1; then
	result ok "make deb builds the packages"
	if deb_holds portres-dkms /usr/src/portres-$version/dkms.conf \
		/usr/src/portres-$version/Kbuild /usr/src/portres-$version/Makefile \
		/usr/src/portres-$version/kmod/hooks.c \
		/usr/src/portres-$version/kmod/compat.h \
		/usr/src/portres-$version/uapi/linux/portres.h \
		/usr/lib/modules-load.d/portres.conf &&
	   dpkg-deb -f build/deb/portres-dkms_*.deb Depends | grep -q dkms &&
	   deb_holds libportres1 /usr/lib/$ma/libportres.so.1 &&
	   deb_holds libportres-dev /usr/include/portres.h \
		/usr/include/linux/portres.h /usr/include/portres/winsock2.h \
		/usr/include/portres/mstcpip.h /usr/include/portres/iphlpapi.h \
		/usr/include/portres/win/winsock2.h /usr/include/portres/win/windows.h \
		/usr/lib/$ma/libportres.so /usr/lib/$ma/libportres.a \
		/usr/lib/$ma/pkgconfig/portres.pc /usr/lib/$ma/pkgconfig/portres-win.pc \
		/usr/share/man/man3/libportres.3.gz \
		/usr/share/doc/libportres-dev/examples/persistent_reservation.cpp \
		/usr/share/doc/libportres-dev/examples/README.md &&
	   deb_holds portres-tools /usr/sbin/portresctl \
		/usr/share/man/man8/portresctl.8.gz \
		/usr/share/man/man5/portres.conf.5.gz \
		/usr/lib/udev/rules.d/60-portres.rules \
		/lib/systemd/system/portres-restore.service \
		/usr/share/bash-completion/completions/portresctl \
		/usr/share/zsh/vendor-completions/_portresctl &&
	   ! deb_holds portres-tools /usr/lib/modules-load.d/portres.conf >/dev/null; then
		result ok "portres-dkms (module source, dkms.conf, modules-load.d), libportres1, libportres-dev (headers, .so, .a, .pc, libportres(3), examples), portres-tools (portresctl, its man pages, udev rule, systemd unit, completions)"
	else
		result fail "each package holds its files"
	fi
	root=$work/debroot
	for deb in build/deb/*.deb; do dpkg -x "$deb" "$root"; done
	if [ "$("$root/usr/sbin/portresctl" -V | head -n 1)" = "portresctl $version, ABI version $abi" ] &&
	   grep -q 'ENV{SYSTEMD_WANTS}+="portres-restore.service"' "$root/usr/lib/udev/rules.d/60-portres.rules" &&
	   ! grep -q 'RUN+=' "$root/usr/lib/udev/rules.d/60-portres.rules" &&
	   grep -qx 'ExecStart=/usr/sbin/portresctl restore' "$root/lib/systemd/system/portres-restore.service" &&
	   systemd-analyze verify --man=no --root="$root" "$root/lib/systemd/system/portres-restore.service" &&
	   zcat "$root/usr/share/man/man8/portresctl.8.gz" | grep -q "^\.TH .* \"portres $version\" " &&
	   [ "$(cat "$root/usr/lib/modules-load.d/portres.conf")" = portres ] &&
	   readelf -d "$root/usr/lib/$ma/libportres.so.1" | grep -q 'SONAME.*libportres.so.1' &&
	   grep -qx "PACKAGE_VERSION=\"$version\"" "$root/usr/src/portres-$version/dkms.conf"; then
		result ok "the packages unpacked into a scratch root: portresctl runs, the udev rule wants the unit, the unit runs portresctl restore and verifies, the module loads at boot, DKMS and the man pages get the version"
	else
		result fail "the packages unpacked into a scratch root work together"
	fi
	# The examples as libportres-dev installs them, built from there
	# against the packages' headers and library, through pkg-config: the
	# Windows source through portres-win, its include lines as they are.
	exdir=$root/usr/share/doc/libportres-dev/examples
	if flags=$(PKG_CONFIG_SYSROOT_DIR="$root" PKG_CONFIG_LIBDIR="$root/usr/lib/$ma/pkgconfig" \
		   pkg-config --cflags --libs portres-win) &&
	   (cd "$exdir" && g++ -Wall -Werror -o "$work/deb-example" persistent_reservation.cpp $flags) &&
	   readelf -d "$work/deb-example" | grep -q 'NEEDED.*libportres.so.1'; then
		result ok "the examples in libportres-dev's doc directory build from there with pkg-config, against the packages"
	else
		result fail "the examples in libportres-dev's doc directory build from there with pkg-config, against the packages"
	fi
	if lintian --fail-on error,warning build/deb/*.changes >"$work/lintian.log" 2>&1; then
		result ok "lintian: no error or warning"
	else
		cat "$work/lintian.log"
		result fail "lintian: no error or warning"
	fi
else
	tail -n 30 "$work/deb.log"
	result fail "make deb builds the packages"
fi

# DKMS builds the module for each stock kernel; those are the modules the
# guests below load.
if [ -n "$want_stock" ]; then
	make -s dkms-uninstall >/dev/null 2>&1
	if make dkms-install >"$work/dkms.log" 2>&1; then
		result ok "make dkms-install: dkms add, build and install of portres $version for each kernel with headers"
	else
		tail -n 30 "$work/dkms.log"
		result fail "make dkms-install: dkms add, build and install of portres $version for each kernel with headers"
	fi
fi

# The IBT check must be able to fail: an object that calls through a
# function pointer.
printf 'int (*portres_fp)(void);\nint f(void) { return portres_fp() + 1; }\n' |
	gcc -O2 -x c -c -o "$work/indirect.o" -
if ! selftests/ibt_check.sh "$work/indirect.o" >/dev/null; then
	result ok "the IBT check finds an indirect call"
else
	result fail "the IBT check finds an indirect call"
fi

# After the guests: DKMS removes the module again, leaving nothing.
dkms_uninstall_check() {
	make -s dkms-uninstall >"$work/dkms-remove.log" 2>&1
	left=$(dkms status portres 2>/dev/null
	       ls -d /var/lib/dkms/portres /usr/src/portres-* 2>/dev/null
	       ls /lib/modules/*/updates/dkms/portres.ko* 2>/dev/null)
	if [ -z "$left" ]; then
		result ok "make dkms-uninstall (dkms remove --all) leaves nothing behind"
	else
		echo "$left"
		result fail "make dkms-uninstall (dkms remove --all) leaves nothing behind"
	fi
}
