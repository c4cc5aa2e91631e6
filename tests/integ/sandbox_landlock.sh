#!/usr/bin/env bash
# Landlock, the second layer (SANDBOX.md §4.4): inside the sandbox, writes that the mount view
# allows (the private tmpfs over /run and /var/tmp) fail with EACCES; the grants, /tmp and
# /dev/null stay writable; the restriction holds for grandchildren; DESKHAND_LANDLOCK marks it.
. "$(dirname "$0")/../lib.sh"
[ -x "$SANDBOX" ] || fail "$SANDBOX not built"
bwrap --unshare-all --disable-userns --unshare-user --ro-bind / / true 2>"$T/probe" \
  || skip "bwrap cannot create namespaces here: $(head -1 "$T/probe")"
status=$("$SANDBOX" --status)
assert_contains "$status" "landlock: "
grep -q '^landlock: ABI' <<<"$status" \
  || skip "no Landlock on this kernel: $(grep '^landlock:' <<<"$status")"
abi=$(sed -n 's/^landlock: ABI \([0-9]*\).*/\1/p' <<<"$status")
W=$T/work; mkdir -p "$W/d"; echo keep > "$W/d/f"

# Without Landlock these succeed: /run and /var/tmp are writable tmpfs mounts in the view.
rc=0
out=$("$SANDBOX" --rw "$W" --timeout 20 -- sh -c '
  echo "mark=$DESKHAND_LANDLOCK"
  for p in /run/x /var/tmp/x; do echo data > "$p" 2>/dev/null && echo "WROTE $p" || echo "denied $p"; done
  mkdir /run/dir 2>/dev/null && echo "MKDIR /run/dir" || echo "denied mkdir"
  ln -s /etc/passwd /run/l 2>/dev/null && echo "SYMLINK /run/l" || echo "denied symlink"
  sh -c "echo data > /var/tmp/y" 2>/dev/null && echo "CHILD WROTE" || echo "denied child"
  python3 -c "
import errno
try:
    open(\"/run/z\", \"w\")
    print(\"PY WROTE\")
except OSError as e:
    print(\"errno\", errno.errorcode[e.errno])
" 2>&1
  echo ok > "$HOME/new" && mv "$HOME/new" "$HOME/d/moved" && echo "grant ok"
  echo t > /tmp/t && echo "tmp ok"
  echo n > /dev/null && echo "devnull ok"
  cat /etc/hostname >/dev/null && echo "read ok"
' 2>&1) || rc=$?
assert_eq "$rc" 0 "$out"
assert_contains "$out" "mark=abi-$abi"
assert_contains "$out" "denied /run/x"
assert_contains "$out" "denied /var/tmp/x"
assert_contains "$out" "denied mkdir"
assert_contains "$out" "denied symlink"
assert_contains "$out" "denied child"
assert_not_contains "$out" "WROTE"
assert_not_contains "$out" "MKDIR"
if command -v python3 >/dev/null; then assert_contains "$out" "errno EACCES"; fi
assert_contains "$out" "grant ok"
assert_contains "$out" "tmp ok"
assert_contains "$out" "devnull ok"
assert_contains "$out" "read ok"
# the host saw the grant write, and nothing else changed
assert_eq "$(cat "$W/d/moved")" ok
assert_eq "$(cat "$W/d/f")" keep

# The exec stage is bwrap's command: pid 1's child. Nothing in the sandbox runs unrestricted
# but bwrap's init, which the workload cannot ptrace (seccomp, and Landlock's ptrace rule).
out=$("$SANDBOX" --rw "$W" --timeout 20 -- sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; cat /proc/$$/cmdline | tr "\0" " "')
assert_contains "$out" "sh -c"
echo ok
