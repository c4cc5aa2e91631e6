# ask mode: a host not on the allowlist becomes an approval_needed (name
# "network", id "egress-N") held open while the request waits. An approval
# adds HOST:PORT for the session but never lifts the address checks (a
# loopback address stays refused); a denial refuses it for the rest of the
# session without asking again. Same flow for run_command's proxy and web_fetch.
. "$DH_TESTS/lib.sh"
bwrap_or_skip
G=$T/work; mkdir -p "$G"
start_web
P=$WEB_PORT
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "probe"}]}}]},
 {"tool_calls": [
   {"name": "run_command", "input": {"command": "curl -sS -m 30 http://127.0.0.1:$P/ask1; curl -sS -m 30 http://127.0.0.1:$P/ask2"}},
   {"name": "web_fetch", "input": {"url": "http://evil.example/a"}},
   {"name": "web_fetch", "input": {"url": "http://evil.example/b"}}
 ]},
 {"text": "ok", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
fifo=$T/cmd; mkfifo "$fifo"
"$DESKHAND" run --grant "$G" --approve-plan --json --commands "probe" <"$fifo" >"$T/out" 2>"$T/err" &
pid=$!
exec 9>"$fifo"
n_needed() { jq -s "[.[] | select(.type==\"approval_needed\" and .name==\"$1\")] | length" "$T/out"; }
wait_needed() {
  for _ in $(seq 1 300); do [ "$(n_needed "$1")" -ge "$2" ] && return 0; sleep 0.05; done
  cat "$T/out" "$T/err"; fail "timed out waiting for approval_needed $1 #$2"
}
wait_needed run_command 1
echo '{"type":"approve"}' >&9
wait_needed network 1
q1=$(jq -rs '[.[] | select(.type=="approval_needed" and .name=="network")][0]' "$T/out")
assert_eq "$(jq -r '[.id, .input.host, .input.port, .input.source, .reason] | @tsv' <<<"$q1")" \
  "$(printf 'egress-1\t127.0.0.1\t%s\trun_command\tallow 127.0.0.1:%s for this session?' "$P" "$P")"
echo '{"type":"approve","id":"egress-1"}' >&9
wait_needed network 2
q2=$(jq -rs '[.[] | select(.type=="approval_needed" and .name=="network")][1]' "$T/out")
assert_eq "$(jq -r '[.input.host, .input.port, .input.source] | @tsv' <<<"$q2")" "$(printf 'evil.example\t80\tweb_fetch')"
echo "{\"type\":\"deny\",\"id\":\"$(jq -r .id <<<"$q2")\"}" >&9
exec 9>&-
wait $pid || { cat "$T/err"; fail "run failed"; }
out=$(cat "$T/out")
res() { jq -rs --argjson n "$1" '[.[] | select(.type=="tool_result" and .name!="propose_plan")][$n].output' <<<"$out"; }
# approved, but 127.0.0.1 is loopback: refused both times, asked once
assert_contains "$(res 0)" "egress to 127.0.0.1:$P refused: 127.0.0.1 is a loopback address"
assert_eq "$(jq -s "[.[] | select(.type==\"egress\" and .host==\"127.0.0.1\" and (.reason|test(\"loopback\")))] | length" <<<"$out")" 2
assert_contains "$(res 1)" "refused: not on the egress allowlist; the person denied it"
assert_contains "$(res 2)" "the person denied it earlier in this session"
assert_eq "$(n_needed network)" 2
assert_eq "$(jq -rs '[.[] | select(.type=="approval_decided" and (.id|startswith("egress-"))) | .approved] | @tsv' <<<"$out")" \
  "$(printf 'true\tfalse')"
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
sleep 0.2
[ ! -s "$WEB_LOG" ] || fail "the upstream was reached: $(cat "$WEB_LOG")"
echo ok
