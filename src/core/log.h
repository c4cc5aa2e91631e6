/* SPDX-License-Identifier: MIT */
#ifndef DH_CORE_LOG_H
#define DH_CORE_LOG_H

#include "core/err.h"

/*
 * Debug log to a file (never the tty), enabled by -v or DH_LOG=1 (STYLE.md
 * §3.18). Messages are prefixed with the time and __func__. Thread-safe:
 * one write(2) per line with O_APPEND.
 */

/* Open `path` for appending (creating parent directories is the caller's job).
 * Returns 0 or DH_EFAIL. Logging stays off until this succeeds. */
int log_open(const char *path) DH_MUST_CHECK;
void log_close(void);
void log_write(const char *level, const char *func, const char *fmt, ...) DH_PRINTF(3, 4);

#define log_debug(...) log_write("debug", __func__, __VA_ARGS__)
#define log_info(...)  log_write("info", __func__, __VA_ARGS__)
#define log_warn(...)  log_write("warn", __func__, __VA_ARGS__)

#endif
