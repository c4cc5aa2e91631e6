/* SPDX-License-Identifier: MIT */
/*
 * The sanitizer build's default options (build-asan: deskhand,
 * deskhand-sandbox, unit-tests), read by libasan before ASAN_OPTIONS, which
 * still overrides each of them.
 *
 * handle_sigill=1: UBSan is built to trap (-fsanitize-undefined-trap-on-error,
 * see SANFLAGS in the Makefile), so undefined behaviour stops the program
 * with SIGILL; ASan then reports it as "ERROR: AddressSanitizer: ILL" with
 * the stack and the FILE:LINE of the check that failed, as a test expects of
 * any sanitizer error, and exits with its exitcode.
 *
 * intercept_strstr=0: libgit2's start-up (Debian builds it with mbedTLS)
 * parses the system's CA bundle with a strstr() per certificate, and ASan's
 * strstr() measures the whole rest of the bundle each time: 8-12 ms of CPU in
 * every process that loads libgit2, thousands of them in `make check`.
 */
const char *__asan_default_options(void);

const char *
__asan_default_options(void)
{
	return "handle_sigill=1:intercept_strstr=0";
}
