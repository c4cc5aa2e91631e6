# The review commands and names the agent made with a newline, an ESC
# sequence or a byte that is not UTF-8. What they print shows every name as
# `deskhand review` lists it (^J, ^[, \xff): a name "x\nFORGED: ..." cannot
# forge a line of a report or of an error, offline or from a live engine,
# and no escape reaches the terminal; --json keeps the names exact. Each
# name `review --json` prints (jq -r) works as the PATH of reject and
# reject-hunk, the one with a byte that is not UTF-8 too ("bad\xffname.txt"
# read back); a real name holding "\x41" is still taken as it is.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
H=$'h\nFORGED: hunk.txt' HB=$'hb\xff.txt' NL=$'nl.txt\nFORGED: rejected 9 files' BAD=$'bad\xffname.txt'
seq 1 12 > "$G/$H"; seq 1 12 > "$G/$HB"
echo x > "$G/q\\x41.txt"; echo x > "$G/qA.txt"
python3 - "$T/script.json" <<'PY'
import json, sys
make = ("printf 'n\\n' > \"$(printf 'nl.txt\\nFORGED: rejected 9 files')\" && "
        "printf 'e\\n' > \"$(printf 'esc\\033]0;TITLE\\007.txt')\" && "
        "printf 'b\\n' > \"$(printf 'bad\\377name.txt')\"")
edit = ("sed -i '1s/.*/ONE/;12s/.*/TWELVE/' h*FORGED* hb*.txt && "
        "echo y >> 'q\\x41.txt' && echo y >> qA.txt")
