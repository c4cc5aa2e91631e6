# `deskhand audit export`, `audit verify` and `usage` whose output cannot be
# written (standard output on a full disk: /dev/full) say so, naming the
# error, and exit 1: an export cut short is not taken for a whole one.
# Before, every one of them exited 0 with nothing said.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
[ -w /dev/full ] || skip "no /dev/full"
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "done", "stop_reason": "end_turn",
  "usage": {"input_tokens": 100, "output_tokens": 5}}]}
JSON
run_task "$T/script.json" "$T/out"
for cmd in "audit export" "audit export --format csv" "audit verify" "audit verify --all" \
    "usage" "usage --json" "usage --by session"; do
  # the same command to a file works
  $DESKHAND $cmd >"$T/file" 2>"$T/err" || fail "$cmd failed: $(cat "$T/err")"
  [ -s "$T/file" ] || fail "$cmd printed nothing"
  rc=0; $DESKHAND $cmd >/dev/full 2>"$T/err" || rc=$?
  assert_eq "$rc" 1 "$cmd's exit status on a full disk"
  assert_contains "$(cat "$T/err")" "standard output: No space left on device"
done
# an export bigger than one write (records of many sessions)
S=$XDG_STATE_HOME/deskhand/sessions
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
for i in $(seq 1 40); do cp -a "$S/$sid" "$S/${sid:0:15}-x$i"; done
rc=0; "$DESKHAND" audit export >/dev/full 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "a long export's exit status on a full disk"
assert_eq "$(grep -c 'standard output: No space left on device' "$T/err")" 1
echo ok
