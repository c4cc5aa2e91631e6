#!/usr/bin/env bash
# No capabilities inside (bwrap started as root keeps them all unless told), no new privileges,
# and /proc/sys read-only: sysctl checks the euid, so uid 0 without caps could otherwise set
# kernel.core_pattern on the host.
. "$(dirname "$0")/../lib.sh"
[ -x "$SANDBOX" ] || fail "$SANDBOX not built"
bwrap --unshare-all --disable-userns --unshare-user --ro-bind / / true 2>"$T/probe" \
  || skip "bwrap cannot create namespaces here: $(head -1 "$T/probe")"
W=$T/work; mkdir -p "$W"

out=$("$SANDBOX" --rw "$W" -- sh -c 'grep -E "^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):" /proc/self/status')
for c in CapInh CapPrm CapEff CapBnd CapAmb; do assert_contains "$out" "$c:	0000000000000000"; done
assert_contains "$out" "NoNewPrivs:	1"

before=$(cat /proc/sys/kernel/core_pattern)
rc=0
out=$("$SANDBOX" --rw "$W" -- sh -c 'v=$(cat /proc/sys/kernel/core_pattern); printf "%s\n" "$v" > /proc/sys/kernel/core_pattern && echo WROTE-core_pattern
  echo dh > /proc/sys/kernel/hostname && echo WROTE-hostname
  chown 1:1 . && echo CHOWNED; mknod null2 c 1 3 && echo MKNOD; true' 2>&1) || rc=$?
assert_not_contains "$out" "WROTE-"
assert_not_contains "$out" "CHOWNED"
assert_not_contains "$out" "MKNOD"
assert_contains "$out" "Read-only file system"
assert_eq "$(cat /proc/sys/kernel/core_pattern)" "$before"
echo ok
