/* SPDX-License-Identifier: MIT */
/*
 * The Protocol Buffers wire format (encoding side): varints, fixed-width
 * little-endian numbers and length-delimited fields, as specified in
 * https://protobuf.dev/programming-guides/encoding/.
 */
#include "telemetry/pb.h"

#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"

void
pb_varint(struct buf *b, uint64_t v)
{
	unsigned char t[10];
	size_t n = 0;

	do {
		t[n] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			t[n] |= 0x80;
		n++;
	} while (v);
	buf_add(b, t, n);
}

void
pb_key(struct buf *b, unsigned field, enum pb_wire w)
{
	pb_varint(b, ((uint64_t)field << 3) | (unsigned)w);
}

void
pb_uint(struct buf *b, unsigned field, uint64_t v)
{
	pb_key(b, field, PB_VARINT);
	pb_varint(b, v);
}

static void
put_le(struct buf *b, uint64_t v, size_t n)
{
	unsigned char t[8];

	for (size_t i = 0; i < n; i++)
		t[i] = (unsigned char)(v >> (8 * i));
	buf_add(b, t, n);
}

void
pb_fixed64(struct buf *b, unsigned field, uint64_t v)
{
	pb_key(b, field, PB_I64);
	put_le(b, v, 8);
}

void
pb_fixed32(struct buf *b, unsigned field, uint32_t v)
{
	pb_key(b, field, PB_I32);
	put_le(b, v, 4);
}

void
pb_double(struct buf *b, unsigned field, double v)
{
	uint64_t u;

	memcpy(&u, &v, sizeof u);
	pb_fixed64(b, field, u);
}

void
pb_bytes(struct buf *b, unsigned field, const void *p, size_t n)
{
	pb_key(b, field, PB_LEN);
	pb_varint(b, n);
	if (n)
		buf_add(b, p, n);
}

void
pb_str(struct buf *b, unsigned field, const char *s)
{
	if (!s)
		return;
	size_t n = strlen(s);

	if (utf8_valid(s, n)) {
		pb_bytes(b, field, s, n);
		return;
	}
	struct buf v = BUF_INIT;

	utf8_scrub(&v, s, n);
	pb_bytes(b, field, v.ptr, v.len);
	buf_fini(&v);
}

void
pb_msg(struct buf *b, unsigned field, const struct buf *msg)
{
	pb_bytes(b, field, msg->ptr, msg->len);
}
