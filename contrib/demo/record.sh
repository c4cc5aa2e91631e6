#!/usr/bin/env bash
# Regenerate contrib/demo/session.rec: run deskhand against the scripted fake
# model (tests/fake/anthropic_server.py playing script.json) on a copy of
# folder/, recording the model exchange with --record.
#
#   contrib/demo/record.sh [BUILD_DIR]     (default: build, in the repo root)
#
# Builds nothing: run `make` first. Re-run after changing the system prompt,
# tool definitions, script.json, folder/ or task.txt, then check with
# contrib/demo/run.sh and commit session.rec.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
[[ -d $build ]] || { echo "record.sh: no build dir $build (run make first)" >&2; exit 1; }
build=$(cd "$build" && pwd)
deskhand=$build/deskhand
server=$root/tests/fake/anthropic_server.py
task=$(cat "$here/task.txt")

[[ -x $deskhand ]] || { echo "record.sh: no $deskhand (run make first)" >&2; exit 1; }
[[ -f $server ]] || { echo "record.sh: no $server" >&2; exit 1; }

tmp=$(mktemp -d /tmp/deskhand-demo.XXXXXX)
server_pid=
cleanup() {
	if [[ -n $server_pid ]]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	rm -f "$here/session.rec.new"
	rm -rf "$tmp"
}
trap cleanup EXIT

cp -R "$here/folder" "$tmp/folder"
mkdir -p "$tmp/home" "$tmp/state" "$tmp/config"

python3 "$server" --script "$here/script.json" --log "$tmp/server.log" \
	--port-file "$tmp/port" &
server_pid=$!
for _ in $(seq 100); do
	[[ -s $tmp/port ]] && break
	kill -0 "$server_pid" 2>/dev/null || { echo "record.sh: fake server exited" >&2; exit 1; }
	sleep 0.1
done
[[ -s $tmp/port ]] || { echo "record.sh: fake server did not start" >&2; exit 1; }
port=$(tr -d '[:space:]' <"$tmp/port")

unset DH_CONFIG
export HOME=$tmp/home XDG_STATE_HOME=$tmp/state XDG_CONFIG_HOME=$tmp/config
export ANTHROPIC_BASE_URL=http://127.0.0.1:$port ANTHROPIC_API_KEY=demo

rm -f "$here/session.rec.new"
if ! "$deskhand" run --grant "$tmp/folder" --approve-plan --mode auto \
	--record "$here/session.rec.new" "$task"; then
	echo "record.sh: the run failed; session.rec left unchanged. Fake server log:" >&2
	cat "$tmp/server.log" >&2 2>/dev/null || true
	exit 1
fi
mv "$here/session.rec.new" "$here/session.rec"
echo "record.sh: wrote $here/session.rec"
