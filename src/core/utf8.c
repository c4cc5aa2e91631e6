/* SPDX-License-Identifier: MIT */
/*
 * UTF-8 decoding and control-character sanitizing for display. Width and
 * drawing live in ui/draw.c (they need the curses locale).
 */
#include "core/utf8.h"

#include <stdbool.h>
#include <stdio.h>

#include "core/buf.h"

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
		} else if (b == '\t') {
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
			if ((c >= 0x80 && c <= 0x9f) || is_bidi_control(c))
				buf_printf(out, "<U+%04X>", (unsigned)c);
			else if (flags & UTF8_ASCII)
				buf_putc(out, '?');
			else
				buf_add(out, s + i, len);
			i += len;
		}
	}
}
