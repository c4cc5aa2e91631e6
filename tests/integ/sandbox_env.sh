#!/usr/bin/env bash
# The caller's environment (API keys) is not visible inside: not in env, not in /proc/1/environ
# (bwrap's own environment), not in any /proc/*/environ. Only the documented variables are set.
. "$(dirname "$0")/../lib.sh"
[ -x "$SANDBOX" ] || fail "$SANDBOX not built"
bwrap --unshare-all --disable-userns --unshare-user --ro-bind / / true 2>"$T/probe" \
  || skip "bwrap cannot create namespaces here: $(head -1 "$T/probe")"
W=$T/work; mkdir -p "$W"

export ANTHROPIC_API_KEY=sk-secret-a1b2c3 DH_OTHER_SECRET=other-secret-d4e5
rc=0
out=$("$SANDBOX" --rw "$W" --env DH_GIVEN=yes -- sh -c 'env; echo ---; cat /proc/1/environ | tr "\0" "\n"; echo ---; for f in /proc/[0-9]*/environ; do tr "\0" "\n" < "$f"; done; echo end' 2>&1) || rc=$?
assert_eq "$rc" 0 "$out"
assert_contains "$out" "end"
assert_not_contains "$out" "sk-secret"
assert_not_contains "$out" "ANTHROPIC_API_KEY"
assert_not_contains "$out" "other-secret"
assert_contains "$out" "DH_GIVEN=yes"
assert_contains "$out" "HOME=$W"
assert_contains "$out" "TMPDIR=/tmp"
assert_contains "$out" "PATH=/usr/local/bin:/usr/bin:/bin"
# exactly the documented set (plus what sh adds: PWD, and the exec stage's DESKHAND_LANDLOCK)
names=$(sed -n '1,/^---$/p' <<<"$out" | grep -o '^[A-Za-z_][A-Za-z0-9_]*=' | sort | tr -d '=' | tr '\n' ' ')
assert_eq "$names" "DESKHAND_LANDLOCK DH_GIVEN HOME LANG PATH PWD TMPDIR "
echo ok
