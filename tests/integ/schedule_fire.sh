# The fire path of a schedule, exactly as the timer and the crontab line run
# it: the command taken from the installed crontab line (and from the
# systemd unit's ExecStart=), run with no terminal (setsid, stdin /dev/null).
# The run is a detached session that finishes; its change is pending review
# (schedule list: PENDING 1, `deskhand review`), it is in `deskhand inbox`
# named by its schedule, and accepting it clears both. The scheduler's
# environment lacks the API key: schedule.env gives it (refused when others
# can read it). The schedule's max_cost stops a run with status budget. In
# ask mode the run waits (list and inbox say so); a fire that cannot start a
# run fails naming why, and the list shows it.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_front.sh"
. "$DH_TESTS/lib_schedule.sh"

# A second model whose every turn costs $0.45 (100000 in, 10000 out): a cap of
# $1.00 lets two turns run ($0.90) and stops the run before the third, which
# could cross it.
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
extra_fake costly "$T/costly.json"

# pending NAME: PENDING of schedule NAME in `schedule list --json`.
pending() { "$DESKHAND" schedule list --json | jq -r --arg n "$1" '.[] | select(.name == $n) | .pending'; }

# 1. cron: the installed line's command
DH_SCHEDULER=cron "$DESKHAND" schedule add digest --at '0 8 * * 1' --grant "$G" --mode auto \
  "Write digest.md from this week's notes" >"$T/add.out" 2>&1 || { cat "$T/add.out"; fail "add"; }
cmd=$(cron_cmd digest)
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

# 2. systemd: the service's ExecStart=, run the same way
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
"$DESKHAND" wait "$sd" >"$T/wsd" 2>&1 || fail "the systemd-fired run failed: $(cat "$T/wsd"; jq -c . "$XDG_STATE_HOME/deskhand/sessions/$sd/meta.json"; tail -5 "$XDG_STATE_HOME/deskhand/sessions/$sd/engine.log")"
[ -f "$G/digest.md" ] || fail "the systemd-fired run wrote nothing"
assert_eq "$(pending digest-sd)" 1
# 3. the spend cap: the run stops at the schedule's max_cost with status budget
G2=$T/costly; mkdir -p "$G2"
DH_SCHEDULER=cron "$DESKHAND" schedule add capped --at daily --grant "$G2" --mode auto \
  --max-cost 1.00 "two files" >/dev/null 2>&1 || fail "add capped"
ANTHROPIC_BASE_URL=$(cat "$T/costly.url") "$DESKHAND" schedule run capped >"$T/cap.out" 2>&1 \
  || fail "schedule run capped: $(cat "$T/cap.out")"
cap=$(tail -1 "$T/cap.out")
rc=0; "$DESKHAND" wait "$cap" >/dev/null 2>&1 || rc=$?
[ "$rc" != 0 ] || fail "a run stopped by its cap exited 0"
assert_eq "$(jq -r .status "$XDG_STATE_HOME/deskhand/sessions/$cap/meta.json")" budget
grep -q '"type":"budget"' "$XDG_STATE_HOME/deskhand/sessions/$cap/transcript.jsonl" || fail "no budget event"
[ -e "$G2/a.txt" ] && [ ! -e "$G2/b.txt" ] || fail "the cap did not stop the run after the second turn"
assert_eq "$("$DESKHAND" schedule list --json | jq -r '.[] | select(.name == "capped") | .last_status')" budget
assert_eq "$(jq -r .origin "$XDG_STATE_HOME/deskhand/sessions/$cap/meta.json")" "schedule:capped"
# 4. ask mode: nothing asks on a terminal; the run waits for an answer, and
# the list and the inbox say so
G3=$T/asked; mkdir -p "$G3"
DH_SCHEDULER=cron "$DESKHAND" schedule add asked --at daily --grant "$G3" "Write digest.md" \
  >/dev/null 2>&1 || fail "add asked"
ANTHROPIC_API_KEY=key-ask fire_cmd "$(cron_cmd asked)" || fail "fire asked: $(cat "$T/fire.out")"
ask=$(tail -1 "$T/fire.out")
for _ in $(seq 1 200); do
  st=$("$DESKHAND" schedule list --json | jq -r '.[] | select(.name == "asked") | .last_status')
  [ "$st" = waiting ] && break; sleep 0.1
done
assert_eq "$st" waiting "the ask-mode run's status in schedule list"
assert_eq "$("$DESKHAND" inbox --json | jq -r --arg id "$ask" '.[] | select(.id == $id) | "\(.waiting) \(.schedule)"')" "true asked"
[ ! -e "$G3/digest.md" ] || fail "the ask-mode run wrote before it was answered"
"$DESKHAND" stop "$ask" >/dev/null 2>&1 || fail "stop the waiting run"

# 5. a fire that cannot start a run (its folder is gone) fails, and says why
rmdir "$G3"
rc=0; ANTHROPIC_API_KEY=key-gone "$DESKHAND" schedule fire asked >"$T/gone.out" 2>&1 || rc=$?
assert_eq "$rc" 1 "fire with its grant gone: $(cat "$T/gone.out")"
assert_contains "$(cat "$T/gone.out")" "$G3"
assert_contains "$("$DESKHAND" schedule list)" "failed to start"
assert_contains "$("$DESKHAND" schedule list --json | jq -r '.[] | select(.name == "asked") | .last_fail_reason')" "$G3"
echo "ok"
