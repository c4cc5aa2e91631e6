#!/usr/bin/env bash
# The official MCP conformance suite's client leg against `deskhand mcp client`.
#   tests/mcp/conformance.sh DESKHAND [--no-auth] [REVISION...]
# installs the pinned suite (tests/mcp/package.json, package-lock.json) into
# tests/mcp/node_modules once, then for each revision (default 2025-11-25 and
# 2026-07-28) runs exactly what that revision requires (--requirements REV)
# and prints the scored pass count, the suite version and each failure.
# --no-auth runs only the scored scenarios that are not auth/ ones, one by
# one at that revision's wire version (the integration test's set).
# Exit: 0 every scored scenario passed, 1 one failed, 2 the suite could not
# be installed or run.
set -u
here=$(cd "$(dirname "$0")" && pwd)
deskhand=${1:?usage: conformance.sh DESKHAND [--no-auth] [REVISION...]}
shift
noauth=0
if [ "${1:-}" = --no-auth ]; then noauth=1; shift; fi
revs=("$@")
[ ${#revs[@]} -gt 0 ] || revs=(2025-11-25 2026-07-28)

installed() {
  [ -x "$here/node_modules/.bin/conformance" ] && [ -x "$here/node_modules/.bin/node" ] &&
    [ "$here/node_modules/.package-lock.json" -nt "$here/package-lock.json" ]
}
# Under the lock tests/mcp/lib_everything.sh takes for its own npm ci in
# this folder: two tests that install at once remove each other's files.
install() {
  installed && return 0
  command -v npm >/dev/null || { echo "conformance: npm is missing (make deps installs it)" >&2; return 1; }
  (
    flock 9
    installed && exit 0
    echo "conformance: installing the pinned suite (npm ci in tests/mcp)" >&2
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2) || {
      echo "conformance: npm ci failed in $here" >&2; exit 1; }
  ) 9>"$here/.install.lock" || return 1
  [ -x "$here/node_modules/.bin/node" ] || {
    echo "conformance: the pinned Node (npm package node) did not install" >&2; return 1; }
}
install || exit 2
export PATH=$here/node_modules/.bin:$PATH
suite=$(node -p 'require(process.argv[1]).version' \
  "$here/node_modules/@modelcontextprotocol/conformance/package.json") || exit 2
reqdir=$here/node_modules/@modelcontextprotocol/conformance/requirements

# The scored client scenarios of a revision (the `client:` list of its file).
scored() {
  python3 - "$reqdir/$1.yaml" <<'PY'
import sys
on = False
for line in open(sys.argv[1]):
    if not line.startswith(" ") and line.strip():
        on = line.startswith("client:")
        continue
    if on and line.strip().startswith("- "):
        print(line.strip()[2:].split("#")[0].strip())
PY
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for rev in "${revs[@]}"; do
  [ -f "$reqdir/$rev.yaml" ] || { echo "conformance: suite $suite has no requirements for $rev" >&2; exit 2; }
  mapfile -t want < <(scored "$rev")
  pass=0 total=0 failed=()
  if [ $noauth = 1 ]; then
    for sc in "${want[@]}"; do
      case $sc in auth/*) continue ;; esac
      total=$((total + 1))
      if (cd "$work" && timeout 120 conformance client --command "$deskhand mcp client" \
            --scenario "$sc" --spec-version "$rev" >"$work/out" 2>&1); then
        pass=$((pass + 1))
      else
        failed+=("$sc"); sed -n '/FAILURE/,+3p' "$work/out" | head -20 >&2
      fi
    done
  else
    (cd "$work" && timeout 900 conformance client --command "$deskhand mcp client" \
       --requirements "$rev" >"$work/out" 2>&1)
    for sc in "${want[@]}"; do
      total=$((total + 1))
      if grep -q "^✓ $sc:" "$work/out"; then pass=$((pass + 1)); else failed+=("$sc"); fi
    done
  fi
  echo "MCP conformance $suite, client, $rev${noauth:+}: $pass/$total scored scenarios passed$([ $noauth = 1 ] && echo ' (auth/ not run)')"
  for f in "${failed[@]}"; do echo "  failed: $f"; done
  [ ${#failed[@]} -eq 0 ] || status=1
done
exit $status
