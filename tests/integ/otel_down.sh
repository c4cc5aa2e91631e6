# test: serial (asserts on elapsed time)
# The agent never waits for telemetry (docs/telemetry.md): with the
# collector's port closed, and with a collector that takes requests and never
# answers, a detached 12-turn session ends as a session without telemetry
# does (generous bounds: this is a loaded machine), its spans beyond the
# queue's bound (OTEL_BSP_MAX_QUEUE_SIZE=4) are dropped rather than kept, and
# the engine's log (engine.log) reports the counts, the dropped ones too.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_front.sh"
OTEL=$DH_TESTS/otel
[ -d "$OTEL/node_modules/@opentelemetry/otlp-transformer" ] \
  || fail "tests/otel/node_modules is missing: run make deps"
G=$T/work; mkdir -p "$G"
python3 - "$T/script.json" <<'PY'
import json, sys
turns = [{"text": "Plan.", "tool_calls": [{"name": "propose_plan",
          "input": {"steps": [{"title": "Write the files"}]}}]}]
for i in range(10):
    turns.append({"text": "File %d." % i, "tool_calls": [{"name": "write_file",
                  "input": {"path": "f%d.txt" % i, "content": "%d\n" % i}}]})
turns.append({"text": "Done.", "stop_reason": "end_turn"})
json.dump({"turns": turns}, open(sys.argv[1], "w"))
PY
COL_PID=
trap '[ -z "$COL_PID" ] || kill $COL_PID 2>/dev/null; cleanup' EXIT

# session NAME [env…]: a detached session, waited for. Sets ID and MS.
session() {
  local name=$1; shift
  [ -n "$FAKE_PID" ] && { kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null || true; }
  start_fake "$T/script.json"
  rm -rf "$G"; mkdir -p "$G"
  local t0 rc=0
  t0=$(now_ms)
  ID=$(env "$@" "$DESKHAND" run --detach --grant "$G" --approve-plan --mode auto "ten files" \
    2>"$T/$name.err") || { cat "$T/$name.err"; fail "$name: run --detach failed"; }
  "$DESKHAND" wait "$ID" >"$T/$name.wait" 2>&1 || rc=$?
  MS=$(( $(now_ms) - t0 ))
  assert_eq "$rc" 0 "$name: the session's status ($(cat "$T/$name.wait"))"
  [ -e "$G/f9.txt" ] || fail "$name: the session did not finish its work"
}
# otel_line ID: the exporter's counts from the session's engine.log, once the
# engine has ended.
otel_line() {
  local log=$XDG_STATE_HOME/deskhand/sessions/$1/engine.log
  for _ in $(seq 1 200); do grep -q 'otel: sent' "$log" 2>/dev/null && break; sleep 0.05; done
  grep -o 'otel: sent.*' "$log" || { cat "$log" >&2; fail "no telemetry counts in $log"; }
}

session base; id=$ID base=$MS
echo "no telemetry: $base ms"
grep -q 'otel' "$XDG_STATE_HOME/deskhand/sessions/$id/engine.log" \
  && fail "telemetry is off without an endpoint, yet the log speaks of it"

# 1. the collector's port is closed
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
session closed OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$closed OTEL_BSP_MAX_QUEUE_SIZE=4
id=$ID
echo "port closed: $MS ms"
[ "$MS" -lt $((base + 8000)) ] || fail "port closed: $MS ms against $base ms without telemetry"
line=$(otel_line "$id"); echo "$line"
assert_contains "$line" "sent 0 spans"
# 1 + 12 chat + 11 execute_tool spans: all but 4 dropped at the queue, the 4 at the refused send
assert_contains "$line" "dropped 24 spans"
grep -q "otel: http://127.0.0.1:$closed/v1/.*telemetry is dropped" \
  "$XDG_STATE_HOME/deskhand/sessions/$id/engine.log" || fail "port closed: the failure is not logged"

# 2. a collector that never answers
rm -f "$T/col.port"
node "$OTEL/collector.js" --port-file "$T/col.port" --out "$T/hang.jsonl" --mode hang \
  >"$T/col.err" 2>&1 &
COL_PID=$!
for _ in $(seq 1 200); do [ -s "$T/col.port" ] && break; sleep 0.05; done
[ -s "$T/col.port" ] || { cat "$T/col.err"; fail "the collector did not start"; }
session hang OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$(cat "$T/col.port") \
  OTEL_BSP_MAX_QUEUE_SIZE=4 OTEL_BSP_SCHEDULE_DELAY=200
id=$ID
echo "never answers: $MS ms"
# The last export waits at most 2 s, only while the collector has not failed.
[ "$MS" -lt $((base + 10000)) ] || fail "never answers: $MS ms against $base ms without telemetry"
line=$(otel_line "$id"); echo "$line"
assert_contains "$line" "sent 0 spans"
dropped=$(sed -n 's/.*dropped \([0-9]*\) spans.*/\1/p' <<<"$line")
[ "$dropped" -ge 20 ] || fail "never answers: only $dropped spans dropped: the queue is not bounded"
echo "ok"
