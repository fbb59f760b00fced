#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# port-seed.sh PAGE.md > PROGRAM.cpp
#
# Takes the example program out of one of the Windows reference pages
# (../shared/seeds) and makes the changes, and only those, listed in
# examples/README.md: the wide-character CRT calls, which are the porter's
# own business.  Include lines and #pragma comment stay as they are: the
# program builds with $(pkg-config --cflags --libs portres-win).  The
# Microsoft program itself is never copied into this repository; it is
# read from the page at build time.
set -eu
page=$1

# The last C++ block of the page that has a main program.
awk '
	/^```cpp/ { inblock = 1; text = ""; next }
	/^```/ && inblock { inblock = 0; if (text ~ /wmain/) last = text; next }
	inblock { text = text $0 "\n" }
	END { printf "%s", last }
' "$page" | sed \
	-e 's|int wmain(int argc, WCHAR \*\* argv)|int main(int argc, char **argv)|' \
	-e 's|wprintf|printf|g' \
	-e 's|(L"|("|g' \
	-e 's|_wtoi(|atoi(|g' \
	-e 's|%ws|%s|g' \
	-e 's|%I64d|%lld|g'
