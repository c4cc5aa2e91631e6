# OpenTelemetry export (docs/telemetry.md): a scripted session against the fake
# model with OTEL_EXPORTER_OTLP_ENDPOINT set sends its spans, metrics and the
# audit records as logs to a collector on loopback that decodes them with the
# official opentelemetry-proto definitions (tests/otel/collector.js), for
# http/protobuf and http/json. Checked: an invoke_agent root span, a chat span
# per model request under it (model, provider, token usage, finish reasons),
# an execute_tool span per tool call (tool name, call id, decision), the token
# usage histogram and tool call counter, the audit records as log records tied
# to the trace; no prompt or file content leaves without otel_log_content = on,
# and with it on the task and the tool arguments are there.
. "$DH_TESTS/lib.sh"
OTEL=$DH_TESTS/otel
[ -d "$OTEL/node_modules/@opentelemetry/otlp-transformer" ] \
  || fail "tests/otel/node_modules is missing: run make deps"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "Planning.", "usage": {"input_tokens": 1200, "output_tokens": 80},
  "tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write the file"}]}}]},
 {"text": "Writing.", "usage": {"input_tokens": 1500, "output_tokens": 60},
  "tool_calls": [{"name": "write_file", "input": {"path": "secret.txt", "content": "PAYLOAD-42\n"}}]},
 {"text": "All done.", "stop_reason": "end_turn", "usage": {"input_tokens": 1700, "output_tokens": 20}}
]}
JSON
COL_PID=
trap '[ -z "$COL_PID" ] || kill $COL_PID 2>/dev/null; cleanup' EXIT
start_collector() { # MODE OUT
  rm -f "$T/col.port"
  node "$OTEL/collector.js" --port-file "$T/col.port" --out "$2" --mode "$1" >"$T/col.err" 2>&1 &
  COL_PID=$!
  for _ in $(seq 1 200); do [ -s "$T/col.port" ] && break; sleep 0.05; done
  [ -s "$T/col.port" ] || { cat "$T/col.err" >&2; fail "the collector did not start"; }
  COL_URL=http://127.0.0.1:$(cat "$T/col.port")
}

# run_session PROTOCOL OUT [content]: one session exported to a new collector.
run_session() {
  start_collector live "$T/$2.jsonl"
  [ -n "$FAKE_PID" ] && { kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null || true; }
  start_fake "$T/script.json"
  rm -rf "$G"; mkdir -p "$G"
  local conf=$T/$2.conf
  # the environment wins over the config, as for every setting
  echo 'set otel_endpoint = http://127.0.0.1:9' > "$conf"
  [ "${3:-}" = content ] && echo 'set otel_log_content = on' >> "$conf"
  DH_CONFIG=$conf OTEL_EXPORTER_OTLP_ENDPOINT=$COL_URL OTEL_EXPORTER_OTLP_PROTOCOL=$1 \
    OTEL_SERVICE_NAME=dh-test OTEL_RESOURCE_ATTRIBUTES='deployment.environment=ci,team=a%2Cb' \
    OTEL_EXPORTER_OTLP_HEADERS='x-api-key=k%20123' \
    "$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "write the secret file" \
    >"$T/$2.out" 2>"$T/$2.err" </dev/null || { cat "$T/$2.err"; fail "$1: the run failed"; }
  kill $COL_PID; wait $COL_PID 2>/dev/null || true; COL_PID=
  [ -s "$T/$2.jsonl" ] || fail "$1: the collector got nothing"
  if jq -e 'select(.error)' "$T/$2.jsonl" >/dev/null; then
    fail "$1: a request did not decode: $(jq -c "select(.error) | [.signal, .error]" "$T/$2.jsonl")"
  fi
}

