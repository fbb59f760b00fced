# SPDX-License-Identifier: GPL-2.0
#
# portres: build, install and test.
#
#   make              the module for the running kernel, and libportres
#   make install      modules_install, depmod, the library and its header
#   make uninstall    takes it all away again
#   make dkms-install the module through DKMS, for every kernel with headers
#   make deb          the Debian packages, in build/deb
#   make demo         boot Debian's newest stock kernel in QEMU, run the demo
#   make check        every test, on every kernel, in QEMU (installs what it
#                     needs as root); KVER=... for one kernel
#   make bench        the benchmarks on each stock kernel, in QEMU

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DESTDIR ?=

CC ?= cc
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Werror
CPPFLAGS += -Iuapi -Ilib -Ilib/include
BUILD := build
SOVERSION := 1
VERSION := $(shell cat VERSION)

# The kselftest harness header, from a kernel source tree (make check
# unpacks Debian's linux-source into its cache and passes it here).
KSFT_DIR ?= $(firstword $(wildcard /usr/src/linux/tools/testing/selftests))

all: module lib tools

# PORTRES_KUNIT=y builds the KUnit tests in (a kernel with CONFIG_KUNIT).
module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(if $(PORTRES_KUNIT),PORTRES_KUNIT=$(PORTRES_KUNIT)) modules

lib: $(BUILD)/libportres.a $(BUILD)/libportres.so

$(BUILD):
	mkdir -p $@

