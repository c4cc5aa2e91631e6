#!/usr/bin/env bash
# run_command's COMMAND is `/bin/sh -c STRING`. A simple STRING (plain words: no quoting,
# expansion, redirection, operator, assignment, keyword or builtin) runs without the shell:
# its program's parent is bwrap's init, not sh, and its environment is the one the shell
# would have given it. Anything else goes through the shell, and so does every exec that
# fails, so "not found", "not executable" and a script without #! read as they always did.
. "$(dirname "$0")/../lib.sh"
[ -x "$SANDBOX" ] || fail "$SANDBOX not built"
bwrap --unshare-all --disable-userns --unshare-user --ro-bind / / true 2>"$T/probe" \
  || skip "bwrap cannot create namespaces here: $(head -1 "$T/probe")"
command -v python3 >/dev/null || skip "python3 is not installed"
W=$T/work; mkdir -p "$W"
cat >"$W/parent.py" <<'PY'
import os, sys
print(open("/proc/%d/comm" % os.getppid()).read().strip())
sys.exit(int(sys.argv[1]) if sys.argv[1:] and sys.argv[1].isdigit() else 0)
PY
run() { "$SANDBOX" --rw "$W" --chdir "$W" -- /bin/sh -c "$1" 2>&1; }

# Simple: the program is bwrap's init's child; blanks (spaces, tabs) only separate words.
assert_eq "$(run "python3 $W/parent.py")" "bwrap" "a simple command ran under a shell"
assert_eq "$(run "  python3	$W/parent.py   ")" "bwrap" "blanks around the words"
assert_eq "$(run "python3 $W/parent.py a=b,c:d+e@f%g")" "bwrap" "plain characters and = after the first word"
rc=0; run "python3 $W/parent.py 3" >/dev/null || rc=$?
assert_eq "$rc" 3 "the program's exit status"

# Anything the shell would act on goes through it.
for s in "python3 $W/parent.py;" "python3 '$W/parent.py'" "python3 \"$W/parent.py\"" \
         "X=1 python3 $W/parent.py" "python3 \$HOME/parent.py" "python3 $W/parent.py 2>&1" \
         "python3 $W/parent*.py" "python3 ~/parent.py" "cd $W && python3 parent.py" \
         "command python3 $W/parent.py" "python3 $W/parent.py # comment" \
         "python3 $W/parent.py
"; do
  out=$(run "$s")
  assert_eq "$out" "sh" "not simple, so through the shell: $s"
done
# sh's own words stay its own: dash's echo builtin prints -e; true with an argument is the
# builtin (coreutils' true would print its usage for --help).
assert_eq "$(run 'echo -e x')" "-e x" "echo is the shell's builtin"
assert_eq "$(run 'true --help')" "" "true --help is the shell's builtin"
run true >/dev/null || fail "true did not exit 0"
rc=0; run false >/dev/null || rc=$?
assert_eq "$rc" 1 "false"

# The environment is the shell's: the same variables, PWD exported as dash does.
assert_eq "$(run env | sort)" "$(run 'env;' | sort)" "env without the shell vs through it"
assert_contains "$(run env)" "PWD=$W"

# A failed exec falls back to the shell, which reports it as it always did.
rc=0; out=$(run 'no-such-program-dh a b') || rc=$?
assert_eq "$rc" 127 "$out"
assert_contains "$out" "no-such-program-dh: not found"
printf 'x\n' >"$W/noexec"
rc=0; out=$(run './noexec') || rc=$?
assert_eq "$rc" 126 "$out"
assert_contains "$out" "Permission denied"
printf 'echo from-script\n' >"$W/noshebang"; chmod +x "$W/noshebang"
assert_eq "$(run './noshebang')" "from-script" "a script without #! runs as the shell runs it"
echo ok