# spans FILE: every span as {name, kind, trace, id, parent, attrs{key: value}, status}
spans() {
  jq -c '.request.resourceSpans[]?.scopeSpans[].spans[]
    | {name, kind, trace: .traceId, id: .spanId, parent: (.parentSpanId // ""),
       status: (.status.code // 0),
       attrs: ([.attributes[]? | {key, value: (.value | .stringValue // .intValue // .doubleValue
               // .boolValue // ([.arrayValue.values[]?.stringValue]))}] | from_entries)}' "$1"
}

check_export() { # PROTOCOL OUT ENCODING
  local f=$T/$2.jsonl sp=$T/$2.spans
  assert_eq "$(jq -r .encoding "$f" | sort -u)" "$3" "$1: the request encoding"
  assert_eq "$(jq -r '.headers["x-api-key"]' "$f" | sort -u)" "k 123" "$1: OTEL_EXPORTER_OTLP_HEADERS"
  spans "$f" > "$sp"
  # the resource: service.name from OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES decoded
  local res
  res=$(jq -c 'select(.signal=="traces") | [.request.resourceSpans[].resource.attributes[]
        | {key, value: .value.stringValue}] | from_entries' "$f" | head -1)
  assert_eq "$(jq -r '."service.name"' <<<"$res")" dh-test "$1: service.name"
  assert_eq "$(jq -r '."team"' <<<"$res")" "a,b" "$1: a percent-encoded resource attribute"
  assert_eq "$(jq -r '."deployment.environment"' <<<"$res")" ci "$1: resource attribute"
  # invoke_agent: the root, one per task
  assert_eq "$(jq -r 'select(.attrs."gen_ai.operation.name"=="invoke_agent") | .name' "$sp")" \
    "invoke_agent deskhand" "$1: the agent span"
  local root trace sid
  root=$(jq -r 'select(.attrs."gen_ai.operation.name"=="invoke_agent") | .id' "$sp")
  trace=$(jq -r 'select(.attrs."gen_ai.operation.name"=="invoke_agent") | .trace' "$sp")
  sid=$(jq -r 'select(.type=="session_started") | .session' "$T/$2.out")
  assert_eq "$(jq -r 'select(.id=="'"$root"'") | .parent' "$sp")" "" "$1: invoke_agent is a root"
  assert_eq "$(jq -r 'select(.id=="'"$root"'") | .attrs."gen_ai.conversation.id"' "$sp")" "$sid"
  # chat: one per model request, children of the agent span
  assert_eq "$(jq -r 'select(.attrs."gen_ai.operation.name"=="chat") | .name' "$sp" | sort -u)" \
    "chat claude-sonnet-4-5" "$1: chat span names"
  assert_eq "$(jq -r 'select(.attrs."gen_ai.operation.name"=="chat") | .parent' "$sp" | sort -u)" \
    "$root" "$1: chat spans' parent"
  assert_eq "$(jq -r 'select(.attrs."gen_ai.operation.name"=="chat") | .kind' "$sp" | sort -u)" 3 \
    "$1: chat spans are CLIENT"
  assert_eq "$(jq -c 'select(.attrs."gen_ai.operation.name"=="chat")
      | [.attrs."gen_ai.usage.input_tokens", .attrs."gen_ai.usage.output_tokens",
         .attrs."gen_ai.response.finish_reasons"[0], .attrs."gen_ai.provider.name",
         .attrs."gen_ai.request.model"]' "$sp" | tr '\n' ' ')" \
    '["1200","80","tool_use","anthropic","claude-sonnet-4-5"] ["1500","60","tool_use","anthropic","claude-sonnet-4-5"] ["1700","20","end_turn","anthropic","claude-sonnet-4-5"] ' \
    "$1: chat spans' usage and finish reasons"
  # execute_tool: one per call, with the call's id and the decision
  assert_eq "$(jq -r 'select(.attrs."gen_ai.operation.name"=="execute_tool") | .name' "$sp" | sort | tr '\n' ' ')" \
    "execute_tool propose_plan execute_tool write_file " "$1: tool spans"
  assert_eq "$(jq -r 'select(.attrs."gen_ai.operation.name"=="execute_tool") | .parent' "$sp" | sort -u)" \
    "$root" "$1: tool spans' parent"
  local wid
  wid=$(jq -r 'select(.type=="tool_call" and .name=="write_file") | .id' "$T/$2.out")
  assert_eq "$(jq -r 'select(.name=="execute_tool write_file") | .attrs."gen_ai.tool.call.id"' "$sp")" "$wid"
  assert_eq "$(jq -r 'select(.name=="execute_tool write_file") | .attrs."gen_ai.tool.name"' "$sp")" write_file
  assert_eq "$(jq -r '.trace' "$sp" | sort -u)" "$trace" "$1: one trace"
  # metrics: token usage (histogram, by token type), tool calls by name and decision
  local m=$T/$2.metrics
  jq -c '.request.resourceMetrics[]?.scopeMetrics[].metrics[]' "$f" > "$m"
  [ -s "$m" ] || fail "$1: no metrics"
  assert_eq "$(jq -r 'select(.name=="gen_ai.client.token.usage") | .histogram.dataPoints[]
      | select(.attributes[] | .key=="gen_ai.token.type" and .value.stringValue=="input") | .sum' "$m" | tail -1)" \
    4400 "$1: input tokens in gen_ai.client.token.usage"
  assert_eq "$(jq -r 'select(.name=="gen_ai.client.token.usage") | .histogram.dataPoints[]
      | select(.attributes[] | .key=="gen_ai.token.type" and .value.stringValue=="output") | .count' "$m" | tail -1)" \
    3 "$1: three requests in the output token histogram"
  assert_eq "$(jq -r 'select(.name=="deskhand.tool.calls") | .sum.dataPoints[]
      | select(.attributes[] | .key=="gen_ai.tool.name" and .value.stringValue=="write_file") | .asDouble' "$m" | tail -1)" \
    1 "$1: write_file calls"
  assert_eq "$(jq -r 'select(.name=="deskhand.cost") | .unit' "$m" | tail -1)" USD "$1: the cost counter"
  # logs: the audit records, in order, tied to the trace
  local l=$T/$2.logs
  jq -c '.request.resourceLogs[]?.scopeLogs[].logRecords[]' "$f" > "$l"
  local want
  want=$(wc -l < "$XDG_STATE_HOME/deskhand/sessions/$sid/audit.jsonl")
  assert_eq "$(wc -l < "$l")" "$want" "$1: one log record per audit record"
  assert_eq "$(jq -r '.body.stringValue | fromjson | .type' "$l" | head -1)" session_start
  assert_eq "$(jq -r '.body.stringValue | fromjson | .type' "$l" | tail -1)" session_end
  assert_eq "$(jq -r 'select(.traceId) | .traceId' "$l" | sort -u)" "$trace" "$1: logs' trace"
  assert_eq "$(jq -r 'select((.body.stringValue | fromjson | .type)=="tool_result"
      and (.body.stringValue | fromjson | .name)=="write_file") | .spanId' "$l")" \
    "$(jq -r 'select(.name=="execute_tool write_file") | .id' "$sp")" "$1: a call's record is in its span"
}

run_session http/protobuf pb
check_export http/protobuf pb protobuf
# Nothing the person or the model wrote leaves without otel_log_content = on.
assert_not_contains "$(cat "$T/pb.jsonl")" "PAYLOAD-42"
assert_not_contains "$(cat "$T/pb.jsonl")" "write the secret file"

run_session http/json js content
check_export http/json js json
assert_eq "$(spans "$T/js.jsonl" | jq -r 'select(.attrs."gen_ai.operation.name"=="invoke_agent") | .attrs."deskhand.task"')" \
  "write the secret file" "otel_log_content = on: the task"
assert_contains "$(spans "$T/js.jsonl" | jq -r 'select(.name=="execute_tool write_file") | .attrs."gen_ai.tool.call.arguments"')" \
  "PAYLOAD-42"

# `config` names the variable in effect, and the config's value once it is unset.
o=$(OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 DH_CONFIG=$T/pb.conf "$DESKHAND" config otel_endpoint)
assert_contains "$o" "set otel_endpoint = http://127.0.0.1:4318"
assert_contains "$o" "env OTEL_EXPORTER_OTLP_ENDPOINT"
o=$(env -u OTEL_EXPORTER_OTLP_ENDPOINT DH_CONFIG=$T/pb.conf "$DESKHAND" config otel_endpoint)
assert_contains "$o" "set otel_endpoint = http://127.0.0.1:9"
assert_contains "$o" "pb.conf:1"

# A bad setting names itself.
rc=0
OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:9 OTEL_EXPORTER_OTLP_PROTOCOL=grpc \
  "$DESKHAND" run --grant "$G" --approve-plan --mode auto "x" >"$T/bad" 2>&1 </dev/null || rc=$?
[ "$rc" != 0 ] || fail "a bad OTEL_EXPORTER_OTLP_PROTOCOL was taken"
assert_contains "$(cat "$T/bad")" "OTEL_EXPORTER_OTLP_PROTOCOL: 'otel_protocol' must be one of http/protobuf|http/json, not 'grpc'"
echo "ok"