json.dump({"turns": [
    {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Names"}]}}]},
    {"tool_calls": [{"name": "run_command", "id": "toolu_n",
                     "input": {"command": make + " && " + edit}}]},
    {"text": "Done.", "stop_reason": "end_turn"},
    {"tool_calls": [{"name": "run_command", "id": "toolu_m", "input": {"command": make}}]},
    {"fault": "hang"}]}, open(sys.argv[1], "w"))
PY
count() { find . -mindepth 1 -maxdepth 1 -printf . | wc -c; } # names may hold a newline
start_fake "$T/script.json"
cd "$G"
"$DESKHAND" run --grant "$G" --mode auto --approve-plan "odd names" >"$T/run.out" 2>"$T/err" ||
  { cat "$T/err"; fail "run failed"; }
[ "$(count)" = 7 ] || fail "the command made $(count) files: $(ls | cat -v)"
clean() { # WHAT FILE: no control byte, no line a name began
  if grep -q $'\033\|\a' "$2"; then cat -v "$2"; fail "$1 printed a control"; fi
  if grep -q '^FORGED' "$2"; then cat -v "$2"; fail "$1 printed a name's newline raw"; fi
}
# the name as review --json gives it, read by jq -r (the file starting with $1)
name_of() {
  "$DESKHAND" review --json 2>/dev/null |
    jq -r --arg p "$1" '.grants[0].files[].path | select(startswith($p))'
}
"$DESKHAND" review --stat >"$T/review.out" 2>&1 || { cat -v "$T/review.out"; fail "review failed"; }
clean review "$T/review.out"
assert_contains "$(cat "$T/review.out")" 'A  nl.txt^JFORGED: rejected 9 files'
assert_contains "$(cat "$T/review.out")" 'A  bad\xffname.txt'
assert_contains "$(cat "$T/review.out")" 'M  h^JFORGED: hunk.txt  +2 -2'
assert_eq "$(name_of bad)" 'bad\xffname.txt' "review --json"
"$DESKHAND" review --stat 'bad\xffname.txt' >"$T/one.out" 2>&1 || { cat -v "$T/one.out"; fail "review PATH failed"; }
assert_contains "$(cat "$T/one.out")" '1 file pending'

# reject-hunk: the report names the file on one line ...
n=$(name_of $'h\n'); assert_eq "$n" "$H" "review --json"
"$DESKHAND" reject-hunk "$n" 1 >"$T/hunk.out" 2>&1 || { cat -v "$T/hunk.out"; fail "reject-hunk failed"; }
clean reject-hunk "$T/hunk.out"
assert_contains "$(cat "$T/hunk.out")" 'restored h^JFORGED: hunk.txt'
assert_eq "$(head -1 "$G/$n")" 1 "hunk 1 reverted"
# ... and takes the escaped form of a name that is not UTF-8
"$DESKHAND" reject-hunk "$(name_of hb)" 2 >"$T/hunkb.out" 2>&1 ||
  { cat -v "$T/hunkb.out"; fail "reject-hunk of the name review --json prints failed"; }
assert_contains "$(cat "$T/hunkb.out")" 'restored hb\xff.txt'
assert_eq "$(tail -1 "$G/$HB")" 12 "hunk 2 of hb<ff>.txt reverted"

# reject: each name as review --json gives it
"$DESKHAND" reject "$(name_of bad)" >"$T/bad.out" 2>&1 ||
  { cat -v "$T/bad.out"; fail "reject of the name review --json prints failed"; }
assert_contains "$(cat "$T/bad.out")" 'removed bad\xffname.txt'
[ ! -e "$G/$BAD" ] || fail "bad<ff>name.txt is still there"
"$DESKHAND" reject "$(name_of esc)" >"$T/esc.out" 2>&1 || { cat -v "$T/esc.out"; fail "reject failed"; }
clean reject "$T/esc.out"
assert_contains "$(cat "$T/esc.out")" 'removed esc^[]0;TITLE^G.txt'
# --json: the report's line holds the exact name, newline and all
"$DESKHAND" reject --json "$(name_of nl)" >"$T/nl.json" 2>/dev/null || fail "reject --json failed"
assert_eq "$(jq -r '.results[0].report | length' "$T/nl.json")" 1 "report lines: $(cat "$T/nl.json")"
assert_eq "$(jq -r '.results[0].report[0]' "$T/nl.json")" "removed $NL"
[ ! -e "$G/$NL" ] || fail "nl.txt is still there"
# a real name holding "\x41": taken as it is, not as qA.txt
"$DESKHAND" reject 'q\x41.txt' >"$T/q.out" 2>&1 || { cat -v "$T/q.out"; fail "reject 'q\\x41.txt' failed"; }
assert_eq "$(cat "$G/q\\x41.txt")" x "q\\x41.txt rejected"
assert_eq "$(cat "$G/qA.txt")" "$(printf 'x\ny')" "qA.txt untouched"
# an error names what was typed on one line, no escape sent
rc=0; "$DESKHAND" reject $'nope\033]0;X\a\nFORGED: ok' >"$T/nope.out" 2>&1 || rc=$?
assert_eq "$rc" 1 "reject of nothing pending: $(cat -v "$T/nope.out")"
clean "reject (error)" "$T/nope.out"
assert_contains "$(cat "$T/nope.out")" "nothing pending at 'nope^[]0;X^G^JFORGED: ok'"

# live: an engine runs the session (its next turn makes the files again and hangs)
id=$("$DESKHAND" run --detach --resume latest --mode auto "again") || fail "run --detach failed"
for _ in $(seq 1 400); do [ "$(count)" = 7 ] && break; sleep 0.05; done
[ "$(count)" = 7 ] || fail "the second command made $(count) files"
for _ in $(seq 1 200); do [ -n "$(name_of nl)" ] && [ -n "$(name_of bad)" ] && break; sleep 0.05; done
"$DESKHAND" reject "$(name_of nl)" >"$T/live.out" 2>&1 || { cat -v "$T/live.out"; fail "live reject failed"; }
clean "reject (live)" "$T/live.out"
assert_contains "$(cat "$T/live.out")" 'rejected nl.txt^JFORGED: rejected 9 files'
"$DESKHAND" reject "$(name_of bad)" >"$T/liveb.out" 2>&1 ||
  { cat -v "$T/liveb.out"; fail "live reject of the name review --json prints failed"; }
assert_contains "$(cat "$T/liveb.out")" 'rejected bad\xffname.txt'
[ ! -e "$G/$BAD" ] || fail "bad<ff>name.txt is still there (live)"
rc=0; "$DESKHAND" reject $'nope\nFORGED: ok' >"$T/livenope.out" 2>&1 || rc=$?
assert_eq "$rc" 1 "live reject of nothing pending: $(cat -v "$T/livenope.out")"
clean "reject (live error)" "$T/livenope.out"
"$DESKHAND" stop "$id" >/dev/null 2>&1 || true
echo ok
