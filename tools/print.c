// SPDX-License-Identifier: GPL-2.0
/*
 * portresctl's printer: text and JSON through one path (print.h), after
 * iproute2's json_print.c.
 */
#include <inttypes.h>
#include <langinfo.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "print.h"

/* -j and -p. */
static bool json, pretty;
/* Whether the locale's character set, the terminal's, is UTF-8. */
static bool utf8_locale;

void out_init(bool as_json, bool indented)
{
	json = as_json;
	pretty = indented;
	/* What the terminal can show of a name (text_string()). */
	utf8_locale = !strcmp(nl_langinfo(CODESET), "UTF-8");
}

bool out_is_json(void)
{
	return json;
}

/* Whether the JSON value about to be printed is the first of its object. */
static bool out_first = true;
/* How many objects and arrays the value is inside, for -p. */
static unsigned int out_depth;

static void out_indent(void)
{
	unsigned int i;

	putchar('\n');
	for (i = 0; i < out_depth; i++)
		fputs("    ", stdout);
}

static void out_key(const char *key)
{
	if (!out_first)
		putchar(',');
	if (pretty && out_depth)
		out_indent();
	out_first = false;
	if (key)
		printf(pretty ? "\"%s\": " : "\"%s\":", key);
}

/*
 * Strings from the kernel are any bytes: a command name is whatever its
 * process set (prctl(PR_SET_NAME)).  Both outputs take them one character
 * of UTF-8 at a time.
 *
 * The length of the UTF-8 character at @s, its code point in @cp; 0 if @s
 * starts none (a stray continuation byte, an overlong form, a surrogate,
 * past U+10FFFF, or cut short).
 */
static size_t utf8_char(const char *s, unsigned int *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned int c, min;
	size_t len, i;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		len = 2;
		min = 0x80;
		c = u[0] & 0x1f;
	} else if ((u[0] & 0xf0) == 0xe0) {
		len = 3;
		min = 0x800;
		c = u[0] & 0x0f;
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		len = 4;
		min = 0x10000;
		c = u[0] & 0x07;
	} else {
		return 0;
	}
	/* The string's end, a 0, is no continuation byte. */
	for (i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (u[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* C0, DEL and C1: what a terminal takes as a command. */
static bool is_control(unsigned int c)
{
	return c < 0x20 || (c >= 0x7f && c < 0xa0);
}

/*
 * @s as a JSON string (RFC 8259) in valid UTF-8: control characters as
 * \u00XX (DEL and C1 too, for a terminal that shows the JSON), each byte
 * that is not part of a UTF-8 character as U+FFFD.
 */
static void json_string(const char *s)
{
	unsigned int c;
	size_t len;

	putchar('"');
	for (; *s; s += len ? len : 1) {
		len = utf8_char(s, &c);
		if (!len)
			printf("\\ufffd");
		else if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (is_control(c))
			printf("\\u%04x", c);
		else
			fwrite(s, 1, len, stdout);
	}
	putchar('"');
}

/*
 * @s for a terminal, in @buf of TEXT_SIZE bytes: what ps(1) shows as "?",
 * as C escapes that tell the bytes apart.  Control characters, bytes that
 * are not part of a UTF-8 character and, unless the locale's character set
 * is UTF-8, every byte past ASCII print as \xNN; the backslash as \\.  A
 * longer string is cut.  Return: @buf.
 */
const char *text_string(const char *s, char *buf)
{
	unsigned int c;
	size_t len, n = 0, i;
	bool as_is;

	for (; *s; s += len) {
		len = utf8_char(s, &c);
		as_is = len && !is_control(c) && (c < 0x80 || utf8_locale);
		if (!len)
			len = 1;
		/* The most a character takes: each of its bytes escaped. */
		if (n + 4 * len >= TEXT_SIZE)
			break;
		if (as_is && c == '\\') {
			buf[n++] = '\\';
			buf[n++] = '\\';
		} else if (as_is) {
			memcpy(buf + n, s, len);
			n += len;
		} else {
			for (i = 0; i < len; i++)
				n += sprintf(buf + n, "\\x%02x",
					     (unsigned char)s[i]);
		}
	}
	buf[n] = 0;
	return buf;
}

/*
 * Whether a value of @mode prints: -1 not at all, 0 as text, 1 as JSON,
 * its key printed already.
 */
static int out_begin(enum out_mode mode, const char *key)
{
	if (!(mode & (json ? OUT_JSON : OUT_TEXT)))
		return -1;
	if (json)
		out_key(key);
	return json;
}

/* A string: escaped either way (text_string(), json_string()). */
void out_str(enum out_mode mode, const char *key, const char *fmt,
		    const char *v)
{
	char text[TEXT_SIZE];
	int as = out_begin(mode, key);

	if (as == 0)
		printf(fmt, text_string(v, text));
	else if (as == 1)
		json_string(v);
}

void out_uint(enum out_mode mode, const char *key, const char *fmt,
		     uint64_t v)
{
	int as = out_begin(mode, key);

	if (as == 0)
		printf(fmt, v);
	else if (as == 1)
		printf("%" PRIu64, v);
}

void out_bool(const char *key, bool v)
{
	if (json) {
		out_key(key);
		printf("%s", v ? "true" : "false");
	}
}

/* Opens an object or array ("{" or "["), as a value of @key if given. */
void out_open(const char *key, char bracket)
{
	if (!json)
		return;
	out_key(key);
	putchar(bracket);
	out_depth++;
	out_first = true;
}

void out_close(char bracket)
{
	if (!json)
		return;
	out_depth--;
	/* Pretty: a closing bracket on a line of its own, unless empty. */
	if (pretty && !out_first)
		out_indent();
	putchar(bracket);
	out_first = false;
}

/* The end of what one command or event prints. */
void out_end(void)
{
	putchar('\n');
	out_first = true;
	fflush(stdout);
}
