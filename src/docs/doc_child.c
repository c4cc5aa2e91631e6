/* SPDX-License-Identifier: MIT */
/*
 * A PDF's text read in a child process. poppler lays out a page in one call
 * (poppler_page_get_text) that nothing can interrupt: a hostile page (a
 * content stream of a few thousand words set small) keeps it for minutes,
 * and the thread that called it (the engine's worker, with the checkpoints
 * and reads queued behind it) with it. So the reader is deskhand itself
 * run as `deskhand doc-text` (doc_child_main): the document comes in on
 * its stdin (a memfd), the text of each page goes out on its stdout as the
 * page is done, and a last record after a NUL byte gives the result code
 * and message. The parent waits on a loop of its own (proc_run_stoppable)
 * and kills the child's group at the time limit, or at once when the
 * caller's stop fd says the text is no longer wanted; the child also runs
 * under a limit of address space (RLIMIT_AS), so a document that would take
 * the machine's memory ends the child instead.
 *
 * The text a child sends is the bytes doc_pdf_text() put in its buffer,
 * capped as it caps them: a document read apart gives the same output as
 * one read in the process.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/atomic.h"
#include "core/ev.h"
#include "core/fsutil.h"
#include "core/log.h"
#include "core/proc.h"
#include "core/xalloc.h"
#include "docs/doc_int.h"

/* The sanitizers reserve terabytes of address space for their shadow
 * memory: under them a child with an address-space limit could not start. */
#if defined(__SANITIZE_ADDRESS__)
#define CHILD_AS_LIMIT 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) ||                  \
	__has_feature(thread_sanitizer)
#define CHILD_AS_LIMIT 0
#endif
#endif
#ifndef CHILD_AS_LIMIT
#define CHILD_AS_LIMIT 1
#endif

/* The bytes of the child's stderr looked at for why it stopped (its last). */
#define ERR_TAIL 4096
/* The child's stderr is a memfd: poppler may report many syntax errors. */
#define ERR_MAX ((rlim_t)16 << 20)

/* The program run as the reader; NULL: documents are read in the process. */
static const char *child_exe;

void
doc_child_set(const char *exe)
{
	child_exe = exe;
}

bool
doc_child_is_set(void)
{
	return child_exe != NULL;
}

/*
 * The child
 */

/* "1", "20000" → *out; false for anything else. */
static bool
parse_num(const char *s, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	return *s >= '0' && *s <= '9' && !*end && errno == 0;
}

static enum doc_kind
kind_named(const char *s)
{
	for (enum doc_kind k = DOC_XLSX; k <= DOC_PDF; k++)
		if (!strcmp(doc_kind_name(k), s))
			return k;
	return DOC_NONE;
}

/* Its own limits, set before the document is read: address space, no core
 * file from an abort, a bound on the stderr file, and an end with the
 * process that waits for it. The parent kills it at max_ms; should the
 * parent die first (the engine killed), the death signal ends it, and
 * failing that (it died before the prctl) a CPU limit a second past max_ms. */
static void
child_limits(size_t max_mem, unsigned max_ms)
{
	struct rlimit none = { 0, 0 }, err = { ERR_MAX, ERR_MAX };
	rlim_t secs = (rlim_t)max_ms / 1000 + 2;
	struct rlimit cpu = { secs, secs + 1 };

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setrlimit(RLIMIT_CPU, &cpu);
	setrlimit(RLIMIT_CORE, &none);
	signal(SIGXFSZ, SIG_IGN);
	setrlimit(RLIMIT_FSIZE, &err);
	if (CHILD_AS_LIMIT && max_mem) {
		struct rlimit as = { (rlim_t)max_mem, (rlim_t)max_mem };

		setrlimit(RLIMIT_AS, &as);
	}
}

int
doc_child_main(int argc, char **argv)
{
	unsigned long long pages, text, ms, mem, input;
	struct buf data = BUF_INIT, out = BUF_INIT, tail = BUF_INIT;
	struct doc_limits lim;
	struct doc_ctx c;
	enum doc_kind kind;
	int rc;

	if (argc != 8 || (kind = kind_named(argv[1])) == DOC_NONE || !parse_num(argv[2], &pages) ||
	    !parse_num(argv[3], &text) || !parse_num(argv[4], &ms) || !parse_num(argv[5], &mem) ||
	    !parse_num(argv[6], &input) || pages > UINT_MAX || ms > UINT_MAX) {
		fputs("usage: deskhand doc-text KIND PAGES TEXT MS MEM INPUT NAME (run by deskhand "
		      "itself: the document on stdin, its text on stdout)\n",
		      stderr);
		return 2;
	}
	doc_limits_default(&lim);
	lim.max_pages = (unsigned)pages;
	lim.max_text = (size_t)text;
	lim.max_ms = (unsigned)ms;
	lim.max_mem = (size_t)mem;
	lim.max_input = (size_t)input;
	child_limits(lim.max_mem, lim.max_ms);
	doc_ctx_init(&c, argv[7], &lim, &out);
	c.out_fd = STDOUT_FILENO;
	if ((rc = fsutil_read_fd(STDIN_FILENO, lim.max_input, &data)) < 0)
		rc = err_set("%s: %s", c.name, err_msg());
	else if ((rc = doc_check_input(&c, data.len)) == 0)
		rc = doc_text_run(&c, data.ptr ? data.ptr : "", data.len, kind);
	doc_flush(&c);
	buf_putc(&tail, '\0');
	buf_printf(&tail, "%d\n%s", rc, rc < 0 ? err_msg() : "");
	rc = atomic_write_all(STDOUT_FILENO, tail.ptr, tail.len);
	buf_fini(&data);
	buf_fini(&out);
	buf_fini(&tail);
	return rc < 0 ? 1 : 0;
}