LIB_OBJS := $(BUILD)/portres.o $(BUILD)/conf.o $(BUILD)/win.o
WIN_HEADERS := $(wildcard lib/include/portres/*.h)
# The Windows header names (<winsock2.h>, <windows.h>, ...), each over
# <portres/...>: the directory pkg-config --cflags portres-win adds, for
# Windows sources whose include lines and #pragma comment stay unedited.
WIN_NAMES := $(wildcard lib/include/win/*)
WIN_CFLAGS := -Ilib/include/win -Ilib/include -Wno-unknown-pragmas

$(BUILD)/%.o: lib/%.c lib/portres.h lib/conf.h uapi/linux/portres.h $(WIN_HEADERS) | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -fPIC -fvisibility=hidden -c -o $@ $<

$(BUILD)/libportres.a: $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

# The version script names the exported symbols and versions them.
$(BUILD)/libportres.so.$(SOVERSION): $(LIB_OBJS) lib/libportres.map
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,-soname,libportres.so.$(SOVERSION) \
		-Wl,--version-script=lib/libportres.map -o $@ $(LIB_OBJS)

$(BUILD)/libportres.so: $(BUILD)/libportres.so.$(SOVERSION)
	ln -sf libportres.so.$(SOVERSION) $@

# Guest programs are static: the QEMU guest has busybox and nothing else.
$(BUILD)/portres-demo: tools/portres-demo.c $(BUILD)/libportres.a
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -static -o $@ $^

# The test programs: selftests/Makefile.  Each may be asked for by name,
# as build/NAME, from here too (bench.sh does).
SELFTESTS_MAKE = $(MAKE) -C selftests BUILD=$(abspath $(BUILD)) \
	$(if $(KSFT_DIR),KSFT_DIR=$(abspath $(KSFT_DIR))) CC="$(CC)" CFLAGS="$(CFLAGS)"
# Absent from the DKMS source tree, which builds the module only.
-include selftests/programs.mk
SELFTEST_PROGRAMS := $(HARNESS) $(PLAIN)

selftests: lib $(BUILD)/nlutil.o
	$(SELFTESTS_MAKE)

$(addprefix $(BUILD)/,$(SELFTEST_PROGRAMS)): lib $(BUILD)/nlutil.o FORCE
	$(SELFTESTS_MAKE) $(abspath $@)

# make print-VAR: a list of selftests/programs.mk, for check.sh.
print-%:
	@echo $($*)

FORCE:

# The example programs of the Windows reference pages, read from the pages
# at build time (examples/README.md), and one of ours.  The pages are not
# part of this repository: without them the two ported examples are skipped.
SEEDS_DIR ?= ../shared/seeds
SEED_EXAMPLES := $(if $(wildcard $(SEEDS_DIR)/sio-acquire-port-reservation.md),\
	$(BUILD)/example-acquire $(BUILD)/example-release)
CXX ?= c++
$(BUILD)/example-%.cpp: $(SEEDS_DIR)/sio-%-port-reservation.md examples/port-seed.sh | $(BUILD)
	sh examples/port-seed.sh $< > $@

$(BUILD)/example-%: $(BUILD)/example-%.cpp $(BUILD)/libportres.a $(WIN_NAMES) $(WIN_HEADERS)
	$(CXX) $(WIN_CFLAGS) $(CFLAGS) -static -o $@ $< $(BUILD)/libportres.a

$(BUILD)/example-persistent: examples/persistent_reservation.cpp $(BUILD)/libportres.a $(WIN_NAMES) $(WIN_HEADERS)
	$(CXX) $(WIN_CFLAGS) $(CFLAGS) -Wall -Werror -static -o $@ $< $(BUILD)/libportres.a

examples: $(SEED_EXAMPLES) $(BUILD)/example-persistent
	$(if $(SEED_EXAMPLES),,@echo "examples: no Windows reference pages in $(SEEDS_DIR), the ported examples are skipped")

# The admin tool: dynamically linked, as libmnl is only a shared library.
# nlutil.c: the netlink client portresctl and the netlink tests share.
$(BUILD)/nlutil.o: tools/nlutil.c tools/nlutil.h uapi/linux/portres.h | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

# print.c: portresctl's printer, text and JSON through one path.
$(BUILD)/print.o: tools/print.c tools/print.h | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

$(BUILD)/portresctl: tools/portresctl.c tools/nlutil.h tools/print.h lib/conf.h $(BUILD)/nlutil.o $(BUILD)/print.o $(BUILD)/libportres.a VERSION
	$(CC) $(CPPFLAGS) -Itools -DPORTRES_VERSION='"$(VERSION)"' $(CFLAGS) $(WARN) \
		$(LDFLAGS) -o $@ $< $(BUILD)/nlutil.o $(BUILD)/print.o $(BUILD)/libportres.a -lmnl

tools: $(BUILD)/portresctl man

# The manual pages, their version filled in from VERSION.
MANPAGES := $(BUILD)/man/libportres.3 $(BUILD)/man/portresctl.8 \
	$(BUILD)/man/portres.conf.5
MAN_SED = mkdir -p $(@D) && sed 's/@VERSION@/$(VERSION)/g' $< > $@

$(BUILD)/man/%.3: lib/%.3 VERSION
	$(MAN_SED)

$(BUILD)/man/%.5: tools/%.5 VERSION
	$(MAN_SED)

$(BUILD)/man/%.8: tools/%.8 VERSION
	$(MAN_SED)

man: $(MANPAGES)

guest-programs: $(BUILD)/portresctl $(BUILD)/portres-demo selftests examples

MANDIR ?= $(PREFIX)/share/man
SBINDIR ?= $(PREFIX)/sbin

install: install-module install-lib install-tools

# The udev rule that asks systemd for portres-restore.service when the
# module loads, and the unit, which restores the persistent reservations;
# an admin's own rules live in /etc/udev/rules.d.  systemd reads units in
# /usr/local/lib/systemd/system too.
UDEVRULESDIR ?= /etc/udev/rules.d
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
# The shell completions: bash-completion looks in $XDG_DATA_DIRS, which
# holds /usr/local/share; Debian's zsh has /usr/local/share/zsh/site-functions
# in its fpath.
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions

install-tools: tools
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(UDEVRULESDIR) \
		$(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(ZSHCOMPDIR)
	install -m 755 $(BUILD)/portresctl $(DESTDIR)$(SBINDIR)/
	install -m 644 $(BUILD)/man/portresctl.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 644 $(BUILD)/man/portres.conf.5 $(DESTDIR)$(MANDIR)/man5/
	sed -e 's|@SBINDIR@|$(SBINDIR)|' tools/60-portres.rules.in \
		> $(DESTDIR)$(UDEVRULESDIR)/60-portres.rules
	sed -e 's|@SBINDIR@|$(SBINDIR)|' tools/portres-restore.service.in \
		> $(DESTDIR)$(SYSTEMDUNITDIR)/portres-restore.service
	install -m 644 tools/completion/portresctl.bash \
		$(DESTDIR)$(BASHCOMPDIR)/portresctl
	install -m 644 tools/completion/_portresctl $(DESTDIR)$(ZSHCOMPDIR)/

install-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) modules_install
	$(if $(DESTDIR),,depmod -a $(KVER))

install-lib: lib man
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/linux \
		$(DESTDIR)$(INCLUDEDIR)/portres
	install -m 644 $(BUILD)/libportres.a $(DESTDIR)$(LIBDIR)/
	install -m 755 $(BUILD)/libportres.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf libportres.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libportres.so
	install -m 644 lib/portres.h $(DESTDIR)$(INCLUDEDIR)/portres.h
	install -m 644 $(WIN_HEADERS) $(DESTDIR)$(INCLUDEDIR)/portres/
	install -d $(DESTDIR)$(INCLUDEDIR)/portres/win
	install -m 644 $(WIN_NAMES) $(DESTDIR)$(INCLUDEDIR)/portres/win/
	install -m 644 uapi/linux/portres.h $(DESTDIR)$(INCLUDEDIR)/linux/portres.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
		lib/portres.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/portres.pc
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' \
		lib/portres-win.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/portres-win.pc
	install -d $(DESTDIR)$(MANDIR)/man3
	install -m 644 $(BUILD)/man/libportres.3 $(DESTDIR)$(MANDIR)/man3/
	$(if $(DESTDIR),,ldconfig)

# What make install put there, for this KVER's module.
uninstall:
	rm -f $(DESTDIR)/lib/modules/$(KVER)/updates/portres.ko \
		$(DESTDIR)/lib/modules/$(KVER)/extra/portres.ko
	$(if $(DESTDIR),,depmod -a $(KVER))
	rm -f $(DESTDIR)$(LIBDIR)/libportres.a \
		$(DESTDIR)$(LIBDIR)/libportres.so.$(SOVERSION) \
		$(DESTDIR)$(LIBDIR)/libportres.so \
		$(DESTDIR)$(LIBDIR)/pkgconfig/portres.pc \
		$(DESTDIR)$(LIBDIR)/pkgconfig/portres-win.pc \
		$(DESTDIR)$(INCLUDEDIR)/portres.h \
		$(DESTDIR)$(INCLUDEDIR)/linux/portres.h \
		$(DESTDIR)$(MANDIR)/man3/libportres.3 \
		$(DESTDIR)$(SBINDIR)/portresctl \
		$(DESTDIR)$(MANDIR)/man8/portresctl.8 \
		$(DESTDIR)$(MANDIR)/man5/portres.conf.5 \
		$(DESTDIR)$(UDEVRULESDIR)/60-portres.rules \
		$(DESTDIR)$(SYSTEMDUNITDIR)/portres-restore.service \
		$(DESTDIR)$(BASHCOMPDIR)/portresctl \
		$(DESTDIR)$(ZSHCOMPDIR)/_portresctl
	rm -rf $(DESTDIR)$(INCLUDEDIR)/portres
	$(if $(DESTDIR),,ldconfig)

# DKMS: the module's sources in /usr/src/portres-VERSION, built and
# installed for every kernel with headers, and again at each new kernel.
DKMS_SRC = $(DESTDIR)/usr/src/portres-$(VERSION)
DKMS_FILES = Kbuild Makefile VERSION dkms.conf kmod uapi

dkms-src:
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)
	cp -R $(DKMS_FILES) $(DKMS_SRC)/
	rm -f $(DKMS_SRC)/kmod/*.o $(DKMS_SRC)/kmod/.*.cmd
	sed -i 's/#MODULE_VERSION#/$(VERSION)/' $(DKMS_SRC)/dkms.conf

dkms-install: dkms-src
	dkms add portres/$(VERSION)
	for k in $$(ls /lib/modules); do \
		[ -e /lib/modules/$$k/build/Makefile ] || continue; \
		dkms install portres/$(VERSION) -k $$k; rc=$$?; \
		[ $$rc -eq 0 ] || [ $$rc -eq 77 ] || exit 1; \
	done

# The Debian packages (debian/), built from a copy of the tree in
# build/deb, where they are left: portres-dkms, libportres1,
# libportres-dev, portres-tools.
deb:
	rm -rf $(BUILD)/deb
	mkdir -p $(BUILD)/deb/portres-$(VERSION)
	tar -cf - --exclude=./$(BUILD) --exclude=./.git --exclude='*.o' \
		--exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
		--exclude='.*.cmd' --exclude=Module.symvers \
		--exclude=modules.order . | \
		tar -xf - -C $(BUILD)/deb/portres-$(VERSION)
	cd $(BUILD)/deb/portres-$(VERSION) && dpkg-buildpackage -us -uc -b

dkms-uninstall:
	-dkms remove portres/$(VERSION) --all
	rm -rf $(DKMS_SRC)

# KVER names one kernel for demo, check and bench only when it is given on
# the command line or in the environment (or PORTRES_KVER is, as the
# scripts themselves take it); otherwise they pick their own.
KVER_GIVEN = $(or $(if $(filter command line environment,$(origin KVER)),$(KVER)),$(PORTRES_KVER))

demo:
	PORTRES_KVER='$(KVER_GIVEN)' bash selftests/qemu/demo.sh

check:
	PORTRES_KVER='$(KVER_GIVEN)' bash selftests/check.sh

bench:
	PORTRES_KVER='$(KVER_GIVEN)' bash selftests/qemu/bench.sh

# The module's build products only: make check builds it for several kernels.
module-clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null

clean: module-clean
	rm -rf $(BUILD)

.PHONY: uninstall dkms-src dkms-install dkms-uninstall deb
.PHONY: all module module-clean lib tools man examples guest-programs selftests FORCE install install-module install-lib install-tools demo check bench clean
