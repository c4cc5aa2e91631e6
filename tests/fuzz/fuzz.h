/* SPDX-License-Identifier: MIT */
#ifndef DH_TESTS_FUZZ_H
#define DH_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * Shared by the libFuzzer targets in tests/fuzz/ (one per parser; README
 * "Fuzzing"). Each target calls the project's real parsing function on the
 * input and checks the properties its header promises; a broken promise
 * aborts, which libFuzzer reports as a crash with the input saved.
 */

/* The libFuzzer entry points (https://llvm.org/docs/LibFuzzer.html). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Abort with `what` when `ok` is false: a property of the parser broke. */
#define FUZZ_CHECK(ok, what)                                                              \
	do {                                                                              \
		if (!(ok)) {                                                              \
			fprintf(stderr, "fuzz: %s:%d: property broken: %s\n", __FILE__,  \
			        __LINE__, what);                                          \
			abort();                                                          \
		}                                                                         \
	} while (0)

/* A deterministic sequence of chunk sizes in 1..max for one input, so that a
 * saved crash replays the same way: xorshift seeded from the input's bytes. */
static inline uint64_t
fuzz_seed(const uint8_t *data, size_t size)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 1099511628211ull;
	return h ? h : 1;
}

static inline size_t
fuzz_chunk(uint64_t *state, size_t max)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return 1 + (size_t)(x % max);
}

#endif