/*
 * The parent
 */

/* A memfd holding n bytes of data, at offset 0; -1 with the message set. */
static int
data_fd(const char *name, const void *data, size_t n)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0)
		return err_set("memfd_create: %s", strerror(errno));
	if ((data && n && atomic_write_all(fd, data, n) < 0) || lseek(fd, 0, SEEK_SET) < 0) {
		err_set("writing the document for its reader: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* The last ERR_TAIL bytes of the child's stderr into tail (ERR_TAIL + 1
 * bytes), a NUL-terminated line. */
static void
err_tail(int errfd, char *tail)
{
	off_t end = lseek(errfd, 0, SEEK_END);
	off_t from = end > ERR_TAIL ? end - ERR_TAIL : 0;
	ssize_t n = end > 0 ? pread(errfd, tail, (size_t)(end - from), from) : 0;

	n = n > 0 ? n : 0;
	tail[n] = '\0';
	for (ssize_t i = 0; i < n; i++)
		if (!tail[i] || tail[i] == '\n')
			tail[i] = ' ';
}

/* Whether the child's stderr ends saying an allocation failed: our "out of
 * memory", poppler's "Out of memory", glib's "failed to allocate",
 * libstdc++'s std::bad_alloc. */
static bool
said_no_memory(const char *tail)
{
	return strcasestr(tail, "memory") || strcasestr(tail, "alloc");
}

/* The child ended without its last record: killed at the limit, out of
 * memory, or crashed. Returns DH_EFAIL with the message set. */
static int
why_stopped(struct doc_ctx *c, int wstatus, const char *tail)
{
	if (WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL && doc_elapsed_ms(c) >= c->lim->max_ms)
		return doc_err_time(c);
	if (CHILD_AS_LIMIT && c->lim->max_mem && said_no_memory(tail))
		return err_set("%s: the document needs more than %zu MiB to read, the limit for one "
		               "document; reading stopped there",
		               c->name, c->lim->max_mem >> 20);
	if (WIFSIGNALED(wstatus))
		return err_set("%s: the PDF reader stopped on signal %d (%s) before it finished; the "
		               "document may be damaged or hostile",
		               c->name, WTERMSIG(wstatus), strsignal(WTERMSIG(wstatus)));
	return err_set("%s: the PDF reader ended with status %d before it finished; the "
	               "document may be damaged or hostile",
	               c->name, WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
}

int
doc_child_text(struct doc_ctx *c, const void *data, size_t n, enum doc_kind kind)
{
	char nums[5][24];
	const unsigned long long vals[5] = { c->lim->max_pages, c->lim->max_text, c->lim->max_ms,
		                             c->lim->max_mem, c->lim->max_input };
	const char *argv[] = { child_exe, "doc-text", doc_kind_name(kind), nums[0], nums[1],
		               nums[2],   nums[3],    nums[4],            c->name, NULL };
	struct buf o = BUF_INIT;
	struct ev_loop *l = NULL;
	int in, errfd = -1, ws = -1, rc;

	for (size_t i = 0; i < 5; i++)
		snprintf(nums[i], sizeof nums[i], "%llu", vals[i]);
	if ((in = data_fd("deskhand-doc", data, n)) < 0)
		return DH_EFAIL;
	if ((errfd = memfd_create("deskhand-doc-err", MFD_CLOEXEC)) < 0) {
		rc = err_set("memfd_create: %s", strerror(errno));
		goto out;
	}
	long left = (long)c->lim->max_ms - doc_elapsed_ms(c);
	struct proc_spec spec = {
		.argv = argv,
		.stdin_fd = in,
		.output_cap = c->lim->max_text + 65536, /* the text, its cap's note, the record */
		.stderr_apart = true,
		.stderr_fd = errfd,
	};

	if ((rc = ev_new_private(&l)) == 0)
		rc = proc_run_stoppable(l, &spec, left > 0 ? (int)left : 1, c->lim->stop_fd, &ws, &o);
	if (rc == DH_ECANCELED) {
		rc = err_setc(DH_ECANCELED, "%s: reading was stopped before it ended", c->name);
		goto out;
	}
	if (rc < 0) {
		rc = err_set("%s: could not start the PDF reader: %s", c->name, err_msg());
		goto out;
	}
	const char *text = buf_cstr(&o); /* NUL-terminated after its len */
	const char *end = memchr(text, '\0', o.len);
	char tail[ERR_TAIL + 1];

	if (c->out)
		buf_add(c->out, text, end ? (size_t)(end - text) : o.len);
	if (!end || !WIFEXITED(ws) || WEXITSTATUS(ws)) {
		/* what it said, for whoever looks into it (a sanitizer's
		 * report among it) */
		err_tail(errfd, tail);
		log_warn("%s: the PDF reader ended with wait status %#x: %s", c->name, (unsigned)ws,
		         tail);
	}
	if (!end) {
		rc = why_stopped(c, ws, tail);
		goto out;
	}
	char *rest;
	long code = strtol(end + 1, &rest, 10);
	const char *msg = *rest == '\n' && rest[1] ? rest + 1 : "the PDF reader failed";

	if (code < 0)
		rc = err_setc(code >= DH_ECONFLICT ? (int)code : DH_EFAIL, "%s", msg);
	else
		rc = 0;
out:
	ev_free(l);
	buf_fini(&o);
	close(in);
	if (errfd >= 0)
		close(errfd);
	return rc;
}
