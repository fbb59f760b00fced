/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output: one path for text and JSON.  Each value is printed with both its
 * JSON key and its text format, after iproute2's print_*() calls: OUT_ANY
 * prints it either way, OUT_JSON only as JSON, OUT_TEXT only as text.
 */
#ifndef PORTRES_PRINT_H
#define PORTRES_PRINT_H

#include <stdbool.h>
#include <stdint.h>

enum out_mode { OUT_TEXT = 1, OUT_JSON = 2, OUT_ANY = 3 };

/*
 * Room for a string as text, each byte escaped (\xNN): a command name of
 * 32 bytes (struct prnl_resv's comm) four times.
 */
#define TEXT_SIZE 128

/* JSON (-j), indented (-p), or text; after setlocale(LC_CTYPE, ""). */
void out_init(bool json, bool pretty);
bool out_is_json(void);

/*
 * @s for a terminal, in @buf of TEXT_SIZE bytes, bytes that are not
 * printable escaped (print.c says how).  Return: @buf.
 */
const char *text_string(const char *s, char *buf);

/*
 * One value, as JSON under @key (NULL: an array's element) or as text in
 * @fmt, as @mode says; a string is escaped either way.
 */
void out_str(enum out_mode mode, const char *key, const char *fmt,
	     const char *v);
void out_uint(enum out_mode mode, const char *key, const char *fmt,
	      uint64_t v);
/* JSON only. */
void out_bool(const char *key, bool v);
/* An object or array ("{" or "["), as a value of @key if given; JSON only. */
void out_open(const char *key, char bracket);
void out_close(char bracket);
/* The end of what one command or event prints. */
void out_end(void);

#endif /* PORTRES_PRINT_H */
