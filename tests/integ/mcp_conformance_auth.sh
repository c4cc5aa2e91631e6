# The official MCP conformance suite's scored auth/ client scenarios, at the
# wire of each revision that requires them (2025-11-25 and 2026-07-28),
# against `deskhand mcp client` (OAuth 2.1: discovery, registration, PKCE,
# resource, iss, scopes, step-up). Two scenarios at a time. Fails on any
# failed scenario, and loudly when the pinned suite cannot be installed.
. "$DH_TESTS/lib.sh"
M=$DH_TESTS/mcp
if ! [ -x "$M/node_modules/.bin/conformance" ] || ! [ -x "$M/node_modules/.bin/node" ]; then
  (cd "$M" && npm ci --no-audit --no-fund --loglevel=error >"$T/npm.log" 2>&1) ||
    fail "cannot install the pinned conformance suite (npm ci in tests/mcp): $(tail -5 "$T/npm.log")"
fi
[ -x "$M/node_modules/.bin/node" ] || fail "the pinned Node did not install in tests/mcp"
export PATH=$M/node_modules/.bin:$PATH
req=$M/node_modules/@modelcontextprotocol/conformance/requirements

# "REV SCENARIO" for every scored auth/ client scenario of each revision.
for rev in 2025-11-25 2026-07-28; do
  [ -f "$req/$rev.yaml" ] || fail "the suite has no requirements for $rev"
  python3 - "$req/$rev.yaml" "$rev" <<'PY'
import sys
on = False
for line in open(sys.argv[1]):
    if not line.startswith(" ") and line.strip():
        on = line.startswith("client:")
        continue
    s = line.strip()
    if on and s.startswith("- ") and s[2:].split("#")[0].strip().startswith("auth/"):
        print(sys.argv[2], s[2:].split("#")[0].strip())
PY
done >"$T/scenarios"
n=$(wc -l <"$T/scenarios")
[ "$n" -ge 30 ] || fail "only $n scored auth scenarios found: $(cat "$T/scenarios")"

# The suite runs a suite's scenarios in parallel: per revision, its auth
# suite, and for 2026-07-28 also the scenarios that revision introduced.
mkdir -p "$T/runs"
suite_run() { # REV SUITE
  (cd "$T/runs" && timeout 150 conformance client --command "$DESKHAND mcp client" \
     --suite "$2" --spec-version "$1" -o "$T/runs/$1-$2" >"$T/runs/$1-$2.txt" 2>&1) || true
  grep -E "^(✓|✗) auth/" "$T/runs/$1-$2.txt" | sed "s/^/$1 /" >>"$T/verdicts"
}
suite_run 2025-11-25 auth
suite_run 2026-07-28 auth
suite_run 2026-07-28 draft

pass=0 bad=()
while read -r rev sc; do
  if grep -qF "$rev ✓ $sc:" "$T/verdicts"; then
    pass=$((pass + 1))
  else
    bad+=("$rev $sc")
    echo "--- $rev $sc: $(grep -F " $sc:" "$T/verdicts" | grep "^$rev" | head -1)" >&2
  fi
done <"$T/scenarios"
echo "scored auth scenarios passed: $pass/$n"
[ ${#bad[@]} -eq 0 ] || fail "failed: ${bad[*]}"

# No token in what the client printed (the suite keeps its stdout and
# stderr): the access tokens the suite issues start with test-token-.
ls "$T"/runs/*/*/*/stdout.txt >/dev/null 2>&1 || fail "the suite kept no client output to check"
if grep -rl --include=stdout.txt --include=stderr.txt "test-token-" "$T/runs" >"$T/leaks"; then
  fail "a token reached the client's output: $(cat "$T/leaks")"
fi
echo ok
