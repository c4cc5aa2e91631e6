# `deskhand audit export --since DATE` takes DATE with a trailing 'Z' (UTC,
# which every record's ts is) as the same instant without it: the records
# of that day, minute or second are kept, not dropped because the 'Z' sorts
# after the ts's 'T' or ':'.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "done", "stop_reason": "end_turn"}]}
JSON
run_task "$T/script.json" "$T/out"
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
A=$XDG_STATE_HOME/deskhand/sessions/$sid/audit.jsonl
[ "$(wc -l <"$A")" -ge 2 ] || fail "fewer than two records in $A"
# known times (export does not verify): the first record a second before
# 08:30, the second at 08:30:12, the rest the next day
jq -c 'if .seq == 1 then .ts = "2026-12-01T08:29:59.500Z"
       elif .seq == 2 then .ts = "2026-12-01T08:30:12.000Z"
       else .ts = "2026-12-02T00:00:00.000Z" end' "$A" > "$T/a" && cat "$T/a" > "$A"
n=$(wc -l <"$A")
count() { "$DESKHAND" audit export --since "$1" "$sid" | wc -l; }
for z in "" Z; do
  assert_eq "$(count "2026-12-01$z")" "$n" "--since 2026-12-01$z"
  assert_eq "$(count "2026-12-01T08:30$z")" "$((n - 1))" "--since 2026-12-01T08:30$z"
  assert_eq "$(count "2026-12-01T08:30:12$z")" "$((n - 1))" "--since 2026-12-01T08:30:12$z"
  assert_eq "$(count "2026-12-01T08:30:13$z")" "$((n - 2))" "--since 2026-12-01T08:30:13$z"
  assert_eq "$(count "2026-12-02$z")" "$((n - 2))" "--since 2026-12-02$z"
  assert_eq "$(count "2026-12-03$z")" 0 "--since 2026-12-03$z"
done
