/* SPDX-License-Identifier: MIT */
#ifndef DH_ENGINE_VERSION_H
#define DH_ENGINE_VERSION_H

/* The program's version: `deskhand --version` prints it and each session's
 * audit log records it in its session_start record (docs/audit.md). */
#define DESKHAND_VERSION "0.1.0"

#endif
