# The fire path of a schedule, exactly as the timer and the crontab line run
# it: the command taken from the installed crontab line (and from the
# systemd unit's ExecStart=), run with no terminal (setsid, stdin /dev/null).
# The run is a detached session that finishes; its change is pending review
# (schedule list: PENDING 1, `deskhand review`) and accepting it clears that.
# Overlap: a fire while the previous run is live starts nothing, says so, and
# `schedule list` shows the skip; `schedule run` then exits 3. Catch-up: a
# fire long after its slot is recorded as such, once. The run is in `deskhand
# inbox`; accepting clears it. The schedule's max_cost stops a run (budget).
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_front.sh"
G=$T/notes; mkdir -p "$G"; printf 'monday: shipped\n' > "$G/mon.md"
mkdir -p "$T/bin"; ln -s "$DH_TESTS/fake/crontab" "$T/bin/crontab"
export PATH=$T/bin:$PATH DH_FAKE_CRONTAB=$T/crontab
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write the digest"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "digest.md", "content": "# Week\n- shipped\n"}}]},
 {"text": "Wrote digest.md.", "stop_reason": "end_turn"}
]}
JSON
cat > "$T/slow.json" <<'JSON'
{"turns": [{"fault": "slow", "text": "reading the notes slowly", "delay_ms": 4000, "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json" --cursor-per-key
SLOW_LOG=$T/slow.log
python3 "$DH_TESTS/fake/anthropic_server.py" --script "$T/slow.json" --log "$SLOW_LOG" \
  --port-file "$T/slow.port" --cursor-per-key >/dev/null 2>&1 &
SLOW_PID=$!
trap 'kill $SLOW_PID 2>/dev/null || true; cleanup' EXIT
for _ in $(seq 1 100); do [ -s "$T/slow.port" ] && break; sleep 0.05; done
[ -s "$T/slow.port" ] || fail "the slow fake server did not start"

# A third model whose every turn costs $0.45 (100000 in, 10000 out): a cap of
# $0.50 stops the run after the second turn.
cat > "$T/costly.json" <<'JSON'
{"turns": [
 {"usage": {"input_tokens": 100000, "output_tokens": 10000},
  "tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write two files"}]}}]},
 {"usage": {"input_tokens": 100000, "output_tokens": 10000},
  "tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "a\n"}}]},
 {"usage": {"input_tokens": 100000, "output_tokens": 10000},
  "tool_calls": [{"name": "write_file", "input": {"path": "b.txt", "content": "b\n"}}]},
 {"text": "All done.", "stop_reason": "end_turn"}
]}
JSON
python3 "$DH_TESTS/fake/anthropic_server.py" --script "$T/costly.json" --log "$T/costly.log" \
  --port-file "$T/costly.port" >/dev/null 2>&1 &
COSTLY_PID=$!
trap 'kill $SLOW_PID $COSTLY_PID 2>/dev/null || true; cleanup' EXIT
for _ in $(seq 1 100); do [ -s "$T/costly.port" ] && break; sleep 0.05; done
[ -s "$T/costly.port" ] || fail "the costly fake server did not start"

# fire_cmd CMD: run CMD as the scheduler does: no terminal, a session of its own.
fire_cmd() { setsid bash -c "$1" </dev/null >"$T/fire.out" 2>&1; }
# pending NAME: PENDING of schedule NAME in `schedule list --json`.
pending() { "$DESKHAND" schedule list --json | jq -r --arg n "$1" '.[] | select(.name == $n) | .pending'; }

# 1. cron: the installed line's command
DH_SCHEDULER=cron "$DESKHAND" schedule add digest --at '0 8 * * 1' --grant "$G" --mode auto \
  "Write digest.md from this week's notes" >"$T/add.out" 2>&1 || { cat "$T/add.out"; fail "add"; }
