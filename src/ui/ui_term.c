/* SPDX-License-Identifier: MIT */
/*
 * The workbench's terminal I/O: keys, the mouse, copy through OSC 52, and
 * the DECRQM reply taken out of the key stream.
 */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "agent/event.h"
#include "engine/client.h"
#include "core/buf.h"
#include "core/ev.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "ui/draw.h"
#include "ui/keymap.h"
#include "ui/layout.h"
#include "ui/pane.h"
#include "ui/screen_dump.h"
#include "ui/script.h"
#include "ui/theme.h"
#include "ui/ui_int.h"

void
ui_write_tty(struct ui *u, const char *s)
{
	size_t n = strlen(s);

	if (u->display && write(fileno(u->out), s, n) != (ssize_t)n)
		log_debug("tty write: %s", strerror(errno));
}

static void
base64_encode(struct buf *out, const unsigned char *s, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16;
		size_t k = n - i < 3 ? n - i : 3;

		if (k > 1)
			v |= (unsigned)s[i + 1] << 8;
		if (k > 2)
			v |= s[i + 2];
		buf_putc(out, tab[(v >> 18) & 63]);
		buf_putc(out, tab[(v >> 12) & 63]);
		buf_putc(out, k > 1 ? tab[(v >> 6) & 63] : '=');
		buf_putc(out, k > 2 ? tab[v & 63] : '=');
	}
}

/* The lines of the selected block (the cursor's model item: a message, a
 * tool call, a hunk) without style markers, to the clipboard. */
void
ui_copy_selection(struct ui *u, struct pane *p)
{
	struct buf text = BUF_INIT;
	long c;

	pane_refresh_lines(p);
	c = p->cursor < 0 || p->follow ? (long)p->nlines - 1 : p->cursor;
	if (c < 0 || (size_t)c >= p->nlines) {
		ui_message(u, true, "nothing to copy");
		return;
	}
	int item = p->lines[c].item;
	long a = c, b = c;
	while (item >= 0 && a > 0 && p->lines[a - 1].item == item)
		a--;
	while (item >= 0 && (size_t)b + 1 < p->nlines && p->lines[b + 1].item == item)
		b++;
	for (long i = a; i <= b; i++) {
		for (const char *s = p->lines[i].text; *s; s++)
			if (!draw_is_marker(*s))
				buf_putc(&text, *s);
		buf_putc(&text, '\n');
	}
	if (ui_copy_text(u, text.ptr, text.len) == 0)
		ui_message(u, false, "copied %ld line(s), %zu bytes", b - a + 1, text.len);
	buf_fini(&text);
}

int
ui_copy_text(struct ui *u, const char *text, size_t n)
{
	struct buf seq = BUF_INIT;
	int rc = DH_EFAIL;

	buf_puts(&seq, "\033]52;c;");
	base64_encode(&seq, (const unsigned char *)text, n);
	buf_puts(&seq, "\033\\");
	if (u->display) {
		fflush(u->out);
		if (write(fileno(u->out), seq.ptr, seq.len) != (ssize_t)seq.len)
			ui_message(u, true, "copy: %s", strerror(errno));
		else
			rc = 0;
	}
	buf_fini(&seq);
	return rc;
}

/* The mouse is optional: a click focuses a pane, the wheel scrolls the
 * pane under the pointer, or the overlay (help, :sessions, ...) that covers
 * them. */
static void
on_mouse(struct ui *u)
{
	MEVENT me;

	if (getmouse(&me) != OK)
		return;
	if (ui_overlay_shown(u)) {
		if (me.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
			enum action a = me.bstate & BUTTON4_PRESSED ? ACTION_UP : ACTION_DOWN;

			/* As the keys move it (overlay_key()). */
			for (int k = 0; k < 3; k++)
				ui_global_action(u, a);
		}
		return;
	}
	for (int i = 0; i < LAYOUT__COUNT; i++) {
		struct pane *p = &u->panes[i];

		if (!p->win || !wenclose(p->win, me.y, me.x))
			continue;
		if (me.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
			/* Through the pane's own action: in the diff pane the
			 * cursor's row decides the file shown. */
			enum action a = me.bstate & BUTTON4_PRESSED ? ACTION_UP : ACTION_DOWN;
			for (int k = 0; k < 3; k++)
				if (!p->ops->action || !p->ops->action(p, a))
					pane_move(p, a);
			p->dirty = true;
		} else if ((me.bstate & BUTTON1_PRESSED) && i != (int)u->focus) {
			u->focus = (enum layout_pane)i;
			for (int k = 0; k < LAYOUT__COUNT; k++) {
				u->panes[k].focused = k == i;
				u->panes[k].dirty = true;
			}
			u->input_dirty = true;
		}
		return;
	}
}

/*
 * The reply to the DECRQM query for mode 2026 sent at start, CSI ? 2026 ; Ps
 * $ y, arrives as keys; it is taken out of the key stream, never waited for.
 * Ps 1 or 2: supported; 0 or 4: not.
 */
