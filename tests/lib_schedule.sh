# Helpers for the schedule_*.sh tests (source after lib.sh and lib_front.sh).
# Sets up a granted folder $G with a note, the fake crontab on PATH (its
# table is the file $T/crontab) and the fake model serving a digest run
# (plan, write digest.md, end) to each API key from its first turn.
G=$T/notes; mkdir -p "$G"; printf 'monday: shipped\n' > "$G/mon.md"
mkdir -p "$T/bin"; ln -s "$DH_TESTS/fake/crontab" "$T/bin/crontab"
export PATH=$T/bin:$PATH DH_FAKE_CRONTAB=$T/crontab
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write the digest"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "digest.md", "content": "# Week\n- shipped\n"}}]},
 {"text": "Wrote digest.md.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json" --cursor-per-key

EXTRA_PIDS=()
trap 'kill "${EXTRA_PIDS[@]}" 2>/dev/null || true; cleanup' EXIT
# extra_fake NAME SCRIPT [ARGS]: another fake model on a port of its own;
# its URL in $T/NAME.url, its requests in $T/NAME.log. Killed at exit.
extra_fake() {
  python3 "$DH_TESTS/fake/anthropic_server.py" --script "$2" --log "$T/$1.log" \
    --port-file "$T/$1.port" "${@:3}" >/dev/null 2>&1 &
  EXTRA_PIDS+=($!)
  for _ in $(seq 1 100); do [ -s "$T/$1.port" ] && break; sleep 0.05; done
  [ -s "$T/$1.port" ] || fail "the fake server $1 did not start"
  echo "http://127.0.0.1:$(cat "$T/$1.port")" > "$T/$1.url"
}

# fire_cmd CMD: run CMD as the scheduler does: no terminal, a session of its
# own; its output in $T/fire.out.
fire_cmd() { setsid bash -c "$1" </dev/null >"$T/fire.out" 2>&1; }

# cron_cmd NAME: the command of schedule NAME's crontab line (after the 5 fields).
cron_cmd() {
  local line
  line=$(grep "# deskhand-schedule $1\$" "$T/crontab") || fail "no crontab line for $1: $(cat "$T/crontab")"
  sed -E 's/^([^ ]+ ){5}//' <<<"$line"
}

# slow_fake: an extra fake server "slow" (extra_fake) whose one turn takes
# 4 s, for a run still going when the next fire comes; its URL in
# $T/slow.url.
slow_fake() {
  cat > "$T/slow.json" <<'JSON'
{"turns": [{"fault": "slow", "text": "reading the notes slowly", "delay_ms": 4000, "stop_reason": "end_turn"}]}
JSON
  extra_fake slow "$T/slow.json" --cursor-per-key
}
