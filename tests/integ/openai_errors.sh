# Errors of OpenAI-compatible servers in each one's shape (PROTOCOLS.md §2.3,
# §2.4): a 429 with retry-after and a 503 are retried, and a stream cut
# before its finish_reason starts again, until the session finishes; an error
# object of a bad request in the middle of a stream (llama.cpp, vLLM: with and
# without [DONE] after it) and a 400 in vLLM's old flat shape end the run with
# a one-line error naming it, not retried; an Azure deployment gets its URL, api-version
# and api-key header, and Azure's error shape is named.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"fault": "status", "status": 429, "retry_after": "1"},
 {"fault": "status", "status": 503, "shape": "llamacpp"},
 {"fault": "cut_mid_text", "text": "Half an ans"},
 {"text": "All fine."},
 {"fault": "mid_stream_error", "text": "Starting", "done": false,
  "error_type": "invalid_request_error", "code": 400},
 {"fault": "mid_stream_error", "text": "Starting", "done": true,
  "error_type": "invalid_request_error", "code": 400},
 {"fault": "status", "status": 400, "shape": "flat", "body": "{\"object\":\"error\",\"message\":\"max_tokens is too large\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}"}
]}
JSON
start_fake_openai "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --json "hello" 2>"$T/err") || { cat "$T/err"; fail "run failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
assert_eq "$(jq -r 'select(.type=="retry")|.attempt' <<<"$out" | tr '\n' ' ')" "1 2 3 "
reasons=$(jq -r 'select(.type=="retry").reason' <<<"$out")
assert_contains "$reasons" "HTTP 429 rate_limit_exceeded: Rate limit reached for requests"
assert_contains "$reasons" "HTTP 503 unavailable_error: Loading model"
assert_contains "$reasons" "stream ended mid-response"
# retry-after: 1 honoured
assert_eq "$(jq -r 'select(.type=="retry" and .attempt==1).delay_ms' <<<"$out")" 1000
assert_eq "$(wc -l < "$FAKE_LOG")" 4
assert_eq "$(jq -c .body "$FAKE_LOG" | sort -u | wc -l)" 1 "the retries resend the same body"
assert_contains "$(jq -r 'select(.type=="text_delta").text' <<<"$out" | tr -d '\n')" "All fine."

run_fails_once mid_stream "stream error invalid_request_error: fake: the model crashed"
run_fails_once mid_stream_done "stream error invalid_request_error: fake: the model crashed"
run_fails_once flat "HTTP 400 BadRequestError: max_tokens is too large"
kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null || true; FAKE_PID=

# Azure: a deployment URL with api-version, the key in api-key.
cat > "$T/azure.json" <<'JSON'
{"turns": [
 {"text": "Hello from Azure.", "usage": {"prompt_tokens": 20, "completion_tokens": 4}},
 {"fault": "status", "status": 404, "body": "{\"error\":{\"code\":\"DeploymentNotFound\",\"message\":\"The API deployment for this resource does not exist.\"}}"}
]}
JSON
rm -f "$FAKE_LOG"
start_fake_openai "$T/azure.json" --azure 2024-10-21 --require-key az-key-9
cat > "$T/azure.conf" <<EOF2
provider corp kind = azure
provider corp base_url = $FAKE_URL
provider corp key_env = AZ_KEY
provider corp api_version = 2024-10-21
set model = corp/prod-4o
EOF2
export DH_CONFIG=$T/azure.conf AZ_KEY=az-key-9
unset OPENAI_API_KEY
out=$("$DESKHAND" run --grant "$G" --json "hello" 2>"$T/err") || { cat "$T/err"; fail "azure run failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
req=$(head -1 "$FAKE_LOG")
assert_eq "$(jq -r .path <<<"$req")" "/openai/deployments/prod-4o/chat/completions?api-version=2024-10-21"
assert_eq "$(jq -r '.headers["api-key"]' <<<"$req")" "<redacted>"
assert_eq "$(jq -r '.headers.authorization' <<<"$req")" null
assert_eq "$(jq -r '.body.max_completion_tokens' <<<"$req")" 8192
assert_eq "$(jq -r '.body.max_tokens' <<<"$req")" null
run_fails_once azure_404 "HTTP 404 DeploymentNotFound: The API deployment for this resource does not exist."
echo ok
