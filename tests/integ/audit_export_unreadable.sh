# `deskhand audit export` of every session names a session whose audit log
# cannot be read and exits 1, as --help promises, exporting the others all
# the same; a session that ran with audit off (no log) is passed over
# quietly, exit 0. Before, the unreadable log's records were left out of the
# export without a word and the exit status was 0.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "done", "stop_reason": "end_turn"}]}
JSON
run_task "$T/script.json" "$T/a.out"
a=$(jq -r 'select(.type=="session_started").session' "$T/a.out")
kill "$FAKE_PID" 2>/dev/null || true
printf 'set audit = off\n' > "$T/off.conf"
DH_CONFIG=$T/off.conf run_task "$T/script.json" "$T/off.out"
off=$(jq -r 'select(.type=="session_started").session' "$T/off.out")
kill "$FAKE_PID" 2>/dev/null || true
run_task "$T/script.json" "$T/b.out"
b=$(jq -r 'select(.type=="session_started").session' "$T/b.out")
S=$XDG_STATE_HOME/deskhand/sessions
nb=$(wc -l <"$S/$b/audit.jsonl")

# all readable: every record, exit 0, nothing said
"$DESKHAND" audit export >"$T/all" 2>"$T/err" || fail "export failed: $(cat "$T/err")"
assert_eq "$(wc -l <"$T/all")" "$(($(wc -l <"$S/$a/audit.jsonl") + nb))"
assert_eq "$(cat "$T/err")" ""

# a's log cannot be read (a directory in its place: root reads a mode 000 file)
rm "$S/$a/audit.jsonl"; mkdir "$S/$a/audit.jsonl"
for f in jsonl csv; do
  rc=0; "$DESKHAND" audit export --format "$f" >"$T/all" 2>"$T/err" || rc=$?
  assert_eq "$rc" 1 "export --format $f's exit status with an unreadable log"
  assert_contains "$(cat "$T/err")" "deskhand: audit export: $S/$a/audit.jsonl: "
  assert_not_contains "$(cat "$T/err")" "$off"
  # b's records are exported all the same
  want=$nb; [ "$f" = csv ] && want=$((nb + 1))
  assert_eq "$(wc -l <"$T/all")" "$want" "export --format $f's lines"
  assert_contains "$(cat "$T/all")" "$b"
done
echo ok
