# accept and reject print what they did ("removed NAME", "accepted NAME")
# made printable: a file the agent named with an ESC sequence that sets the
# terminal's title (OSC 0), writes its clipboard (OSC 52) or erases the
# screen, or with a C1 CSI (0x9b), reached the terminal raw, from the
# offline report and from a live engine's answer alike. --json keeps the
# exact bytes.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
python3 - "$T/script.json" <<'PY'
import json, sys
cmd = ("printf a > \"$(printf 'a\\033]0;TITLE\\007.txt')\" && "
       "printf b > \"$(printf 'b\\033]52;c;cHduZWQ=\\007\\033[2J.txt')\" && "
       "printf c > \"$(printf 'c\\302\\2332Kx.txt')\" && "
       "printf 'd\\033]0;DIFF\\007\\n' > \"$(printf 'd\\033[31m.txt')\"")
json.dump({"turns": [
    {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Name"}]}}]},
    {"tool_calls": [{"name": "run_command", "id": "toolu_n", "input": {"command": cmd}}]},
    {"text": "Done.", "stop_reason": "end_turn"},
    {"tool_calls": [{"name": "run_command", "id": "toolu_m", "input": {"command": cmd.replace("printf a", "printf A")}}]},
    {"fault": "hang"}]}, open(sys.argv[1], "w"))
PY
start_fake "$T/script.json"
cd "$G"
"$DESKHAND" run --grant "$G" --mode auto --approve-plan "name files" >"$T/run.out" 2>"$T/err" ||
  { cat "$T/err"; fail "run failed"; }
[ "$(ls | wc -l)" = 4 ] || fail "the command made $(ls | wc -l) files"
clean() { # NAME FILE: no ESC, BEL or C1 CSI reached the terminal
  if grep -q $'\033\|\a\|\xc2\x9b' "$2"; then cat -v "$2"; fail "$1 printed a control"; fi
}
# offline: no engine runs the session
"$DESKHAND" reject "$(printf 'a\033]0;TITLE\a.txt')" >"$T/reject.out" 2>&1 || { cat -v "$T/reject.out"; fail "reject failed"; }
clean reject "$T/reject.out"
assert_contains "$(cat "$T/reject.out")" "removed a^[]0;TITLE^G.txt"
"$DESKHAND" accept "$(printf 'c\302\2332Kx.txt')" >"$T/accept.out" 2>&1 || { cat -v "$T/accept.out"; fail "accept failed"; }
clean accept "$T/accept.out"
assert_contains "$(cat "$T/accept.out")" "accepted c<U+009B>2Kx.txt"
# a conflict: the diff agent -> current shows what the agent wrote
d=$(printf 'd\033[31m.txt'); echo mine >> "$d"
rc=0; TMPDIR=$T "$DESKHAND" reject "$d" >"$T/conflict.out" 2>&1 || rc=$?
assert_eq "$rc" 3 "reject of a file changed since: $(cat -v "$T/conflict.out")"
clean "reject (conflict)" "$T/conflict.out"
assert_contains "$(cat "$T/conflict.out")" "d^[]0;DIFF^G"
assert_contains "$(cat "$T/conflict.out")" "  d^[[31m.txt"
# --json keeps the name exact
"$DESKHAND" reject --json "$(printf 'b\033]52;c;cHduZWQ=\a\033[2J.txt')" >"$T/reject.json" 2>/dev/null ||
  fail "reject --json failed"
assert_eq "$(jq -r '.results[0].report[0]' "$T/reject.json")" "$(printf 'removed b\033]52;c;cHduZWQ=\a\033[2J.txt')"
# live: an engine runs the session (its next turn makes the files again and hangs)
id=$("$DESKHAND" run --detach --resume latest --mode auto "again") || fail "run --detach failed"
for _ in $(seq 1 400); do [ "$(ls | wc -l)" = 4 ] && break; sleep 0.05; done
[ "$(ls | wc -l)" = 4 ] || fail "the second command made $(ls | wc -l) files"
for _ in $(seq 1 200); do "$DESKHAND" review --stat 2>/dev/null | grep -q '^A  a' && break; sleep 0.05; done
"$DESKHAND" reject "$(printf 'a\033]0;TITLE\a.txt')" >"$T/live.out" 2>&1 || { cat -v "$T/live.out"; fail "live reject failed"; }
clean "reject (live)" "$T/live.out"
assert_contains "$(cat "$T/live.out")" "rejected a^[]0;TITLE^G.txt"
"$DESKHAND" stop "$id" >/dev/null 2>&1 || true
echo ok
