#!/usr/bin/env bash
# File descriptors the caller holds open do not leak into the sandbox: only 0, 1, 2.
. "$(dirname "$0")/../lib.sh"
[ -x "$SANDBOX" ] || fail "$SANDBOX not built"
bwrap --unshare-all --disable-userns --unshare-user --ro-bind / / true 2>"$T/probe" \
  || skip "bwrap cannot create namespaces here: $(head -1 "$T/probe")"
W=$T/work; mkdir -p "$W"

exec 7</etc/hostname 8>"$T/held" 9<>"$T/held"
out=$("$SANDBOX" --rw "$W" -- sh -c 'ls /proc/self/fd | tr "\n" " "; echo; ls /proc/1/fd | tr "\n" " "')
exec 7<&- 8>&- 9>&-
# ls itself holds one fd (3) for the directory it lists
assert_eq "$(head -1 <<<"$out")" "0 1 2 3 "
# bwrap's pid-1 init keeps only stdio (+ its own eventfd), never the caller's fds
for fd in 7 8 9; do
  [[ " $(tail -1 <<<"$out")" != *" $fd "* ]] || fail "fd $fd visible in pid 1: $out"
done
echo ok
