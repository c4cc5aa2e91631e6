#!/usr/bin/env bash
# make bench: prints each benchmark's figures. Timing belongs here, not in tests.
#   1. checkpoint time for a one-file edit on a 10,000-file folder (bench-checkpoint)
#   1b. the same on 1,000/10,000/100,000 files with the watcher (incremental),
#      with a full stat-cached scan, and `git add -A && git commit` (bench-watch)
#   1c. the baseline checkpoint of a copy of /usr/share/doc (a real folder:
#      thousands of files, mostly compressed) against `git init && git add -A
#      && git commit` of another copy, median of 3 each, and the two sizes
#      on disk
#   2. wall time and peak RSS of a whole scripted 20-turn session against the
#      fake server (real HTTP over loopback, real sandbox, real libgit2)
#   3. interrupt latency: SIGINT mid-stream to process exit
#   4. sandbox overhead (issue 17): run_command `true` through deskhand-sandbox
#      against a bare `bwrap --ro-bind / / --unshare-all true`, 30 rounds of
#      each, interleaved: medians with min/max and the overhead (bench-sandbox;
#      target <= 5 ms above bare bwrap)
#   6. memory (issue 9): peak RSS of a session whose model streams 100 MB of
#      text (stopped at message_limit), of one whose 15 MiB text completes, and
#      of one that writes a 10 MB file and then runs 20 more turns, each
#      against a one-turn session in the same run; the largest request body
#      sent after the write, and the transcript sizes
#   5. the workbench in a pty (bench_ui.py): launch to first frame, streamed
#      token to terminal latency, bytes per token, idle CPU and wake-ups (of
#      the workbench and of its engine), and peak RSS after --resume of a
#      1,000-turn session; the workbench's CPU time per frame (median, p99)
#      while a 2,000-line Markdown answer streams (issue 11)
#   9. launch to the first model request, a 100-turn session's time per turn
#      beyond the fake server's own (per 25-turn bucket) and its peak RSS,
#      each a median with min/max over 20 runs beside its reference
#      (launch.py, issue 17)
#   9b. the same launch with 5000 earlier sessions in the state directory
#      against none, then `run --resume latest` so (launch_sessions.py)
#   10. a 300-turn session that outgrows a 200,000-token window (issue 15,
#      long_session.py): request body size and deskhand's time per turn
#      beyond the fake server's own, median/min/max per 50-turn bucket (flat,
#      not growing with the transcript), and its peak RSS against a 50-turn one
#   8. audit log overhead per tool call (bench-audit, issue 14): median, min
#      and max over 25 runs of 200 calls against a no-audit reference in the
#      same run (target < 0.2 ms median)
#   9. telemetry overhead per turn (bench/otel.sh, issue 14): a 50-turn session
#      with no telemetry, with the collector's port closed, with a collector
#      that never answers and with a live one; wall and CPU time per turn and
#      peak RSS, median/min/max over 5 runs each
#   7. connectors (mcp_start.py, issue 12): session start to the first model
#      request with no connector, with 3 sandboxed stdio connectors (started
#      side by side) and with 3 of which one is slow (bounded wait: 2 s)
#   6. the engine as a server (bench_ui.py, issue 10): `deskhand attach` of
#      that 1,000-turn session to its first full frame (not live, then live)
#      against --resume and against attach of a 1-turn session; the latency a streamed token gains through the
#      engine's socket against `run --json` in-process (target: <= 1 ms median
#      added); RSS and idle CPU of an engine with no client, waiting for an
#      approval, against the same wait in-process
set -euo pipefail
BUILD=${1:-build}
here=$(cd "$(dirname "$0")" && pwd); root=$here/..
T=$(mktemp -d /tmp/dhbench.XXXXXX); trap 'kill $FAKE 2>/dev/null || true; rm -rf "$T"' EXIT
export HOME=$T/home XDG_STATE_HOME=$T/state XDG_CONFIG_HOME=$T/config XDG_RUNTIME_DIR=$T/run
mkdir -p "$HOME"; mkdir -m 700 "$XDG_RUNTIME_DIR"
FAKE=

echo "== checkpoint, one-file edit"
"$BUILD/bench-checkpoint" 10000 30

echo "== watcher: one-file checkpoint with the watcher, with a full scan, and the git CLI"
"$BUILD/bench-watch" 15 1000 10000 100000

start_fake() {
  rm -f "$T/port"
  python3 "$root/tests/fake/anthropic_server.py" --script "$1" --log "$T/fake.log" --port-file "$T/port" >/dev/null 2>&1 &
  FAKE=$!
  for _ in $(seq 1 100); do [ -s "$T/port" ] && break; sleep 0.05; done
  export ANTHROPIC_BASE_URL=http://127.0.0.1:$(cat "$T/port") ANTHROPIC_API_KEY=bench
}

# median of the arguments (integers)
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

