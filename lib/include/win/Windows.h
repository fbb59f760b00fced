/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <Windows.h>, as newer Windows SDKs and Microsoft's pages spell it (one
 * page even writes <Windows.h.>, which Windows' file names allow): Linux
 * file names tell case and a trailing dot apart, so both are here.
 */
#include "windows.h"
