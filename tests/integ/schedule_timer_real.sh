# The real thing: a systemd user manager of the test's own (its HOME and
# XDG dirs) loads the timer `schedule add` installed, and the timer fires
# the run by itself; the run finishes and its change waits for review.
# Skipped, saying why, where no user manager can run (a machine or
# container not booted with systemd).
. "$DH_TESTS/lib.sh"
sd=/usr/lib/systemd/systemd
[ -x "$sd" ] || skip "no $sd (Debian package systemd): cannot run a user manager"
[ -d /run/systemd/system ] || skip "this machine was not booted with systemd: 'systemd --user' refuses to run here ('Trying to run as user instance, but the system has not been booted with systemd'), so the real timer cannot fire; schedule_fire runs its exact command instead"
G=$T/notes; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write the digest"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "digest.md", "content": "timer\n"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$sd" --user >"$T/manager.log" 2>&1 &
MGR=$!
trap 'kill $MGR 2>/dev/null || true; cleanup' EXIT
for _ in $(seq 1 100); do [ -S "$XDG_RUNTIME_DIR/systemd/private" ] && break; sleep 0.05; done
[ -S "$XDG_RUNTIME_DIR/systemd/private" ] || skip "systemd --user did not start here: $(tail -1 "$T/manager.log")"
mkdir -p "$XDG_CONFIG_HOME/deskhand"
install -m 600 /dev/null "$XDG_CONFIG_HOME/deskhand/schedule.env"
printf 'ANTHROPIC_API_KEY=%s\nANTHROPIC_BASE_URL=%s\nDH_SANDBOX=%s\n' "$ANTHROPIC_API_KEY" \
  "$ANTHROPIC_BASE_URL" "$DH_SANDBOX" > "$XDG_CONFIG_HOME/deskhand/schedule.env"
# every 10 s: the first slot comes within seconds
"$DESKHAND" schedule add tick --at '*:*:0/10' --grant "$G" --mode auto "write digest.md" \
  >"$T/add" 2>&1 || { cat "$T/add"; fail "add with a user manager running"; }
assert_contains "$(cat "$T/add")" "systemd timer deskhand-schedule-tick.timer"
systemctl --user is-active deskhand-schedule-tick.timer >/dev/null || fail "the timer is not active"
log=$XDG_STATE_HOME/deskhand/schedules/tick.log
for _ in $(seq 1 300); do grep -q "	run	" "$log" 2>/dev/null && break; sleep 0.1; done
grep -q "	run	" "$log" 2>/dev/null || fail "the timer never fired: $(systemctl --user status deskhand-schedule-tick.service 2>&1 | tail -5)"
"$DESKHAND" schedule pause tick >/dev/null
id=$(awk -F'\t' '$2 == "run" { print $3; exit }' "$log")
"$DESKHAND" wait "$id" >/dev/null 2>&1 || fail "the timer's run did not finish"
[ -f "$G/digest.md" ] || fail "the timer's run wrote nothing"
assert_contains "$("$DESKHAND" review --session "$id" 2>&1)" "digest.md"
"$DESKHAND" schedule remove tick >/dev/null
echo ok
