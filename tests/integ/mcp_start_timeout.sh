# A server that answers nothing at all is given up on after its `timeout`
# once: server/discover and the initialize it falls back to share it (each
# waited the whole timeout, twice as long as configured), and the failure
# names initialize once ("initialize: initialize: no answer …" before).
. "$DH_TESTS/lib.sh"
cat >"$T/mute.py" <<'PY'
import sys
for line in sys.stdin:
    pass
PY
mkdir -p "$XDG_CONFIG_HOME/deskhand"
cat >"$XDG_CONFIG_HOME/deskhand/mcp.json" <<JSON
{"mcpServers": {"mute": {"command": "python3", "args": ["$T/mute.py"], "timeout": 4}}}
JSON
t0=$(date +%s%N)
rc=0; out=$("$DESKHAND" mcp tools mute 2>&1) || rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
assert_eq "$rc" 1 "$out"
assert_contains "$out" "mute: failed: initialize: no answer from mute within"
assert_not_contains "$out" "initialize: initialize:"
[ "$ms" -ge 3500 ] || fail "gave up after $ms ms, before the 4 s timeout: $out"
[ "$ms" -lt 6500 ] || fail "gave up after $ms ms, not about the 4 s timeout: $out"
echo ok
