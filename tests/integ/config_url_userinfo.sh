# A URL setting holding a user name and password (http://user:PASS@host/) is
# refused by `config` and `run`, from the environment and from a config
# line, naming the setting and never repeating the password: an error goes
# to the terminal and the engine's log. A '@' after the host (in the path)
# is no credential.
. "$DH_TESTS/lib.sh"
cfg=$XDG_CONFIG_HOME/deskhand/config; mkdir -p "$(dirname "$cfg")"
G=$T/work; mkdir -p "$G"
want="'otel_endpoint' must not hold a user name or password"
rc=0; OTEL_EXPORTER_OTLP_ENDPOINT=http://user:S3CRET@127.0.0.1:4318 "$DESKHAND" config \
  >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "config with credentials in OTEL_EXPORTER_OTLP_ENDPOINT"
assert_contains "$(cat "$T/err")" "OTEL_EXPORTER_OTLP_ENDPOINT: $want"
assert_not_contains "$(cat "$T/err")" S3CRET

rc=0; OTEL_EXPORTER_OTLP_ENDPOINT=http://user:S3CRET@127.0.0.1:4318 "$DESKHAND" run \
  --grant "$G" "hello" >/dev/null 2>"$T/err" || rc=$?
[ "$rc" -ne 0 ] || fail "run started with credentials in OTEL_EXPORTER_OTLP_ENDPOINT"
assert_contains "$(cat "$T/err")" "$want"
assert_not_contains "$(cat "$T/err")" S3CRET

echo 'set base_url = "https://me:S3CRET@api.example.com/v1"' >"$cfg"
rc=0; "$DESKHAND" config >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "config with credentials in base_url"
assert_contains "$(cat "$T/err")" "$cfg:1: 'base_url' must not hold a user name or password"
assert_not_contains "$(cat "$T/err")" S3CRET

# an '@' in the path is not user information
echo 'set base_url = "http://127.0.0.1:9/team@x/v1"' >"$cfg"
assert_contains "$("$DESKHAND" config base_url)" "set base_url = http://127.0.0.1:9/team@x/v1 "
echo ok
