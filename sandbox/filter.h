/* The seccomp filter of deskhand-sandbox, compiled when the helper is built (filter.c,
 * gen_filter.c) and passed to bwrap as bytes (--seccomp FD) for every command.
 */
#ifndef DESKHAND_SANDBOX_FILTER_H
#define DESKHAND_SANDBOX_FILTER_H

#include <stddef.h>

/* Build time only (links libseccomp): compile the policy tables of filter.c and write the BPF
 * program (struct sock_filter[], native byte order, for the build machine's architecture) to
 * fd. Returns 0, or -1 when libseccomp refused a rule or the write failed. */
int filter_export_bpf(int fd);

/* The program filter_export_bpf() wrote when deskhand-sandbox was built (generated
 * filter_bpf.c): filter_bpf_len bytes, a whole number of 8-byte BPF instructions. */
extern const unsigned char filter_bpf[];
extern const size_t filter_bpf_len;

#endif
