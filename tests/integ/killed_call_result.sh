# A run_command cut short must leave the conversation well formed for a
# resume, every tool_use answered by a tool_result in the next message (the
# API refuses anything else; so does the fake server's --check-history), and
# the transcript must say why. An engine stopped with SIGTERM writes that
# result itself, an error naming the signal (it said "interrupted by the
# user", who had done nothing), and ends the session "interrupted" with the
# same reason; one killed outright (SIGKILL) gets the result synthesized, and
# recorded, when the session is resumed.
. "$DH_TESTS/lib.sh"
export DESKHAND
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Run it"}]}}]},
 {"text": "Running.", "tool_calls": [{"name": "run_command",
   "input": {"command": "touch ready && sleep 30"}}]},
 {"text": "Resumed.", "stop_reason": "end_turn"}
]}
JSON
D=$XDG_RUNTIME_DIR/deskhand
# stop_in_command SIGNAL: a session stopped with SIGNAL while its command runs
stop_in_command() {
  rm -f "$G/ready"
  start_fake "$T/script.json" --check-history
  engine_spawn --grant "$G" --approve-plan --mode auto "Run it"
  for _ in $(seq 1 200); do [ -e "$G/ready" ] && break; sleep 0.05; done
  [ -e "$G/ready" ] || fail "the command never started"
  local pid; pid=$(cat "$D/$ENGINE_ID.pid")
  kill -"$1" "$pid"
  for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  kill -0 "$pid" 2>/dev/null && fail "the engine did not exit on SIG$1"
  return 0
}
# run_result: the run_command's tool_result in the transcript's history
# (what a resume sends), as "is_error|content"; empty when there is none
run_result() {
  python3 - "$ENGINE_TR" <<'PY'
import json, sys
use = None
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("type") != "history":
        continue
    for b in r["message"]["content"]:
        if b.get("type") == "tool_use" and b.get("name") == "run_command":
            use = b["id"]
        if b.get("type") == "tool_result" and use and b.get("tool_use_id") == use:
            print("%s|%s" % (b.get("is_error"), b.get("content")))
PY
}

stop_in_command TERM
r=$(run_result)
[ -n "$r" ] || fail "no tool_result for the run_command in the transcript after SIGTERM"
assert_eq "$r" "True|run_command was interrupted: the engine was stopped by SIGTERM"
assert_eq "$(jq -r 'select(.type=="session_finished") | "\(.status): \(.message)"' "$ENGINE_TR")" \
  "interrupted: the engine was stopped by SIGTERM"
"$DESKHAND" run --resume "$ENGINE_ID" --json "go on" > "$T/term.out" 2>"$T/term.err" ||
  fail "resume after SIGTERM exited $?: $(cat "$T/term.err")"
assert_contains "$(cat "$T/term.out")" "Resumed."

stop_in_command KILL
[ -z "$(run_result)" ] || fail "a killed engine wrote a result: $(run_result)"
"$DESKHAND" run --resume "$ENGINE_ID" --json "go on" > "$T/kill.out" 2>"$T/kill.err" ||
  fail "resume after SIGKILL exited $?: $(cat "$T/kill.err")"
assert_contains "$(cat "$T/kill.out")" "Resumed."
r=$(run_result)
[ -n "$r" ] || fail "no tool_result for the killed run_command in the transcript after resume"
assert_contains "$r" "True|interrupted: the session was stopped while this call was pending or"
echo ok
