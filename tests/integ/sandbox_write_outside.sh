#!/usr/bin/env bash
# Writes outside the grant fail: /etc, /usr, a sibling of the grant (visible read-only via
# --ro), host /tmp (private tmpfs inside), symlink and hardlink tricks. The host is unchanged.
. "$(dirname "$0")/../lib.sh"
[ -x "$SANDBOX" ] || fail "$SANDBOX not built"
bwrap --unshare-all --disable-userns --unshare-user --ro-bind / / true 2>"$T/probe" \
  || skip "bwrap cannot create namespaces here: $(head -1 "$T/probe")"
W=$T/work; mkdir -p "$W"

mkdir -p "$T/sib"; echo keep > "$T/sib/f"; echo host > "$T/hostfile"
hostname_before=$(cat /etc/hostname 2>/dev/null || true)
tag=dhsbx$$
rc=0
out=$("$SANDBOX" --ro "$T" --rw "$W" -- sh -c '
  t=$1; tag=$2
  touch /etc/$tag && echo WROTE-etc
  echo x >> /etc/hostname && echo WROTE-hostname
  touch /usr/bin/$tag && echo WROTE-usr
  touch /var/$tag && echo WROTE-var
  echo x > "$t/sib/f" && echo WROTE-sib
  touch "$t/sib/$tag" && echo WROTE-sib-new
  echo x > "$t/hostfile" && echo WROTE-hostfile
  mkdir "$t/newdir" && echo WROTE-newdir
  ln -s "$t/sib/f" link && { echo x > link && echo WROTE-symlink; }
  ln /etc/passwd hard 2>/dev/null && echo WROTE-hardlink
  mv "$t/sib" "$t/sib2" && echo MOVED-sib
  echo ok-inside > inside
  echo done' sh "$T" "$tag" 2>&1) || rc=$?
assert_eq "$rc" 0 "$out"
assert_contains "$out" "done"
assert_not_contains "$out" "WROTE-"
assert_not_contains "$out" "MOVED-"
assert_contains "$out" "Read-only file system"
[ ! -e "/etc/$tag" ] && [ ! -e "/usr/bin/$tag" ] && [ ! -e "/var/$tag" ] || fail "file created on host"
assert_eq "$(cat /etc/hostname 2>/dev/null || true)" "$hostname_before"
assert_eq "$(cat "$T/sib/f")" keep
assert_eq "$(cat "$T/hostfile")" host
[ ! -e "$T/sib/$tag" ] && [ ! -e "$T/newdir" ] && [ ! -e "$T/sib2" ] && [ ! -e "$W/hard" ] || fail "host changed"
assert_eq "$(cat "$W/inside")" ok-inside

# Without --ro, host /tmp is a private tmpfs: writes land there and vanish.
rc=0; "$SANDBOX" --rw "$W" -- sh -c 'cat "$1/hostfile" 2>/dev/null && echo VISIBLE; echo x > "$1/hostfile"; touch /tmp/$2' sh "$T" "$tag" >"$T/out" 2>&1 || rc=$?
assert_not_contains "$(cat "$T/out")" VISIBLE
assert_eq "$(cat "$T/hostfile")" host
[ ! -e "/tmp/$tag" ] || fail "/tmp/$tag created on host"
echo ok