echo "== baseline of a real folder (/usr/share/doc) against git add -A && git commit"
if [ -d /usr/share/doc ]; then
  printf '{"turns": [{"text": "Done.", "stop_reason": "end_turn"}]}' > "$T/done.json"
  dh=() gt=()
  for _ in 1 2 3; do
    rm -rf "$T/doc" "$T/doc-git" "$XDG_STATE_HOME/deskhand"
    cp -a /usr/share/doc "$T/doc"; cp -a /usr/share/doc "$T/doc-git"
    start_fake "$T/done.json"
    "$BUILD/deskhand" run --grant "$T/doc" --json "look" > "$T/out" 2>/dev/null
    kill $FAKE 2>/dev/null || true; wait $FAKE 2>/dev/null || true
    dh+=("$(grep -m1 '"type":"checkpoint"' "$T/out" | sed 's/.*"duration_ms":\([0-9]*\).*/\1/')")
    t0=$(date +%s%N)
    (cd "$T/doc-git" && git init -q && git add -A &&
      git -c user.name=b -c user.email=b@b commit -q -m base)
    gt+=($(( ($(date +%s%N) - t0) / 1000000 )))
  done
  files=$(find "$T/doc" -type f | wc -l)
  echo "$files files, $(du -sm "$T/doc" | cut -f1) MB: baseline checkpoint median $(median "${dh[@]}") ms" \
    "(${dh[*]}), git add -A && git commit median $(median "${gt[@]}") ms (${gt[*]})"
  echo "  shadow repository $(du -sm "$XDG_STATE_HOME/deskhand/snapshots" | cut -f1) MB," \
    ".git $(du -sm "$T/doc-git/.git" | cut -f1) MB"
  rm -rf "$T/doc" "$T/doc-git" "$XDG_STATE_HOME/deskhand"
else
  echo "skipped: no /usr/share/doc"
fi

echo "== 20-turn scripted session"
python3 "$here/gen_session.py" 20 > "$T/script.json"
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

echo "== memory: peak RSS against a one-turn session (target: well under 100 MiB)"
# mem_run NAME SCRIPT: one run against the fake server; sets rss (KiB), status, tr (transcript bytes)
mem_run() {
  start_fake "$2"
  : > "$T/fake.log"
  rm -rf "$T/mem"; mkdir -p "$T/mem"
  /usr/bin/time -f '%M' -o "$T/time" "$BUILD/deskhand" run --grant "$T/mem" --approve-plan --mode auto \
    --json "$1" > "$T/out" 2>/dev/null || true
  rss=$(cat "$T/time" | tail -1)
  status=$(grep '"type":"session_finished"' "$T/out" | sed 's/.*"status":"\([a-z]*\)".*/\1/')
  local sid; sid=$(grep '"type":"session_started"' "$T/out" | sed 's/.*"session":"\([^"]*\)".*/\1/')
  tr=$(stat -c %s "$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl")
  kill $FAKE 2>/dev/null || true; wait $FAKE 2>/dev/null || true
}
printf '{"turns": [{"text": "Hello.", "stop_reason": "end_turn"}]}' > "$T/one.json"
mem_run one "$T/one.json"; ref=$rss
echo "reference, a one-turn session: peak RSS $((ref / 1024)) MiB ($ref KiB)"
python3 "$here/gen_memory.py" text 104857600 > "$T/text.json"
mem_run text "$T/text.json"
why=$(grep '"type":"session_finished"' "$T/out" | sed 's/.*"message":"\([^"]*\)".*/\1/')
echo "(a) model streams 100 MB of text: peak RSS $((rss / 1024)) MiB ($rss KiB, +$(((rss - ref) / 1024)) MiB over the reference), status $status, transcript $tr bytes"
echo "    $why"
python3 "$here/gen_memory.py" text 15728640 > "$T/text15.json"
mem_run text15 "$T/text15.json"
echo "    a 15 MiB text (under message_limit) completes: peak RSS $((rss / 1024)) MiB ($rss KiB), status $status, transcript $tr bytes"
python3 "$here/gen_memory.py" write 10485760 20 > "$T/write.json"
mem_run write "$T/write.json"
sent=$(python3 -c 'import json,sys
b=[len(json.dumps(json.loads(l)["body"])) for l in open(sys.argv[1])]
print(len(b), max(b[2:]) if len(b) > 2 else 0, sum(b))' "$T/fake.log")
read -r nreq biggest total <<<"$sent"
echo "(b) a 10 MB write_file, then 20 more turns: peak RSS $((rss / 1024)) MiB ($rss KiB, +$(((rss - ref) / 1024)) MiB over the reference), status $status"
echo "    $nreq requests, the largest after the write $biggest bytes, $total bytes sent in all; transcript $tr bytes"

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

echo "== sandbox overhead: run_command 'true' through deskhand-sandbox vs a bare bwrap"
mkdir -p "$T/sbx"
"$BUILD/deskhand-sandbox" --status | sed 's/^/  /'
"$BUILD/bench-sandbox" "$BUILD/deskhand-sandbox" "${DH_BWRAP:-/usr/bin/bwrap}" "$T/sbx" 30

echo "== workbench (in a pty, 140x40, xterm-256color)"
"$here/bench_ui.py" "$BUILD/deskhand" "$T/ui-work" frame stream resume markdown

echo "== engine and clients: attach, a token through the socket, an engine with no client"
"$here/bench_ui.py" "$BUILD/deskhand" "$T/ui-work" attach socket engine-rss

echo "== connectors: session start to the first model request (3 stdio servers, one slow)"
"$here/mcp_start.py" "$BUILD/deskhand" "$T/mcp-work" 5

echo "== audit log, overhead per tool call"
"$BUILD/bench-audit" 25 200

echo "== launch, a 100-turn session per turn, and its peak RSS (issue 17)"
"$here/launch.py" "$BUILD/deskhand" "$T/launch" 20

echo "== launch with 5000 earlier sessions in the state directory, against none (new, then --resume latest)"
"$here/launch_sessions.py" "$BUILD/deskhand" "$T/launch-sessions" 20 5000
"$here/launch_sessions.py" "$BUILD/deskhand" "$T/launch-sessions" 20 5000 resume

echo "== a 300-turn session past the context window: body and time per turn, peak RSS (issue 15)"
"$here/long_session.py" "$BUILD/deskhand" "$T/long" 300

echo "== telemetry (OpenTelemetry export), overhead per turn"
"$here/otel.sh" "$BUILD" 5
