# In process: "/" searches the transcript and "n" moves to the next match,
# the matched text drawn as the search element (issue 11, 10); a missing word
# says "not found".
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
body=""
for i in $(seq 1 40); do body="$body line $i filler\\n"; done
cat > "$T/script.json" <<JSON
{"turns": [
 {"text": "needle-one here\\n${body}needle-two here\\n${body}the end", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
steps ":wait turn-done
:wait text task done
:save-screen $T/end.scr
/
:type needle
<Enter>
:wait idle
:save-screen $T/first.scr elements
n
:wait idle
:save-screen $T/second.scr elements
/
:type zzznope
<Enter>
:wait text not found
:save-screen $T/none.scr
:quit"
UI_ENV="NO_COLOR=" ui_run 100 24 --grant "$G" "find it"
assert_screen end 'the end'
s1=$(screen first); s2=$(screen second)
[ "$s1" != "$s2" ] || fail "n did not move to another match"
grep -q 'needle-' <<<"$s1" || { echo "$s1"; fail "first match not shown"; }
grep -q 'needle-' <<<"$s2" || { echo "$s2"; fail "second match not shown"; }
# in colour, the line with the match is drawn with the cursor element
for n in first second; do
  row=$(screen $n | grep -n 'needle-' | head -1 | cut -d: -f1)
  elements $n | sed -n "${row}p" | grep -qE '[c/]' || { cat "$T/$n.scr"; fail "$n: the match row is not the cursor"; }
done
# the matched word itself is drawn with the search element ('/'), on every row
# that shows one, the cursor row's included
for n in first second; do
  python3 - "$T/$n.scr" <<'PY' || { cat "$T/$n.scr"; fail "$n: the match is not highlighted"; }
import sys
text, rest = open(sys.argv[1], encoding="utf-8").read().split("\n--\n", 1)
elems = rest.split("\n==\n", 1)[0].split("\n")
hits = 0
for row, line in enumerate(text.split("\n")):
    i = line.find("needle")
    if i < 0:
        continue
    hits += 1
    if elems[row][i:i + 6] != "//////":
        sys.exit("row %d: %r under %r" % (row, elems[row][i:i + 6], line))
sys.exit(0 if hits else "no match on the screen")
PY
done
assert_screen none 'not found: zzznope'
echo ok
