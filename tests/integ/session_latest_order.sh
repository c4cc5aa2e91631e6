# `latest` is the most recently started session, also when several start in
# the same second (their ids then differ only in a random suffix, which used
# to decide): after each of 20 back-to-back runs `log` shows the newest, and
# `sessions` lists them in the order they started; `undo` and
# `--resume latest` act on the newest.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
S=$XDG_STATE_HOME/deskhand/sessions
{
  echo '{"turns": ['
  for i in $(seq 1 20); do echo " {\"text\": \"done $i\", \"stop_reason\": \"end_turn\"},"; done
  echo ' {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write g"}]}}]},'
  echo ' {"tool_calls": [{"name": "write_file", "input": {"path": "g.txt", "content": "g\n"}}]},'
  echo ' {"text": "wrote g", "stop_reason": "end_turn"},'
  echo ' {"text": "nothing written", "stop_reason": "end_turn"},'
  echo ' {"text": "resumed", "stop_reason": "end_turn", "expect": {"last_user_contains": "go on"}}'
  echo ']}'
} > "$T/script.json"
start_fake "$T/script.json"
# Each run starts as soon as the one before has its session: many start in
# the same second. Each has a folder of its own: a folder has one live
# engine at a time (a second one is refused).
order=
for i in $(seq 1 20); do
  mkdir -p "$T/w$i"
  "$DESKHAND" run --grant "$T/w$i" --json "task number $i" > "$T/out$i" 2>"$T/err$i" &
  pids="${pids:-} $!"
  for _ in $(seq 1 500); do [ "$(ls "$S" 2>/dev/null | wc -l)" -ge "$i" ] && break; sleep 0.01; done
done
for p in $pids; do wait "$p" || fail "a run failed"; done
for i in $(seq 1 20); do
  sid=$(jq -r 'select(.type=="session_started").session' "$T/out$i")
  order="$order $sid"
done
echo "started:$order"
head=$("$DESKHAND" log 2>/dev/null | head -1)   # stderr names the session chosen
assert_contains "$head" "session $sid "
assert_contains "$head" "task number 20"
listed=$("$DESKHAND" sessions --json | jq -r '.[].id' | tr '\n' ' ')
assert_eq "$listed" "${order# } " "sessions, oldest first"
# A run that writes g.txt, then one that writes nothing: undo acts on the
# second (nothing to undo there) and leaves g.txt alone.
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "write g" > "$T/out" 2>"$T/err" || { cat "$T/err"; fail "run g"; }
[ -e "$G/g.txt" ] || fail "g.txt was not written"
"$DESKHAND" run --grant "$G" --json "write nothing" > "$T/out" 2>"$T/err" || { cat "$T/err"; fail "run 22"; }
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
set +e; "$DESKHAND" undo > "$T/undo" 2>&1; set -e
assert_contains "$(cat "$T/undo")" "$sid"
[ -e "$G/g.txt" ] || fail "undo acted on an older session"
out=$("$DESKHAND" run --resume latest --json "go on" 2>"$T/err") || { cat "$T/err"; fail "--resume latest"; }
assert_eq "$(jq -r 'select(.type=="session_started").session' <<<"$out")" "$sid" "--resume latest"
assert_contains "$(tail -1 "$FAKE_LOG" | jq -c .body.messages)" "write nothing"
echo ok
