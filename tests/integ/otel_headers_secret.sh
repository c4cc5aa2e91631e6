# The collector's credentials in otel_headers (docs/telemetry.md: "an API
# key") are sent as request headers, and nowhere else: the audit log's
# session_start records which headers are set, not their values, so neither
# audit.jsonl nor the log records exported from it to the collector carry
# the key.
. "$DH_TESTS/lib.sh"
OTEL=$DH_TESTS/otel
[ -d "$OTEL/node_modules/@opentelemetry/otlp-transformer" ] \
  || fail "tests/otel/node_modules is missing: run make deps"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "done", "stop_reason": "end_turn"}]}
JSON
COL_PID=
trap '[ -z "$COL_PID" ] || kill $COL_PID 2>/dev/null; cleanup' EXIT
node "$OTEL/collector.js" --port-file "$T/col.port" --out "$T/col.jsonl" --mode live \
  >"$T/col.err" 2>&1 &
COL_PID=$!
for _ in $(seq 1 200); do [ -s "$T/col.port" ] && break; sleep 0.05; done
[ -s "$T/col.port" ] || { cat "$T/col.err" >&2; fail "the collector did not start"; }
cat > "$T/config" <<CONF
set otel_endpoint = http://127.0.0.1:$(cat "$T/col.port")
set otel_protocol = http/json
set otel_headers = authorization=Bearer%20SECRET-TOKEN-77,x-team=blue
CONF
export DH_CONFIG=$T/config
run_task "$T/script.json" "$T/out"
kill $COL_PID; wait $COL_PID 2>/dev/null || true; COL_PID=
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
A=$XDG_STATE_HOME/deskhand/sessions/$sid/audit.jsonl
[ -s "$A" ] || fail "no audit log"
[ -s "$T/col.jsonl" ] || fail "the collector got nothing"
# the headers went to the collector
assert_eq "$(jq -r '.headers.authorization' "$T/col.jsonl" | sort -u)" "Bearer SECRET-TOKEN-77"
assert_eq "$(jq -r '.headers["x-team"]' "$T/col.jsonl" | sort -u)" blue
# the audit log names them, without their values
assert_eq "$(jq -r 'select(.type=="session_start").settings.otel_headers' "$A")" \
  "authorization=(hidden),x-team=(hidden)"
assert_eq "$(jq -r 'select(.type=="session_start").settings_from.otel_headers' "$A")" \
  "$T/config:3"
assert_not_contains "$(cat "$A")" SECRET-TOKEN
# and so do the log records made from it
bodies=$(jq -r 'select(.signal=="logs") | .request.resourceLogs[].scopeLogs[].logRecords[]
  | .body.stringValue' "$T/col.jsonl")
assert_contains "$bodies" '"otel_headers":"authorization=(hidden),x-team=(hidden)"'
assert_not_contains "$bodies" SECRET-TOKEN
assert_not_contains "$(jq -c 'del(.headers)' "$T/col.jsonl")" SECRET-TOKEN
"$DESKHAND" audit verify "$sid" >/dev/null || fail "the log does not verify"
