# Notifications of unattended runs: the notify_command hook runs with
# DESKHAND_SESSION, DESKHAND_STATUS, DESKHAND_SUMMARY and DESKHAND_SCHEDULE
# when a detached run starts waiting and when it finishes; notify-send is run
# when a session bus is there (a fake notify-send on PATH, a fake
# DBUS_SESSION_BUS_ADDRESS), and not without one; a hook that fails is logged
# in the session's engine.log and changes nothing else. A foreground run
# (someone is watching) notifies nobody.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_e2e.sh"
G=$T/work; mkdir -p "$G" "$T/bin"
cat > "$T/bin/notify-send" <<SH
#!/bin/sh
printf '%s|' "\$@" >> "$T/notify-send.log"; echo >> "$T/notify-send.log"
SH
chmod +x "$T/bin/notify-send"
export PATH=$T/bin:$PATH
mkdir -p "$XDG_CONFIG_HOME/deskhand"
cat > "$XDG_CONFIG_HOME/deskhand/config" <<CFG
set notify_command = echo "\$DESKHAND_SESSION \$DESKHAND_STATUS [\$DESKHAND_SCHEDULE] \$DESKHAND_SUMMARY" >> $T/hook.log
CFG
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "Planning.", "tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write a file"}]}}]},
 {"text": "Writing.", "tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "a\n"}}]},
 {"text": "Digest written.\nMore detail.", "stop_reason": "end_turn"}
]}
JSON
# 1. A scheduled run with no session bus: the hook only.
start_fake "$T/script.json"
unset DBUS_SESSION_BUS_ADDRESS
sid=$("$DESKHAND" run --detach --origin schedule:nightly --grant "$G" --approve-plan --mode auto \
  "digest" </dev/null 2>"$T/run.err") || { cat "$T/run.err"; fail "run --detach failed"; }
timeout 30 "$DESKHAND" wait "$sid" >/dev/null 2>&1 || fail "the run did not end done"
wait_file "$T/hook.log" 10
cat "$T/hook.log"
assert_eq "$(cat "$T/hook.log")" "$sid done [nightly] Digest written."
[ ! -e "$T/notify-send.log" ] || fail "notify-send ran with no session bus"

# 2. With a session bus: notify-send too; an ask-mode run tells when it waits.
rm -f "$T/hook.log"; G=$T/work2; mkdir -p "$G"
export DBUS_SESSION_BUS_ADDRESS=unix:path=$T/fake-bus
start_fake "$T/script.json"
sid=$("$DESKHAND" run --detach --grant "$G" --approve-plan --mode ask --approval-deadline 1s \
  "digest" </dev/null 2>"$T/run.err") || { cat "$T/run.err"; fail "run --detach failed"; }
for _ in $(seq 1 200); do grep -q expired "$T/hook.log" 2>/dev/null && break; sleep 0.05; done
cat "$T/hook.log" "$T/notify-send.log"
assert_eq "$(sed -n 1p "$T/hook.log")" "$sid waiting [] waits for an approval: write_file"
assert_contains "$(sed -n 2p "$T/hook.log")" "$sid expired [] nobody answered the approval"
assert_eq "$(head -2 "$T/notify-send.log")" \
  "--app-name=deskhand|deskhand: waiting|waits for an approval: write_file
session $sid|"
assert_contains "$(cat "$T/notify-send.log")" "deskhand: expired|"

# 3. A hook that fails: logged, the run still done.
echo 'set notify_command = exit 3' > "$XDG_CONFIG_HOME/deskhand/config"
unset DBUS_SESSION_BUS_ADDRESS
G=$T/work3; mkdir -p "$G"
start_fake "$T/script.json"
sid=$("$DESKHAND" run --detach --grant "$G" --approve-plan --mode auto "digest" </dev/null \
  2>"$T/run.err") || { cat "$T/run.err"; fail "run --detach failed"; }
timeout 30 "$DESKHAND" wait "$sid" >/dev/null 2>&1 || fail "a failing hook changed the run's end"
log=$XDG_STATE_HOME/deskhand/sessions/$sid/engine.log
for _ in $(seq 1 100); do grep -q "notify_command failed" "$log" && break; sleep 0.05; done
assert_file_contains "$log" "notify_command failed (exit status 3)"

# 4. A foreground run: nobody is notified.
echo "set notify_command = touch $T/foreground-notified" > "$XDG_CONFIG_HOME/deskhand/config"
G=$T/work4; mkdir -p "$G"
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "digest" </dev/null >/dev/null 2>&1 \
  || fail "the foreground run failed"
[ ! -e "$T/foreground-notified" ] || fail "a foreground run ran the hook"
echo ok
