// SPDX-License-Identifier: GPL-2.0
/*
 * resv_holder: the portresctl tests' helper.
 *
 *	resv_holder tcp|udp COUNT BOUND [NAME]
 *
 * Names itself NAME (prctl(PR_SET_NAME), any bytes, 15 at most) if given,
 * acquires COUNT ports, binds BOUND associated sockets to ports of the
 * block, prints "START TOKEN" and waits to be killed.
 *
 *	resv_holder json FILE...
 *
 * Checks that each line of each FILE is one JSON text, strictly as RFC 8259
 * has it, in valid UTF-8 (what jq and Python's json module demand, which
 * the guest lacks); says where the first fault is and exits 1 if not.
 *
 *	resv_holder json-text FILE...
 *
 * The same for a FILE that is one JSON text over many lines (-p).
 */
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "portres.h"

/* A JSON text being read: from @p to @end, the first fault in @why. */
struct json {
	const unsigned char *p, *end;
	const char *why;
	int depth;
};

static int json_fail(struct json *j, const char *why)
{
	if (!j->why)
		j->why = why;
	return -1;
}

static int json_peek(struct json *j)
{
	return j->p < j->end ? *j->p : -1;
}

static void json_space(struct json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
				 *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int json_digits(struct json *j)
{
	const unsigned char *from = j->p;

	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > from ? 0 : json_fail(j, "a number without digits");
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int json_number(struct json *j)
{
	if (json_peek(j) == '-')
		j->p++;
	if (json_peek(j) == '0')
		j->p++;
	else if (json_digits(j))
		return -1;
	if (json_peek(j) == '.') {
		j->p++;
		if (json_digits(j))
			return -1;
	}
	if (json_peek(j) == 'e' || json_peek(j) == 'E') {
		j->p++;
		if (json_peek(j) == '+' || json_peek(j) == '-')
			j->p++;
		if (json_digits(j))
			return -1;
	}
	return 0;
}

static int json_hex4(struct json *j, unsigned int *u)
{
	int i, c;

	*u = 0;
	for (i = 0; i < 4; i++) {
		c = json_peek(j);
		if (c >= '0' && c <= '9')
			c -= '0';
		else if (c >= 'a' && c <= 'f')
			c -= 'a' - 10;
		else if (c >= 'A' && c <= 'F')
			c -= 'A' - 10;
		else
			return json_fail(j, "\\u without four hex digits");
		*u = *u << 4 | c;
		j->p++;
	}
	return 0;
}

/* One character of UTF-8: no overlong form, surrogate or past U+10FFFF. */
static int json_utf8(struct json *j)
{
	const unsigned char *s = j->p;
	unsigned int c, min, n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		min = 0x80;
		c = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		min = 0x800;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		min = 0x10000;
		c = s[0] & 0x07;
	} else {
		return json_fail(j, "a byte that starts no UTF-8 character");
	}
	if (j->end - s < n)
		return json_fail(j, "a UTF-8 character cut short");
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return json_fail(j, "a UTF-8 character cut short");
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min)
		return json_fail(j, "an overlong UTF-8 form");
	if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return json_fail(j, "UTF-8 of a surrogate or past U+10FFFF");
	j->p += n;
	return 0;
}

static int json_string(struct json *j)
{
	unsigned int u, lo;
	int c;

	j->p++;
	for (;;) {
		c = json_peek(j);
		if (c < 0)
			return json_fail(j, "an unterminated string");
		if (c == '"') {
			j->p++;
			return 0;
		}
		if (c < 0x20)
			return json_fail(j, "a control character in a string");
		if (c >= 0x80) {
			if (json_utf8(j))
				return -1;
			continue;
		}
		j->p++;
		if (c != '\\')
			continue;
		c = json_peek(j);
		j->p++;
		if (c >= 0 && strchr("\"\\/bfnrt", c))
			continue;
		if (c != 'u')
			return json_fail(j, "an unknown escape");
		if (json_hex4(j, &u))
			return -1;
		if (u >= 0xdc00 && u <= 0xdfff)
			return json_fail(j, "a lone low surrogate");
		if (u < 0xd800 || u > 0xdbff)
			continue;
		if (json_peek(j) != '\\' || j->end - j->p < 2 || j->p[1] != 'u')
			return json_fail(j, "a lone high surrogate");
		j->p += 2;
		if (json_hex4(j, &lo))
			return -1;
		if (lo < 0xdc00 || lo > 0xdfff)
			return json_fail(j, "a lone high surrogate");
	}
}

