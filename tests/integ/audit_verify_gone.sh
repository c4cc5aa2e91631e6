# A session's audit log deleted whole, its keyed head left behind: `deskhand
# audit verify --all` (and verify of that session) names it 'deleted' and
# exits 1; it is not a session that ran with audit off. A session that did
# run with audit off (no log and no head) still reads as such, exit 0.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "done", "stop_reason": "end_turn"}]}
JSON
run_task "$T/script.json" "$T/out"
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
D=$XDG_STATE_HOME/deskhand/sessions/$sid
[ -s "$D/audit.jsonl" ] && [ -s "$D/audit.head" ] || fail "no audit log or head in $D"
"$DESKHAND" audit verify --all >/dev/null || fail "verify --all failed on an intact log"
head_seq=$(jq -r .seq "$D/audit.head")

# a session run with audit off: no log, no head
printf 'set audit = off\n' > "$T/off.conf"
kill "$FAKE_PID" 2>/dev/null || true
DH_CONFIG=$T/off.conf run_task "$T/script.json" "$T/off.out"
off=$(jq -r 'select(.type=="session_started").session' "$T/off.out")
[ ! -e "$XDG_STATE_HOME/deskhand/sessions/$off/audit.jsonl" ] || fail "audit = off kept a log"
v=$("$DESKHAND" audit verify --all) || fail "verify --all failed with an audit-off session: $v"
assert_contains "$v" "$off: no audit log (audit was off)"

# the log deleted, its head left
rm "$D/audit.jsonl"
rc=0; v=$("$DESKHAND" audit verify --all 2>&1) || rc=$?
assert_eq "$rc" 1 "verify --all's exit status with a deleted log ($v)"
assert_contains "$v" "$sid: deleted: "
assert_contains "$v" "record $head_seq"
assert_not_contains "$v" "$sid: no audit log (audit was off)"
assert_contains "$v" "$off: no audit log (audit was off)"
rc=0; v=$("$DESKHAND" audit verify "$sid" 2>&1) || rc=$?
assert_eq "$rc" 1 "verify ID's exit status with a deleted log ($v)"
assert_contains "$v" "$sid: deleted: "
