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
 *
 * At exit, LeakSanitizer scans every loaded module's writable data for
 * pointers, libasan's own 5.6 MB of zero-fill data (.bss) included, and
 * each of its pages it reads first is a page fault: ~1,080 of them per
 * process, each a trap that a virtual machine makes dear. san_prefault()
 * maps them all in one madvise(MADV_POPULATE_READ) just before the scan
 * (an atexit() handler registered after libasan's own leak check runs
 * before it). `deskhand sessions`, 30 runs each, alternating twice: 30.2
 * and 30.8 ms of CPU against 39.9 and 35.8 ms, 1,178 page faults against
 * 2,255. A kernel before 5.14 refuses the advice; the scan then faults as
 * before.
 */
#include <link.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 /* Linux 5.14, <linux/mman.h> */
#endif

const char *__asan_default_options(void);

const char *
__asan_default_options(void)
{
	return "handle_sigill=1:intercept_strstr=0";
}

/* dl_iterate_phdr() callback: prefault libasan's zero-fill data. */
static int
san_prefault_module(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	(void)data;
	if (!strstr(info->dlpi_name, "/libasan.so"))
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t begin = info->dlpi_addr + ph->p_vaddr + ph->p_filesz;
		uintptr_t end = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W))
			continue;
		begin = (begin + 4095) & ~(uintptr_t)4095;
		if (end > begin)
			madvise((void *)begin, end - begin, MADV_POPULATE_READ);
	}
	return 1;
}

static void
san_prefault(void)
{
	dl_iterate_phdr(san_prefault_module, NULL);
}

__attribute__((constructor)) static void
san_prefault_at_exit(void)
{
	atexit(san_prefault);
}
