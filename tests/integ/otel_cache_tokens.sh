# gen_ai.usage.input_tokens counts every input token of a request, the cache
# reads and writes included, as the GenAI semantic conventions say (the
# cache_read / cache_creation attributes are parts of it): Anthropic's own
# input_tokens leaves them out, so a backend summing input_tokens would miss
# most of a cached session's input. The same goes for the input side of
# gen_ai.client.token.usage. Checked in the http/json requests as they came
# (tests/otel/raw_collector.py).
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "Done.", "stop_reason": "end_turn",
  "usage": {"input_tokens": 1200, "output_tokens": 80, "cache_read_input_tokens": 3000,
            "cache_creation_input_tokens": 100}}
]}
JSON
COL_PID=
trap '[ -z "$COL_PID" ] || kill $COL_PID 2>/dev/null; cleanup' EXIT
python3 "$DH_TESTS/otel/raw_collector.py" --port-file "$T/col.port" --out "$T/col.jsonl" &
COL_PID=$!
for _ in $(seq 1 200); do [ -s "$T/col.port" ] && break; sleep 0.05; done
[ -s "$T/col.port" ] || fail "the collector did not start"
start_fake "$T/script.json"
OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$(cat "$T/col.port") \
  OTEL_EXPORTER_OTLP_PROTOCOL=http/json "$DESKHAND" run --grant "$G" --json "hello" \
  >"$T/out" 2>"$T/err" </dev/null || { cat "$T/err"; fail "the run failed"; }
kill $COL_PID; wait $COL_PID 2>/dev/null || true; COL_PID=
# the run's own usage event keeps the provider's split
assert_eq "$(jq -c 'select(.type=="usage") | [.input_tokens, .cache_read_tokens]' "$T/out")" \
  '[1200,3000]'
bodies() { # PATH: the decoded JSON bodies sent to PATH
  jq -r --arg p "$1" 'select(.path==$p) | .body | @base64d' "$T/col.jsonl"
}
chat=$(bodies /v1/traces | jq -c '.resourceSpans[].scopeSpans[].spans[]
  | select(.name | startswith("chat ")) | [.attributes[] | {key, value: .value.intValue}]
  | from_entries')
assert_eq "$(jq -c '[."gen_ai.usage.input_tokens", ."gen_ai.usage.cache_read.input_tokens",
  ."gen_ai.usage.cache_creation.input_tokens", ."gen_ai.usage.output_tokens"]' <<<"$chat")" \
  '["4300","3000","100","80"]' "the chat span's token counts"
assert_eq "$(bodies /v1/metrics | jq -r '.resourceMetrics[].scopeMetrics[].metrics[]
  | select(.name=="gen_ai.client.token.usage") | .histogram.dataPoints[]
  | select(.attributes[] | .key=="gen_ai.token.type" and .value.stringValue=="input") | .sum' \
  | tail -1)" 4300 "input tokens in gen_ai.client.token.usage"
echo ok
