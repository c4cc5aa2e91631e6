#!/usr/bin/env bash
# Secrets under $HOME, /root and the rest of /home, /tmp, /run are not readable inside.
. "$(dirname "$0")/../lib.sh"
[ -x "$SANDBOX" ] || fail "$SANDBOX not built"
bwrap --unshare-all --disable-userns --unshare-user --ro-bind / / true 2>"$T/probe" \
  || skip "bwrap cannot create namespaces here: $(head -1 "$T/probe")"
W=$T/work; mkdir -p "$W"

mkdir -p "$HOME/.ssh"; echo "SECRET-KEY-d41d8c" > "$HOME/.ssh/id_rsa"; chmod 600 "$HOME/.ssh/id_rsa"
echo "SECRET-TMP-8f00b2" > "$T/tmp-secret"
rc=0
out=$("$SANDBOX" --rw "$W" -- sh -c '
  cat "$1/.ssh/id_rsa" && echo READ-SSH
  cat "$2" && echo READ-TMP
  grep -r SECRET- "$1" /root /home /run 2>/dev/null && echo GREP-HIT
  echo "root:$(ls -A /root | wc -l) home:$(ls -A /home | wc -l) run:$(ls -A /run | grep -vx deskhand-sandbox | wc -l)"
  ls -A /tmp' sh "$HOME" "$T/tmp-secret" 2>&1) || rc=$?
assert_not_contains "$out" "SECRET-"
assert_not_contains "$out" "READ-"
assert_not_contains "$out" "GREP-HIT"
assert_contains "$out" "No such file or directory"
assert_contains "$out" "root:0 home:0 run:0"
# /tmp holds only the path down to the grant
assert_eq "$(tail -1 <<<"$out")" "$(basename "$T")"

# A host file in /root (as root, the sandbox's uid 0 would own it) stays invisible.
if [ -w /root ] && [ -n "$(ls -A /root)" ]; then
  one=$(ls -A /root | head -1)
  rc=0; "$SANDBOX" --rw "$W" -- ls -d "/root/$one" >/dev/null 2>&1 || rc=$?
  [ "$rc" -ne 0 ] || fail "/root/$one visible inside"
fi

# A hidden directory that is a symlink (/srv -> var/srvdata, as /home -> var/home on
# image-based systems): the tmpfs goes over what it names. Seen in a root where /srv is
# one (an overlay of /, in a private mount namespace; bwrap cannot run in a chroot, so
# the argv is what is checked).
O=$T/ov
mkdir -p "$O"
if unshare -m sh -c "mount --make-rprivate / && mount -t tmpfs t '$O' && mkdir '$O/u' '$O/w' '$O/m' \
     '$O/u/var' '$O/u/var/srvdata' && ln -s var/srvdata '$O/u/srv' && \
     mount -t overlay o -o 'lowerdir=/,upperdir=$O/u,workdir=$O/w' '$O/m' && \
     mount -t proc proc '$O/m/proc' && chroot '$O/m' '$SANDBOX' --rw '$W' --print-argv -- true" \
     >"$T/ov.argv" 2>"$T/ov.err"; then
  assert_contains "$(paste -sd' ' "$T/ov.argv")" "--tmpfs /var/srvdata"
else
  echo "note: no overlay of / here ($(head -1 "$T/ov.err")); the symlinked hidden directory is not checked"
fi
echo ok
