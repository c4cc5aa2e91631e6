# The audit log's key is written whole or not at all: a deskhand killed while
# it creates the key (here at the first write of the key's bytes, where the
# old code had created the file already) leaves no empty or torn key that
# every later run would refuse, and the next run works.
. "$DH_TESTS/lib.sh"
command -v strace >/dev/null || fail "strace is missing (make deps installs it)"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "Hello.", "stop_reason": "end_turn"}, {"text": "Hello.", "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
key=$XDG_STATE_HOME/deskhand/audit.key
mkdir -p "$(dirname "$key")"
# LeakSanitizer does not run under ptrace
rc=0
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
  strace -f -qq -o "$T/strace" -P "$key" -e trace=write -e inject=write:signal=KILL \
  "$DESKHAND" run --grant "$G" --mode auto --json "hi" >"$T/out1" 2>"$T/err1" || rc=$?
echo "first run: exit $rc"
if [ -e "$key" ]; then
  grep -qE '^[0-9a-f]{64}$' "$key" || fail "torn audit key ($(wc -c <"$key") bytes)"
fi
leftover=$(ls -A "$(dirname "$key")" | grep dh-tmp || true)
[ -z "$leftover" ] || fail "temporary file left: $leftover"
rc=0; "$DESKHAND" run --grant "$G" --mode auto --json "hi" >"$T/out2" 2>"$T/err2" || rc=$?
assert_eq "$rc" 0 "$(cat "$T/err2")"
grep -qE '^[0-9a-f]{64}$' "$key" || fail "no whole audit key after the second run"
echo ok
