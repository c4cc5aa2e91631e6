#!/usr/bin/env bash
# Telemetry overhead per turn (issue 14, docs/telemetry.md): a 50-turn
# scripted session (bench/gen_session.py) against the fake model, with no
# telemetry, with the collector's port closed, with a collector that takes
# requests and never answers, and with a live collector (tests/otel/collector.js,
# decoding every request). RUNS rounds, the four kinds interleaved in each;
# per kind the median, min and max of wall time per turn, CPU time (user +
# system) per turn and peak RSS.
#   bench/otel.sh BUILD [RUNS]
set -euo pipefail
BUILD=${1:-build}; RUNS=${2:-5}; TURNS=50
here=$(cd "$(dirname "$0")" && pwd); root=$here/..
T=$(mktemp -d /tmp/dhbench-otel.XXXXXX)
FAKE=; COL=; HANG=
trap 'kill $FAKE $COL $HANG 2>/dev/null || true; rm -rf "$T"' EXIT
export HOME=$T/home XDG_STATE_HOME=$T/state XDG_CONFIG_HOME=$T/config XDG_RUNTIME_DIR=$T/run
mkdir -p "$HOME"; mkdir -m 700 "$XDG_RUNTIME_DIR"
[ -d "$root/tests/otel/node_modules" ] || { echo "tests/otel/node_modules missing: make deps"; exit 1; }
python3 "$here/gen_session.py" $TURNS > "$T/script.json"

start() { # NAME CMD…: a server that writes its port to $T/NAME.port
  local name=$1; shift
  rm -f "$T/$name.port"
  "$@" --port-file "$T/$name.port" >/dev/null 2>&1 &
  for _ in $(seq 1 200); do [ -s "$T/$name.port" ] && break; sleep 0.05; done
  [ -s "$T/$name.port" ] || { echo "bench/otel.sh: $name did not start"; exit 1; }
}
start col node "$root/tests/otel/collector.js" --out "$T/live.jsonl" --mode live; COL=$!
start hang node "$root/tests/otel/collector.js" --out "$T/hang.jsonl" --mode hang; HANG=$!
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
declare -A endpoint=(
  [off]=""
  [closed]=http://127.0.0.1:$closed
  [hang]=http://127.0.0.1:$(cat "$T/hang.port")
  [live]=http://127.0.0.1:$(cat "$T/col.port")
)
kinds=(off closed hang live)

for r in $(seq 1 "$RUNS"); do
  for k in "${kinds[@]}"; do
    kill $FAKE 2>/dev/null || true
    start fake python3 "$root/tests/fake/anthropic_server.py" --script "$T/script.json" --log "$T/fake.log"
    FAKE=$!
    export ANTHROPIC_BASE_URL=http://127.0.0.1:$(cat "$T/fake.port") ANTHROPIC_API_KEY=bench
    rm -rf "$T/work"; mkdir -p "$T/work"
    if [ -n "${endpoint[$k]}" ]; then export OTEL_EXPORTER_OTLP_ENDPOINT=${endpoint[$k]}
    else unset OTEL_EXPORTER_OTLP_ENDPOINT; fi
    /usr/bin/time -f '%e %U %S %M' -o "$T/time" "$BUILD/deskhand" run --grant "$T/work" \
      --approve-plan --mode auto --json "bench" > "$T/out" 2>"$T/err" \
      || { echo "bench/otel.sh: the $k session failed:"; tail -3 "$T/err"; exit 1; }
    turns=$(grep -c '"type":"turn_started"' "$T/out")
    [ "$turns" = $TURNS ] || { echo "bench/otel.sh: $k: $turns turns, not $TURNS"; exit 1; }
    read -r wall user sys rss < "$T/time"
    echo "$k $wall $user $sys $rss" >> "$T/results"
  done
done
unset OTEL_EXPORTER_OTLP_ENDPOINT
live_spans=$(jq -r '.request.resourceSpans[]?.scopeSpans[].spans | length' "$T/live.jsonl" \
  | awk '{s += $1} END {print s + 0}')
python3 - "$T/results" "$TURNS" "$live_spans" "$RUNS" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
turns, live_spans, runs = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
names = {"off": "no telemetry", "closed": "collector port closed",
         "hang": "collector never answers", "live": "live collector"}
def fmt(v, unit):
    return "median %s min %s max %s %s" % (
        "%.1f" % statistics.median(v), "%.1f" % min(v), "%.1f" % max(v), unit)
base = None
print("%d-turn session, %d runs of each (interleaved)" % (turns, runs))
for k in ("off", "closed", "hang", "live"):
    r = [x for x in rows if x[0] == k]
    wall = [float(x[1]) * 1000 / turns for x in r]
    cpu = [(float(x[2]) + float(x[3])) * 1000 / turns for x in r]
    rss = [int(x[4]) / 1024 for x in r]
    if k == "off":
        base = statistics.median(wall)
    extra = "" if k == "off" else "  (%+.1f ms/turn vs none)" % (statistics.median(wall) - base)
    print("  %-24s wall/turn %s%s" % (names[k], fmt(wall, "ms"), extra))
    print("  %-24s cpu/turn  %s" % ("", fmt(cpu, "ms")))
    print("  %-24s peak RSS  %s" % ("", fmt(rss, "MiB")))
print("  live collector decoded %d spans over %d sessions" % (live_spans, runs))
PY
