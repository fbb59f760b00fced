#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# port-seed.sh PAGE.md > PROGRAM.cpp
#
# Takes the example program out of one of the Windows reference pages
# (../shared/seeds) and makes the changes, and only those, listed in
# examples/README.md: the include lines, the library pragma, and the
# wide-character entry point and output.  The Microsoft program itself is
# never copied into this repository; it is read from the page at build time.
set -eu
page=$1

# The last C++ block of the page that has a main program.
awk '
	/^```cpp/ { inblock = 1; text = ""; next }
	/^```/ && inblock { inblock = 0; if (text ~ /wmain/) last = text; next }
	inblock { text = text $0 "\n" }
	END { printf "%s", last }
' "$page" | sed \
	-e 's|^#include <Windows\.h\.*>|/* portres: <Windows.h> is not needed */|' \
	-e 's|^#include <winsock2\.h>|#include <portres/winsock2.h>|' \
	-e 's|^#include <mstcpip\.h>|#include <portres/mstcpip.h>|' \
	-e 's|^#include <ws2ipdef\.h>|/* portres: <ws2ipdef.h> comes with <portres/winsock2.h> */|' \
	-e 's|^#pragma comment(lib, "ws2_32\.lib")|/* portres: link with $(pkg-config --libs portres) */|' \
	-e 's|int wmain(int argc, WCHAR \*\* argv)|int main(int argc, char **argv)|' \
	-e 's|wprintf|printf|g' \
	-e 's|(L"|("|g' \
	-e 's|_wtoi(|atoi(|g' \
	-e 's|%ws|%s|g' \
	-e 's|%I64d|%lld|g'