line=$(grep '# deskhand-schedule digest$' "$T/crontab") || fail "no crontab line: $(cat "$T/crontab")"
cmd=$(sed -E 's/^([^ ]+ ){5}//' <<<"$line")
assert_contains "$cmd" "$DESKHAND' schedule fire digest"
ANTHROPIC_API_KEY=key-cron fire_cmd "$cmd" || fail "the crontab command failed: $(cat "$T/fire.out")"
id=$(tail -1 "$T/fire.out")
[[ "$id" =~ ^[0-9A-Za-z._-]+$ ]] || fail "fire printed '$(cat "$T/fire.out")', not a session id"
rc=0; "$DESKHAND" wait "$id" >"$T/w" 2>&1 || rc=$?
assert_eq "$rc" 0 "the fired run: $(cat "$T/w")"
assert_eq "$(cat "$G/digest.md")" "$(printf '# Week\n- shipped')"
assert_eq "$("$DESKHAND" schedule list --json | jq -r '.[0] | "\(.last_session) \(.last_status) \(.last_kind)"')" "$id done timer"
assert_eq "$(pending digest)" 1
assert_contains "$("$DESKHAND" review --session "$id" 2>&1)" "digest.md"
assert_contains "$("$DESKHAND" schedule log digest)" "$id"
# the run is in the inbox, named by its schedule, with its pending file
"$DESKHAND" inbox --json >"$T/inbox" || fail "inbox failed"
assert_eq "$(jq -r --arg id "$id" '.[] | select(.id == $id) | "\(.schedule) \(.pending) \(.state)"' "$T/inbox")" "digest 1 done"
assert_contains "$("$DESKHAND" inbox)" "$id"
"$DESKHAND" accept --session "$id" >/dev/null 2>&1 || fail "accept"
assert_eq "$(pending digest)" 0
assert_eq "$("$DESKHAND" inbox --json | jq --arg id "$id" '[.[] | select(.id == $id)] | length')" 0 \
  "accepting everything clears the run's inbox entry"

# 2. overlap: a slow run is live; the timer's fire starts nothing
ANTHROPIC_BASE_URL=http://127.0.0.1:$(cat "$T/slow.port") ANTHROPIC_API_KEY=key-slow \
  fire_cmd "$cmd" || fail "fire (slow): $(cat "$T/fire.out")"
slow=$(tail -1 "$T/fire.out")
wait_state "$slow" working
ANTHROPIC_API_KEY=key-2 fire_cmd "$cmd" || fail "a skipped fire must exit 0: $(cat "$T/fire.out")"
assert_contains "$(cat "$T/fire.out")" "previous run $slow is still live: nothing started"
rc=0; ANTHROPIC_API_KEY=key-3 "$DESKHAND" schedule run digest >"$T/run.out" 2>&1 || rc=$?
assert_eq "$rc" 3 "schedule run during a live run: $(cat "$T/run.out")"
assert_eq "$("$DESKHAND" ls --json | jq length)" 1 "only the slow run is live"
assert_contains "$("$DESKHAND" schedule list)" "skipped"
assert_eq "$("$DESKHAND" schedule list --json | jq -r '.[0].last_skip_reason')" "previous run $slow still live"
assert_eq "$("$DESKHAND" schedule list --json | jq -r '.[0].last_session')" "$slow"
# (the slow run streams for half a minute: these checks all fall inside it)
"$DESKHAND" stop "$slow" >/dev/null 2>&1 || fail "the slow run could not be stopped"
[ "$(grep -c . "$SLOW_LOG")" -ge 1 ] || fail "the slow server saw no request"

# 3. catch-up: the last run is set back 8 days (the machine was off): the
# next fire is recorded as a catch-up, once; the one after is on time.
log=$XDG_STATE_HOME/deskhand/schedules/digest.log
old=$(( $(date +%s) - 8 * 86400 ))
awk -F'\t' -v OFS='\t' -v t="$old" '{ if ($2 == "run" || $2 == "added" || $2 == "skip") $1 = t; print }' "$log" > "$log.new"
mv "$log.new" "$log"
ANTHROPIC_API_KEY=key-catch fire_cmd "$cmd" || fail "fire (catch-up): $(cat "$T/fire.out")"
c1=$(tail -1 "$T/fire.out")
"$DESKHAND" wait "$c1" >/dev/null 2>&1 || fail "the catch-up run failed"
assert_eq "$("$DESKHAND" schedule list --json | jq -r '.[0].last_kind' | cut -c1-8)" "catch-up"
assert_contains "$("$DESKHAND" schedule list)" "catch-up"
ANTHROPIC_API_KEY=key-after fire_cmd "$cmd" || fail "fire (after): $(cat "$T/fire.out")"
c2=$(tail -1 "$T/fire.out")
"$DESKHAND" wait "$c2" >/dev/null 2>&1 || fail "the run after the catch-up failed"
assert_eq "$("$DESKHAND" schedule log --json digest | jq '[.[] | select(.event == "run" and (.detail | startswith("catch-up")))] | length')" 1
assert_eq "$("$DESKHAND" schedule list --json | jq -r '.[0].last_kind')" "timer"