static int json_value(struct json *j);

/* An object or an array, after its bracket, up to @close. */
static int json_members(struct json *j, int close)
{
	json_space(j);
	if (json_peek(j) == close) {
		j->p++;
		return 0;
	}
	for (;;) {
		json_space(j);
		if (close == '}') {
			if (json_peek(j) != '"')
				return json_fail(j, "a member without a string name");
			if (json_string(j))
				return -1;
			json_space(j);
			if (json_peek(j) != ':')
				return json_fail(j, "a member name without ':'");
			j->p++;
		}
		if (json_value(j))
			return -1;
		json_space(j);
		if (json_peek(j) == close) {
			j->p++;
			return 0;
		}
		if (json_peek(j) != ',')
			return json_fail(j, "no ',' or end after a value");
		j->p++;
	}
}

static int json_literal(struct json *j, const char *word)
{
	size_t len = strlen(word);

	if ((size_t)(j->end - j->p) < len || memcmp(j->p, word, len))
		return json_fail(j, "not a value");
	j->p += len;
	return 0;
}

static int json_value(struct json *j)
{
	int c, err;

	json_space(j);
	c = json_peek(j);
	if (c == '{' || c == '[') {
		if (++j->depth > 64)
			return json_fail(j, "nested too deep");
		j->p++;
		err = json_members(j, c == '{' ? '}' : ']');
		j->depth--;
		return err;
	}
	if (c == '"')
		return json_string(j);
	if (c == '-' || (c >= '0' && c <= '9'))
		return json_number(j);
	if (c == 't')
		return json_literal(j, "true");
	if (c == 'f')
		return json_literal(j, "false");
	if (c == 'n')
		return json_literal(j, "null");
	return json_fail(j, c < 0 ? "no value" : "not a value");
}

/*
 * Each line of @path, or with @whole the file, is one JSON text.
 * Return: 0, or 1 after saying why.
 */
static int json_check(const char *path, bool whole)
{
	static unsigned char buf[1 << 20];
	const unsigned char *line, *nl;
	struct json j;
	unsigned int lineno = 0;
	size_t len;
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		perror(path);
		return 1;
	}
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (len == sizeof(buf) || !len) {
		fprintf(stderr, "%s: %s\n", path, len ? "too long" : "empty");
		return 1;
	}
	for (line = buf; line < buf + len; line = nl + 1) {
		nl = whole ? NULL : memchr(line, '\n', buf + len - line);
		if (!nl)
			nl = buf + len;
		lineno++;
		j = (struct json){ .p = line, .end = nl };
		if (!json_value(&j)) {
			json_space(&j);
			if (j.p < j.end)
				json_fail(&j, "more after the value");
		}
		if (j.why) {
			fprintf(stderr, "%s:%u:%zu: %s\n", path, lineno,
				(size_t)(j.p - line) + 1, j.why);
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int type, owner, i, n, bad = 0;
	uint16_t start;
	uint64_t token;

	if (argc > 2 && (!strcmp(argv[1], "json") ||
			 !strcmp(argv[1], "json-text"))) {
		for (i = 2; i < argc; i++)
			bad |= json_check(argv[i], argv[1][4]);
		return bad;
	}
	if (argc != 4 && argc != 5)
		return 2;
	if (argc == 5 && prctl(PR_SET_NAME, argv[4]))
		return 1;
	type = strcmp(argv[1], "udp") ? SOCK_STREAM : SOCK_DGRAM;
	owner = socket(AF_INET, type, 0);
	if (portres_acquire(owner, 0, atoi(argv[2]), &start, &token))
		return 1;
	n = atoi(argv[3]);
	for (i = 0; i < n; i++) {
		int s = socket(AF_INET, type, 0);

		if (portres_associate(s, token) ||
		    bind(s, (struct sockaddr *)&sin, sizeof(sin)))
			return 1;
	}
	printf("%u %llu\n", start, (unsigned long long)token);
	fflush(stdout);
	for (;;)
		pause();
}
