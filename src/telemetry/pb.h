/* SPDX-License-Identifier: MIT */
#ifndef DH_TELEMETRY_PB_H
#define DH_TELEMETRY_PB_H

#include <stddef.h>
#include <stdint.h>

/*
 * The Protocol Buffers wire format, writing side only: what the OTLP messages
 * need (https://protobuf.dev/programming-guides/encoding/). A field is its
 * key (field number << 3 | wire type) as a varint, then its value: a varint
 * (wire type 0), 8 little-endian bytes (1), a length-prefixed byte string or
 * nested message (2), or 4 little-endian bytes (5). Everything appends to a
 * struct buf (core/buf.h) and never fails (OOM dies). A nested message is
 * written into its own buffer first and added with pb_bytes: OTLP batches are
 * small, and the copy keeps the writer this simple.
 */

struct buf;

enum pb_wire {
	PB_VARINT = 0,
	PB_I64 = 1,
	PB_LEN = 2,
	PB_I32 = 5,
};

/* A base-128 varint (1 to 10 bytes). */
void pb_varint(struct buf *b, uint64_t v);
/* The key of field `field` (from 1) with wire type `w`. */
void pb_key(struct buf *b, unsigned field, enum pb_wire w);
/* Field `field` as a varint: uint32/uint64/int64/bool/enum (int64 negative
 * values take ten bytes, as protobuf's int64 does). A zero value is written
 * too: leaving defaults out is the caller's choice. */
void pb_uint(struct buf *b, unsigned field, uint64_t v);
/* Field `field` as fixed64 / sfixed64 (8 bytes, little-endian). */
void pb_fixed64(struct buf *b, unsigned field, uint64_t v);
/* Field `field` as fixed32 (4 bytes, little-endian). */
void pb_fixed32(struct buf *b, unsigned field, uint32_t v);
/* Field `field` as a double (IEEE 754 binary64, little-endian). */
void pb_double(struct buf *b, unsigned field, double v);
/* Field `field` as bytes / a string / a nested message: the length as a
 * varint, then `n` bytes of `p`. */
void pb_bytes(struct buf *b, unsigned field, const void *p, size_t n);
/* pb_bytes of a NUL-terminated string, made valid UTF-8 as a string field
 * must be (utf8_scrub: each bad byte U+FFFD, as the JSON encoding writes
 * it); NULL writes nothing. */
void pb_str(struct buf *b, unsigned field, const char *s);
/* pb_bytes of a nested message held in `msg` (any length, also 0). */
void pb_msg(struct buf *b, unsigned field, const struct buf *msg);

#endif