static bool
rq_take(struct ui *u, int key)
{
	static const char head[] = "\033[?2026;";
	size_t hn = sizeof head - 1;
	bool ok;

	if (u->nrq < hn)
		ok = key == head[u->nrq];
	else if (u->nrq == hn)
		ok = key >= '0' && key <= '9';
	else if (u->rq[u->nrq - 1] == '$')
		ok = key == 'y';
	else
		ok = (key >= '0' && key <= '9') || key == '$';
	if (!ok || u->nrq >= sizeof u->rq / sizeof u->rq[0])
		return false;
	u->rq[u->nrq++] = key;
	if (key == 'y') {
		int ps = u->rq[hn] - '0';

		u->sync = u->nrq == hn + 3 && (ps == 1 || ps == 2);
		u->sync_known = true;
		u->nrq = 0;
	}
	return true;
}

/*
 * Alt: terminals send Alt-b as Esc and then b. ncurses returns a lone Esc
 * only after ESCDELAY with nothing behind it, so a key read in the same
 * drain right after an Esc came with it (as readline's keyseq-timeout).
 * The pair is the Alt key when that is bound somewhere; else Esc and the
 * key, as they were before Alt keys had names (tmux's send-keys writes
 * "Escape q" in one go).
 */
static void
tty_key(struct ui *u, int key)
{
	if (u->esc_held) {
		int alt = keymap_key_canon(key) | KEYMAP_ALT;

		u->esc_held = false;
		if (key != 27 && !(key & KEYMAP_ALT) && keymap_has_key(alt)) {
			ui_handle_key(u, alt);
			return;
		}
		ui_handle_key(u, 27);
	}
	if (key == 27)
		u->esc_held = true;
	else
		ui_handle_key(u, key);
}

/* The end of a drain: an Esc still held is a key of its own. */
static void
tty_key_flush(struct ui *u)
{
	if (u->esc_held) {
		u->esc_held = false;
		ui_handle_key(u, 27);
	}
}

/* The held keys were not the reply after all: they are keys. */
static void
rq_flush(struct ui *u)
{
	size_t n = u->nrq;

	u->nrq = 0;
	for (size_t i = 0; i < n; i++)
		tty_key(u, u->rq[i]);
}

/*
 * The next key waiting, or -1 when none is. A multibyte (UTF-8) locale
 * reads wide characters: a byte from 0x80 up is part of a character there,
 * never Alt (as tmux and vim take it). In a single-byte locale the 8th bit
 * may be Meta instead (xterm with metaSendsEscape off, some SSH clients:
 * Alt-b is 0xE2): a byte that is an Alt key bound somewhere is that key,
 * as vim has it, any other is the locale's character, and one that is no
 * character there is dropped. Bytes are read one by one there, as
 * wget_wch() would take a byte it cannot convert for the start of a
 * longer character and swallow the keys behind it.
 */
static int
tty_read_key(const struct ui *u)
{
	wint_t wc;
	int r;

	if (!u->meta8) {
		r = wget_wch(stdscr, &wc);
		if (r == ERR)
			return -1;
		return r == KEY_CODE_YES ? (int)(KEYMAP_FKEY | (int)wc) : (int)wc;
	}
	while ((r = wgetch(stdscr)) != ERR) {
		if (r >= KEY_MIN)
			return KEYMAP_FKEY | r;
		if (r < 0x80)
			return r;
		int alt = keymap_key_canon(r & 0x7f) | KEYMAP_ALT;

		if (keymap_has_key(alt))
			return alt;
		if ((wc = btowc(r)) != WEOF)
			return (int)wc;
		log_debug("key byte %#x: no character in this locale", (unsigned)r);
	}
	return -1;
}

void
ui_on_tty(struct ev_loop *l, int fd, unsigned revents, void *ctx)
{
	struct ui *u = ctx;
	int key;

	(void)fd;
	if (revents & (POLLHUP | POLLERR)) {
		/* The terminal went away (SSH dropped): stop reading it and
		 * detach; the task goes on. */
		ev_io_del(l, fileno(u->in));
		ui_hang_up(u);
		return;
	}
	while ((key = tty_read_key(u)) >= 0) {
		if (key == (KEYMAP_FKEY | KEY_RESIZE))
			continue; /* SIGWINCH comes through the signalfd */
		if (key == (KEYMAP_FKEY | KEY_MOUSE)) {
			on_mouse(u);
			continue;
		}
		if (!u->sync_known) {
			if (rq_take(u, key))
				continue;
			if (u->nrq > 0) {
				rq_flush(u);
				if (rq_take(u, key))
					continue;
			}
		}
		tty_key(u, key);
	}
	if (u->nrq > 0)
		rq_flush(u); /* a lone Esc is a key */
	tty_key_flush(u);
}
