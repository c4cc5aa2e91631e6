# `deskhand models`: the built-in providers and the config's provider lines
# (their key variables, whether set, header names but never their values),
# the registry's models, and which provider and model a name picks; a bad
# provider line names FILE:LINE, a model of an unknown provider names it.
. "$DH_TESTS/lib.sh"
cfg=$T/conf; export DH_CONFIG=$cfg
cat > "$cfg" <<'EOF2'
provider work kind = azure
provider work base_url = https://myco.openai.azure.com/
provider work key_env = WORK_KEY
provider work api_version = 2024-10-21
provider work header = X-Secret-Team: s3cr3t-value
provider ollama base_url = http://gpu-box:11434/v1
set model = work/gpt-4o-prod
EOF2
export WORK_KEY=k
out=$("$DESKHAND" models --json) || fail "models --json failed"
assert_eq "$(jq -r '[.providers[].name]|join(" ")' <<<"$out")" "anthropic openai openrouter ollama llamacpp vllm work"
w=$(jq -c '.providers[]|select(.name=="work")' <<<"$out")
assert_eq "$(jq -r '[.kind,.key_env,.key_set,.api_version]|join(" ")' <<<"$w")" "azure WORK_KEY true 2024-10-21"
assert_eq "$(jq -c .headers <<<"$w")" '["X-Secret-Team"]'
assert_contains "$(jq -r .where <<<"$w")" "$cfg:1"
assert_eq "$(jq -r '.providers[]|select(.name=="ollama").base_url' <<<"$out")" http://gpu-box:11434/v1
assert_eq "$(jq -r '.providers[]|select(.name=="openai").key_set' <<<"$out")" false
# A deployment named other than its model is not priced as a model whose
# name it begins with (gpt-5-pro is no gpt-5): it has no registry row.
assert_eq "$(jq -c .in_use <<<"$out")" '{"provider":"work","model":"gpt-4o-prod","base_url":"https://myco.openai.azure.com/","registry":null,"context_window":200000,"context_window_from":"default"}'
assert_eq "$("$DESKHAND" models --json --model work/gpt-4o-2024-08-06 | jq -r .in_use.registry)" gpt-4o
m=$(jq -c '.models[]|select(.name=="gpt-4o")' <<<"$out")
assert_eq "$(jq -r '[.context_window,.max_output,.usd_in,.usd_out,.usd_cache_read,.pdf]|join(" ")' <<<"$m")" "128000 16384 2.5 10 1.25 true"
assert_eq "$(jq -r '.models[]|select(.name=="claude-sonnet-4").checked' <<<"$out")" 2026-11-21
# --model: a provider prefix, or the provider option's provider
assert_eq "$("$DESKHAND" models --json --model ollama/qwen3:8b | jq -c .in_use)" '{"provider":"ollama","model":"qwen3:8b","base_url":"http://gpu-box:11434/v1","registry":null,"context_window":200000,"context_window_from":"default"}'
assert_eq "$("$DESKHAND" models --json --model claude-opus-4-5 | jq -c .in_use)" '{"provider":"anthropic","model":"claude-opus-4-5","base_url":"https://api.anthropic.com","registry":"claude-opus-4","context_window":200000,"context_window_from":"registry"}'
# the human listing: never a header's value, never a key
human=$("$DESKHAND" models)
assert_contains "$human" "WORK_KEY (set)"
assert_contains "$human" "in use: work/gpt-4o-prod"
assert_not_contains "$human$out" "s3cr3t-value"
# --dump-config gives the touched providers back as config lines
dump=$("$DESKHAND" --dump-config)
assert_contains "$dump" "provider work kind = azure"
assert_contains "$dump" "provider ollama base_url = http://gpu-box:11434/v1"
assert_not_contains "$dump" "provider vllm"

# errors name the file, line, provider and value
bad() { # LINE EXPECTED: a config with that line fails, naming EXPECTED
  echo "$1" > "$cfg"
  rc=0; "$DESKHAND" models >/dev/null 2>"$T/err" || rc=$?
  assert_eq "$rc" 1 "models with: $1"
  assert_contains "$(cat "$T/err")" "$2"
}
bad 'provider x kind = gemini' "$cfg:1: provider x: kind must be one of anthropic|openai|azure, not 'gemini'"
bad 'provider x base_url = localhost:8080' "base_url must start with http:// or https://"
bad 'provider x header = no colon' "header must be 'Name: value'"
bad 'provider x colour = red' "unknown key 'colour'"
bad 'provider a/b kind = openai' "provider name 'a/b'"
bad 'provider x key_env = 1BAD' "key_env must name an environment variable"
printf 'provider half base_url = http://h/v1\nset model = half/m\n' > "$cfg"
rc=0; "$DESKHAND" models >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" 1
assert_contains "$(cat "$T/err")" "provider 'half' has no kind"
printf 'set provider = nowhere\n' > "$cfg"
rc=0; "$DESKHAND" models >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" 1
assert_contains "$(cat "$T/err")" "unknown provider 'nowhere'"
# a run stops before any request when the provider's key is not set
printf 'set model = openai/gpt-4o\n' > "$cfg"
mkdir -p "$T/g"
rc=0; "$DESKHAND" run --grant "$T/g" "hi" >/dev/null 2>"$T/err" || rc=$?
[ "$rc" -ne 0 ] || fail "a run without OPENAI_API_KEY succeeded"
assert_contains "$(cat "$T/err")" "set OPENAI_API_KEY"
echo ok
