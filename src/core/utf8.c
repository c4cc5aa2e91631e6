/* SPDX-License-Identifier: MIT */
/*
 * UTF-8 decoding, validation of text entering deskhand, the escaped form of
 * file names that are not UTF-8, and control-character sanitizing for
 * display. Width and drawing live in ui/draw.c (they need the curses locale).
 */
#include "core/utf8.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"

size_t
utf8_decode(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len;
	uint32_t c, min;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2, c = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3, c = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

static bool
is_bidi_control(uint32_t c)
{
	return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/* A character that shows nothing: zero-width spaces and joiners, the word
 * joiner and invisible operators, the byte order mark, a soft hyphen and the
 * direction marks (LRM, RLM, ALM). Text needs them (a joiner inside an
 * emoji, a Persian word), but in a name "a<U+200B>.txt" would look like
 * another file's "a.txt". */
static bool
is_invisible(uint32_t c)
{
	return c == 0x00ad || c == 0x061c || c == 0x180e || (c >= 0x200b && c <= 0x200f) ||
	       (c >= 0x2060 && c <= 0x2064) || c == 0xfeff;
}

/* Without a UTF-8 locale: punctuation that deskhand's own messages use, and
 * that models write, as its one-column ASCII look-alike (one column for one,
 * so that a line laid out before stays as wide); anything else '?'. An
 * ellipsis is '.', not '?': "listing sessions..." must not read as a
 * question. */
static const struct {
	uint32_t cp;
	char ascii;
} ascii_alike[] = {
	{ 0x00a0, ' ' }, { 0x00b7, '.' }, { 0x00d7, 'x' }, { 0x2010, '-' }, { 0x2011, '-' },
	{ 0x2012, '-' }, { 0x2013, '-' }, { 0x2014, '-' }, { 0x2018, '\'' }, { 0x2019, '\'' },
	{ 0x201c, '"' }, { 0x201d, '"' }, { 0x2022, '*' }, { 0x2026, '.' }, { 0x2190, '<' },
	{ 0x2192, '>' }, { 0x2212, '-' }, { 0x2713, 'v' }, { 0x2717, 'x' },
};

static char
ascii_for(uint32_t c)
{
	for (size_t i = 0; i < sizeof ascii_alike / sizeof *ascii_alike; i++)
		if (ascii_alike[i].cp == c)
			return ascii_alike[i].ascii;
	return '?';
}

void
utf8_sanitize(struct buf *out, const char *s, size_t n, unsigned flags)
{
	size_t i = 0;

	buf_grow(out, n);
	out->ptr[out->len] = '\0'; /* also when nothing is added */
	while (i < n) {
		unsigned char b = (unsigned char)s[i];
		uint32_t c;
		size_t len;

		if (b == '\n' && (flags & UTF8_KEEP_NL)) {
			buf_putc(out, '\n');
			i++;
		} else if (b == '\t' && !(flags & UTF8_NAME)) {
			buf_puts(out, "    ");
			i++;
		} else if (b < 0x20 || b == 0x7f) {
			buf_putc(out, '^');
			buf_putc(out, b == 0x7f ? '?' : (char)(b + 0x40));
			i++;
		} else if (b < 0x80) {
			buf_putc(out, (char)b);
			i++;
		} else if ((len = utf8_decode(s + i, n - i, &c)) == 0) {
			buf_printf(out, "\\x%02x", b);
			i++;
		} else {
			if ((c >= 0x80 && c <= 0x9f) || is_bidi_control(c) ||
			    ((flags & UTF8_NAME) && is_invisible(c)))
				buf_printf(out, "<U+%04X>", (unsigned)c);
			else if (flags & UTF8_ASCII)
				buf_putc(out, ascii_for(c));
			else
				buf_add(out, s + i, len);
			i += len;
		}
	}
}

const char *
utf8_sanitized(struct buf *out, const char *s)
{
	buf_clear(out);
	if (s)
		utf8_sanitize(out, s, strlen(s), UTF8_NAME);
	return buf_cstr(out);
}

const char *
utf8_sanitized_text(struct buf *out, const char *s)
{
	buf_clear(out);
	if (s)
		utf8_sanitize(out, s, strlen(s), UTF8_KEEP_NL);
	return buf_cstr(out);
}

/* Length of the valid sequence at s that utf8_scrub keeps, 0 if none. */
static size_t
keep_len(const char *s, size_t n)
{
	uint32_t c;

	return s[0] == '\0' ? 0 : utf8_decode(s, n, &c);
}

bool
utf8_valid(const char *s, size_t n)
{
	for (size_t i = 0, len; i < n; i += len)
		if ((len = keep_len(s + i, n - i)) == 0)
			return false;
	return true;
}

void
utf8_scrub(struct buf *out, const char *s, size_t n)
{
	size_t run = 0; /* valid bytes not yet copied, ending at i */
	size_t i = 0;

	buf_grow(out, n);
	out->ptr[out->len] = '\0'; /* also when nothing is added */
	while (i < n) {
		size_t len = keep_len(s + i, n - i);

		if (len) {
			i += len;
			run += len;
			continue;
		}
		buf_add(out, s + i - run, run);
		buf_puts(out, "\xef\xbf\xbd");
		run = 0;
		i++;
	}
	buf_add(out, s + n - run, run);
}

/* The byte of the escape "\xHH" at s (n bytes left), or -1 if it is not one. */
static int
escape_at(const char *s, size_t n)
{
	if (n < 4 || s[0] != '\\' || s[1] != 'x' || !isxdigit((unsigned char)s[2]) ||
	    !isxdigit((unsigned char)s[3]))
		return -1;
	char hex[3] = { s[2], s[3], '\0' };

	return (int)strtol(hex, NULL, 16);
}

void
utf8_name_escape(struct buf *out, const char *s, size_t n)
{
	size_t i = 0;
	uint32_t c;

	buf_grow(out, n);
	out->ptr[out->len] = '\0';
	while (i < n) {
		size_t len = utf8_decode(s + i, n - i, &c);

		if (len == 0) {
			buf_printf(out, "\\x%02x", (unsigned char)s[i]);
			len = 1;
		} else if (escape_at(s + i, n - i) >= 0) {
			buf_puts(out, "\\x5c");
		} else {
			buf_add(out, s + i, len);
		}
		i += len;
	}
}

int
utf8_name_unescape(const char *s, char **out)
{
	struct buf b = BUF_INIT;
	size_t n = strlen(s);

	*out = NULL;
	for (size_t i = 0; i < n;) {
		int v = escape_at(s + i, n - i);

		if (v == 0) {
			buf_fini(&b);
			return err_setc(DH_EPARSE, "'\\x00' at byte %zu would put a NUL in the name",
			                i);
		}
		if (v > 0) {
			buf_putc(&b, (char)v);
			i += 4;
		} else {
			buf_putc(&b, s[i++]);
		}
	}
	*out = buf_detach(&b);
	return 0;
}

size_t
utf8_end(const char *s, size_t n)
{
	size_t k = n;

	while (k > 0 && n - k < 4 && ((unsigned char)s[k - 1] & 0xc0) == 0x80)
		k--;
	if (k > 0 && ((unsigned char)s[k - 1] & 0x80)) {
		unsigned char c = (unsigned char)s[k - 1];
		size_t need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;

		if (n - (k - 1) < need)
			return k - 1; /* the last sequence is incomplete */
	}
	return n;
}
