# The audit records exported as log records have the severity the journal
# gives them (docs/audit.md, docs/telemetry.md): WARN for a denial, a
# refusal (a path the tools refuse), a connection the egress proxy refused
# and a budget stop; ERROR for an error; INFO for the rest.
. "$DH_TESTS/lib.sh"
OTEL=$DH_TESTS/otel
[ -d "$OTEL/node_modules/@opentelemetry/otlp-transformer" ] \
  || fail "tests/otel/node_modules is missing: run make deps"
G=$T/work; mkdir -p "$G"
printf 'deny write_file(*.env)\n' > "$T/config"
export DH_CONFIG=$T/config
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "go"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "app/.env", "content": "K=1\n"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "x/../y.txt", "content": "y\n"}}]},
 {"tool_calls": [{"name": "web_fetch", "input": {"url": "http://evil.example/x"}}]},
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
sev() { # JQ-CONDITION on the record: the severity of its log record
  jq -r 'select(.signal=="logs") | .request.resourceLogs[].scopeLogs[].logRecords[]
    | select(.body.stringValue | fromjson | '"$1"') | "\(.severityNumber) \(.severityText)"' \
    "$T/col.jsonl" | sort -u
}
assert_eq "$(sev '.type=="decision" and .decision=="deny"')" "13 WARN" "a denial"
assert_eq "$(sev '.type=="refusal" and .name=="write_file"')" "13 WARN" "a refusal"
assert_eq "$(sev '.type=="egress" and .allowed==false')" "13 WARN" "a refused connection"
assert_eq "$(sev '.type=="session_end"')" "9 INFO" "the end"
assert_eq "$(sev '.type=="checkpoint"')" "9 INFO" "a checkpoint"
