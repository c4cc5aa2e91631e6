#!/usr/bin/env bash
# make bench: prints each benchmark's figures. Timing belongs here, not in tests.
#   1. checkpoint time for a one-file edit on a 10,000-file folder (bench-checkpoint)
#   1b. the same on 1,000/10,000/100,000 files with the watcher (incremental),
#      with a full stat-cached scan, and `git add -A && git commit` (bench-watch)
#   2. wall time and peak RSS of a whole scripted 20-turn session against the
#      fake server (real HTTP over loopback, real sandbox, real libgit2)
#   3. interrupt latency: SIGINT mid-stream to process exit
#   4. sandbox overhead: median of 50 run_command-style `true` runs through
#      deskhand-sandbox against 50 direct ones (bench-sandbox; target < 15 ms)
#   5. the workbench in a pty (bench_ui.py): launch to first frame, streamed
#      token to terminal latency, bytes per token, idle CPU and wake-ups, and
#      peak RSS after --resume of a 1,000-turn session
set -euo pipefail
BUILD=${1:-build}
here=$(cd "$(dirname "$0")" && pwd); root=$here/..
T=$(mktemp -d /tmp/dhbench.XXXXXX); trap 'kill $FAKE 2>/dev/null || true; rm -rf "$T"' EXIT
export HOME=$T/home XDG_STATE_HOME=$T/state XDG_CONFIG_HOME=$T/config; mkdir -p "$HOME"
FAKE=

echo "== checkpoint, one-file edit"
"$BUILD/bench-checkpoint" 10000 30

echo "== watcher: one-file checkpoint with the watcher, with a full scan, and the git CLI"
"$BUILD/bench-watch" 15 1000 10000 100000

echo "== 20-turn scripted session"
python3 "$here/gen_session.py" 20 > "$T/script.json"
start_fake() {
  rm -f "$T/port"
  python3 "$root/tests/fake/anthropic_server.py" --script "$1" --log "$T/fake.log" --port-file "$T/port" >/dev/null 2>&1 &
  FAKE=$!
  for _ in $(seq 1 100); do [ -s "$T/port" ] && break; sleep 0.05; done
  export ANTHROPIC_BASE_URL=http://127.0.0.1:$(cat "$T/port") ANTHROPIC_API_KEY=bench
}
mkdir -p "$T/work"; cp -a "$root/contrib/demo/folder/." "$T/work/" 2>/dev/null || true
start_fake "$T/script.json"
/usr/bin/time -f '%e %M' -o "$T/time" "$BUILD/deskhand" run --grant "$T/work" --approve-plan --mode auto \
  --json "bench" > "$T/out"
read -r wall rss < "$T/time"
turns=$(grep -c '"type":"turn_started"' "$T/out")
status=$(grep '"type":"session_finished"' "$T/out" | sed 's/.*"status":"\([a-z]*\)".*/\1/')
ckpts=$(grep -c '"type":"checkpoint"' "$T/out")
cmds=$(grep -c '"name":"run_command"' "$T/out" || true)
echo "session: $turns turns, $ckpts checkpoints, status $status: wall ${wall} s, peak RSS $((rss / 1024)) MiB ($rss KiB)"
kill $FAKE 2>/dev/null || true; wait $FAKE 2>/dev/null || true

echo "== interrupt latency (SIGINT mid-stream to exit)"
printf '{"turns": [{"fault": "hang"}]}' > "$T/hang.json"
lat=()
for i in 1 2 3 4 5; do
  start_fake "$T/hang.json"
  : > "$T/fake.log"
  "$BUILD/deskhand" run --grant "$T/work" --json "hang" > /dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 200); do [ -s "$T/fake.log" ] && break; sleep 0.02; done
  sleep 0.2
  t0=$(date +%s%N); kill -INT $pid; wait $pid || true
  lat+=($(( ($(date +%s%N) - t0) / 1000000 )))
  kill $FAKE 2>/dev/null || true; wait $FAKE 2>/dev/null || true
done
sorted=$(printf '%s\n' "${lat[@]}" | sort -n | tr '\n' ' ')
echo "interrupt: ms per run (sorted): $sorted"

echo "== sandbox overhead: run_command 'true' through deskhand-sandbox vs 'true' directly"
mkdir -p "$T/sbx"
"$BUILD/deskhand-sandbox" --status | sed 's/^/  /'
"$BUILD/bench-sandbox" "$BUILD/deskhand-sandbox" "$T/sbx" 50

echo "== workbench (in a pty, 140x40, xterm-256color)"
"$here/bench_ui.py" "$BUILD/deskhand" "$T/ui-work"
