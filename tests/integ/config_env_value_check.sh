# A value an environment variable sets in place of a setting is checked as a
# config line's is: `deskhand config`, `deskhand config KEY` and --dump-config
# refuse it naming the variable and the value (exit 1), as `run` does,
# instead of showing a value no session would start with.
. "$DH_TESTS/lib.sh"
[ -e /etc/deskhand/policy ] && skip "this machine has its own /etc/deskhand/policy"
G=$T/work; mkdir -p "$G"

check() { # VAR VALUE KEY MESSAGE
  local rc
  for args in "config $3" "config" "config --json" "--dump-config"; do
    rc=0
    env "$1=$2" "$DESKHAND" $args >"$T/out" 2>"$T/err" || rc=$?
    assert_eq "$rc" "1" "exit status of '$args' with $1='$2'"
    assert_contains "$(cat "$T/err")" "$1: '$3' $4, not '$2'"
    assert_eq "$(cat "$T/out")" "" "what '$args' printed with $1='$2'"
  done
  rc=0
  env "$1=$2" "$DESKHAND" run --grant "$G" "hi" >"$T/out" 2>"$T/err" </dev/null || rc=$?
  assert_eq "$rc" "1" "exit status of run with $1='$2'"
  assert_contains "$(cat "$T/err")" "$1: '$3' $4, not '$2'"
}

check ANTHROPIC_BASE_URL 'not a url' base_url "must be an http:// or https:// URL with a host"
check OTEL_EXPORTER_OTLP_PROTOCOL grpc otel_protocol "must be one of http/protobuf|http/json"
check OTEL_EXPORTER_OTLP_ENDPOINT 'localhost:4318' otel_endpoint \
  "must be an http:// or https:// URL with a host"

# A good value is shown with the variable it came from.
o=$(OTEL_EXPORTER_OTLP_PROTOCOL=http/json "$DESKHAND" config otel_protocol) ||
  fail "config otel_protocol with a good OTEL_EXPORTER_OTLP_PROTOCOL failed"
assert_contains "$o" "set otel_protocol = http/json"
assert_contains "$o" "env OTEL_EXPORTER_OTLP_PROTOCOL"
echo ok