# 4. paused: the timer's fire starts nothing; schedule run does
"$DESKHAND" schedule pause digest >/dev/null || fail "pause"
ANTHROPIC_API_KEY=key-p fire_cmd "$cmd" || fail "fire while paused"
assert_contains "$(cat "$T/fire.out")" "paused: nothing started"
assert_eq "$(grep -c 'deskhand-schedule digest$' "$T/crontab" || true)" 0 "pause removes the crontab line"
"$DESKHAND" schedule resume digest >/dev/null || fail "resume"
assert_eq "$(grep -c 'deskhand-schedule digest$' "$T/crontab")" 1 "resume puts the line back"

# 5. systemd: the service's ExecStart=, run the same way
DH_SCHEDULER=systemd "$DESKHAND" schedule add digest-sd --at 'Mon *-*-* 08:00' --grant "$G" \
  --mode auto "Write digest.md" >"$T/add2.out" 2>&1 || { cat "$T/add2.out"; fail "add (systemd)"; }
unit=$XDG_CONFIG_HOME/systemd/user/deskhand-schedule-digest-sd.service
exec=$(sed -n 's/^ExecStart=//p' "$unit")
envs=$(sed -n 's/^Environment="\(.*\)"$/\1/p' "$unit" | tr '\n' ' ')
assert_contains "$exec" "schedule fire digest-sd"
rm -f "$G/digest.md"
# the scheduler's environment has no API key: schedule.env gives it
envf=$XDG_CONFIG_HOME/deskhand/schedule.env
printf '# for scheduled runs\nANTHROPIC_API_KEY=key-sd\nexport ANTHROPIC_BASE_URL=%s\n' "$ANTHROPIC_BASE_URL" > "$envf"
chmod 644 "$envf"
rc=0; fire_cmd "env -i PATH=$PATH HOME=$HOME XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR DH_SANDBOX=$DH_SANDBOX $envs $exec" || rc=$?
assert_eq "$rc" 1 "a schedule.env readable by others: $(cat "$T/fire.out")"
assert_contains "$(cat "$T/fire.out")" "$envf is readable by others"
chmod 600 "$envf"
fire_cmd "env -i PATH=$PATH HOME=$HOME XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR DH_SANDBOX=$DH_SANDBOX $envs $exec" \
  || fail "the unit's command failed: $(cat "$T/fire.out")"
sd=$(tail -1 "$T/fire.out")
"$DESKHAND" wait "$sd" >/dev/null 2>&1 || fail "the systemd-fired run failed"
[ -f "$G/digest.md" ] || fail "the systemd-fired run wrote nothing"
assert_eq "$(pending digest-sd)" 1
# 6. the spend cap: the run stops at the schedule's max_cost with status budget
G2=$T/costly; mkdir -p "$G2"
DH_SCHEDULER=cron "$DESKHAND" schedule add capped --at daily --grant "$G2" --mode auto \
  --max-cost 0.50 "two files" >/dev/null 2>&1 || fail "add capped"
ANTHROPIC_BASE_URL=http://127.0.0.1:$(cat "$T/costly.port") "$DESKHAND" schedule run capped >"$T/cap.out" 2>&1 \
  || fail "schedule run capped: $(cat "$T/cap.out")"
cap=$(tail -1 "$T/cap.out")
rc=0; "$DESKHAND" wait "$cap" >/dev/null 2>&1 || rc=$?
[ "$rc" != 0 ] || fail "a run stopped by its cap exited 0"
assert_eq "$(jq -r .status "$XDG_STATE_HOME/deskhand/sessions/$cap/meta.json")" budget
grep -q '"type":"budget"' "$XDG_STATE_HOME/deskhand/sessions/$cap/transcript.jsonl" || fail "no budget event"
[ -e "$G2/a.txt" ] && [ ! -e "$G2/b.txt" ] || fail "the cap did not stop the run after the second turn"
assert_eq "$("$DESKHAND" schedule list --json | jq -r '.[] | select(.name == "capped") | .last_status')" budget
assert_eq "$(jq -r .origin "$XDG_STATE_HOME/deskhand/sessions/$cap/meta.json")" "schedule:capped"
echo "ok"
