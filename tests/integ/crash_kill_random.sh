# Issue 9, "Nothing lost, ever": a scripted 30-turn session on a folder of 2,000
# files (writes, edits, moves, deletes, sandboxed commands) is killed with
# SIGKILL at 25 random instants spread over its run. After each kill the
# transcript parses line by line, `sessions` lists the session as interrupted,
# `log` works, `undo --to baseline` restores the folder byte for byte at once,
# and `--resume` finishes; no process of the killed run outlives it.
# DH_KILL_SEED=N replays the instants of a printed seed; DH_KILL_INSTANTS=N
# changes their number: 25 under `make check-slow` (DH_SLOW=1), 10 under
# `make check`, which keeps the suite short (each instant is a kill, a
# restore of 2,000 files and a resume); DH_KILL_JOBS=N how many sessions run
# at once (2 by default, each on its own folder). The work is in
# crash_kill_random.py.
# Two warm-up sessions checkpoint 2,000 files first. The whole test takes
# 35-85 s on a 2-core machine, idle or at load 10, but a slower or busier one
# took 52 s per warm-up, so the limit is longer than the default.
# test: timeout 900
. "$DH_TESTS/lib.sh"
bwrap_or_skip
RESUME_PID=
trap '[ -n "$RESUME_PID" ] && kill "$RESUME_PID" 2>/dev/null; cleanup' EXIT
python3 "$DH_TESTS/integ/crash_kill_random.py" prepare "$T"
# The resume server: one final answer for each run's key, and a conversation
# the real API would refuse is refused.
python3 "$DH_TESTS/fake/anthropic_server.py" --script "$T/resume.json" --log "$T/resume-requests.jsonl" \
  --port-file "$T/resume.port" --cursor-per-key --check-history --max-seconds 3600 \
  >"$T/resume.out" 2>&1 &
RESUME_PID=$!
start_fake "$T/kill.json" --cursor-per-key --max-seconds 3600
for _ in $(seq 1 100); do [ -s "$T/resume.port" ] && break; sleep 0.05; done
[ -s "$T/resume.port" ] || { cat "$T/resume.out" >&2; fail "resume server did not start"; }
mkdir "$T/runs"
rc=0
instants=${DH_KILL_INSTANTS:-10}
[ -z "${DH_KILL_INSTANTS:-}" ] && [ "${DH_SLOW:-}" = 1 ] && instants=25
python3 "$DH_TESTS/integ/crash_kill_random.py" run --template "$T/template" --runs "$T/runs" \
  --kill-url "$FAKE_URL" --resume-url "http://127.0.0.1:$(cat "$T/resume.port")" \
  --instants "$instants" --jobs "${DH_KILL_JOBS:-2}" \
  ${DH_KILL_SEED:+--seed "$DH_KILL_SEED"} || rc=$?
# nothing the runs started is left (the driver is their subreaper and reaps them)
left=$(pgrep -f -- "$T/runs" || true)
[ -z "$left" ] || { ps -o pid,ppid,etime,args -p "$(tr '\n' , <<<"$left" | sed 's/,$//')"; fail "processes left behind"; }
[ "$rc" -eq 0 ] || fail "the session did not survive every kill (seed above)"
echo ok
