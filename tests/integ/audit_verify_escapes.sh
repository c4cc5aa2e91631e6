# What `deskhand audit verify` quotes from a tampered log or head (the
# session a head claims, the key id it names) is printed with its control
# characters made visible: a rewritten audit.head cannot clear the screen
# or print a fake "ok" line over the fault verify reports.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "done", "stop_reason": "end_turn"}]}
JSON
run_task "$T/script.json" "$T/out"
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
H=$XDG_STATE_HOME/deskhand/sessions/$sid/audit.head
jq -c --arg s "$(printf 'x\033[2J\r%s: ok: 5 records\033[K' "$sid")" '.session = $s' "$H" > "$T/h"
cat "$T/h" > "$H"
rc=0; "$DESKHAND" audit verify "$sid" > "$T/v" 2>&1 || rc=$?
assert_eq "$rc" 1 "verify's exit status ($(cat -v "$T/v"))"
assert_contains "$(cat "$T/v")" "$sid: bad head: "
assert_contains "$(cat "$T/v")" \
  "is the head of session x^[[2J^M$sid: ok: 5 records^[[K, not of $sid"
if LC_ALL=C grep -q "$(printf '[\033\r]')" "$T/v"; then
  fail "verify printed a raw control character: $(cat -v "$T/v")"
fi
# the key id a head names, too
jq -c --arg k "$(printf '\033[31mkey')" '.key = $k | .hmac = ("0" * 64)' "$T/h" \
  | jq -c --arg s "$sid" '.session = $s' > "$H"
rc=0; "$DESKHAND" audit verify "$sid" > "$T/v" 2>&1 || rc=$?
assert_eq "$rc" 1 "verify's exit status ($(cat -v "$T/v"))"
assert_contains "$(cat "$T/v")" "made with another key (^[[31mkey)"
if LC_ALL=C grep -q "$(printf '\033')" "$T/v"; then
  fail "verify printed a raw escape: $(cat -v "$T/v")"
fi
