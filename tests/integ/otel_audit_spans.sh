# Each audit record exported as a log record carries the session
# (gen_ai.conversation.id) and the trace and span it belongs to
# (docs/telemetry.md), the records of the events that open a span too: a
# task's session_start belongs to its invoke_agent span and a tool_call
# record to its execute_tool span, though each is written before its event
# starts the span.
. "$DH_TESTS/lib.sh"
OTEL=$DH_TESTS/otel
[ -d "$OTEL/node_modules/@opentelemetry/otlp-transformer" ] \
  || fail "tests/otel/node_modules is missing: run make deps"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "write"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "a\n"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
COL_PID=
trap '[ -z "$COL_PID" ] || kill $COL_PID 2>/dev/null; cleanup' EXIT
node "$OTEL/collector.js" --port-file "$T/col.port" --out "$T/col.jsonl" --mode live \
  >"$T/col.err" 2>&1 &
COL_PID=$!
for _ in $(seq 1 200); do [ -s "$T/col.port" ] && break; sleep 0.05; done
[ -s "$T/col.port" ] || { cat "$T/col.err" >&2; fail "the collector did not start"; }
export OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$(cat "$T/col.port")
export OTEL_EXPORTER_OTLP_PROTOCOL=http/json
run_task "$T/script.json" "$T/out"
kill $COL_PID; wait $COL_PID 2>/dev/null || true; COL_PID=
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
wid=$(jq -r 'select(.type=="tool_call" and .name=="write_file").id' "$T/out")
span() { # NAME: "TRACE SPAN" of the span called NAME
  jq -r 'select(.signal=="traces") | .request.resourceSpans[].scopeSpans[].spans[]
    | select(.name=="'"$1"'") | "\(.traceId) \(.spanId)"' "$T/col.jsonl"
}
logs=$T/logs
jq -c 'select(.signal=="logs") | .request.resourceLogs[].scopeLogs[].logRecords[]
  | {trace: (.traceId // ""), span: (.spanId // ""),
     a: ([.attributes[] | {key, value: (.value.stringValue // .value.intValue)}] | from_entries)}' \
  "$T/col.jsonl" > "$logs"
log_of() { # TYPE: "TRACE SPAN CONVERSATION" of the log record of that audit record
  jq -r 'select(.a."deskhand.audit.type"=="'"$1"'")
    | "\(.trace) \(.span) \(.a."gen_ai.conversation.id")"' "$logs" | head -1
}
agent=$(span "invoke_agent deskhand")
tool=$(span "execute_tool write_file")
[ -n "$agent" ] && [ -n "$tool" ] || fail "no agent or tool span: $(head -c 300 "$T/col.jsonl")"
assert_eq "$(log_of session_start)" "$agent $sid" "session_start's log record"
assert_eq "$(jq -r 'select(.a."deskhand.audit.type"=="tool_call") | "\(.trace) \(.span)"' "$logs" \
  | tail -1)" "$tool" "the write_file tool_call's log record"
assert_eq "$(log_of session_end)" "$agent $sid" "session_end's log record"
# every log record names the session
assert_eq "$(jq -r '.a."gen_ai.conversation.id"' "$logs" | sort -u)" "$sid" "the records' session"
