#!/usr/bin/env bash
# deskhand-sandbox runs the command in its grant: files written there appear on the host,
# stdout/stderr pass through, the exit status propagates; setup errors exit 125.
. "$(dirname "$0")/../lib.sh"
[ -x "$SANDBOX" ] || fail "$SANDBOX not built"
bwrap --unshare-all --disable-userns --unshare-user --ro-bind / / true 2>"$T/probe" \
  || skip "bwrap cannot create namespaces here: $(head -1 "$T/probe")"

W=$T/work; mkdir -p "$W"
rc=0
out=$("$SANDBOX" --rw "$W" -- sh -c 'echo out; echo err >&2; pwd; echo "$HOME"; echo data > made.txt; exit 3' 2>"$T/err") || rc=$?
assert_eq "$rc" 3 "exit status"
assert_eq "$out" "out
$W
$W"
assert_eq "$(cat "$T/err")" err
assert_eq "$(cat "$W/made.txt")" data "file written in the grant is on the host"

# argv is passed as an array, never through a shell of ours
rc=0; out=$("$SANDBOX" --rw "$W" -- printf '%s|' 'a b' '$HOME' '--bind' ';true') || rc=$?
assert_eq "$rc" 0; assert_eq "$out" 'a b|$HOME|--bind|;true|'

# --chdir and --env
out=$("$SANDBOX" --rw "$W" --chdir /usr --env DH_X=1=2 -- sh -c 'pwd; echo "$DH_X"')
assert_eq "$out" "/usr
1=2"

# death by signal N -> 128+N
rc=0; "$SANDBOX" --rw "$W" -- sh -c 'kill -USR1 $$' || rc=$?
assert_eq "$rc" 138 "killed by SIGUSR1"

# --help, usage errors and setup failures
"$SANDBOX" --help | grep -q -- '--rw DIR' || fail "--help output"
for args in "--rw" "--bogus x -- true" "--rw $W true" "--rw $W --" "--timeout -1 -- true" "--env =x -- true"; do
  rc=0; err=$("$SANDBOX" $args 2>&1 >/dev/null) || rc=$?
  assert_eq "$rc" 125 "usage error for: $args"
  assert_contains "$err" "usage:"
done
touch "$T/file"
for args in "--rw $T/nope" "--rw $T/file" "--rw /" "--rw /proc" "--bwrap $T/nope --rw $W"; do
  rc=0; err=$("$SANDBOX" $args -- true 2>&1) || rc=$?
  assert_eq "$rc" 125 "setup failure for: $args"
  assert_contains "$err" "deskhand-sandbox: "
  assert_eq "$(wc -l <<<"$err")" 1 "one line: $err"
done
rc=0; err=$("$SANDBOX" --bwrap "$T/nope" --rw "$W" -- true 2>&1) || rc=$?
assert_contains "$err" "bwrap not found"
rc=0; err=$("$SANDBOX" --rw "$T/file" -- true 2>&1) || rc=$?
assert_contains "$err" "not a directory"

# A grant so deep that a protected path in it is too long for one lookup: the command
# could still reach it (relative to a folder on the way), so the helper refuses to run
# rather than leave it writable.
long=$T
while [ ${#long} -lt 4085 ]; do long=$long/$(printf 'd%.0s' $(seq 1 $((4085 - ${#long} < 200 ? 4085 - ${#long} : 200)))); done
mkdir -p "$long"; (cd "$long" && echo orig > .bash_profile)
rc=0; err=$(cd "$long" && "$SANDBOX" --rw . -- sh -c 'echo evil > .bash_profile' 2>&1) || rc=$?
assert_eq "$rc" 125 "$err"
assert_contains "$err" "too long: a protected path there cannot be checked"
assert_eq "$(cd "$long" && cat .bash_profile)" orig
echo ok
