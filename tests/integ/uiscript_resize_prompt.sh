# In process: resized while an approval prompt is open and while a line is
# being typed: the prompt and the typed text survive every size, and the
# answer given after the resizes is the one that counts.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write x"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "x.txt", "content": "x\n"}}]},
 {"text": "Wrote x.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
steps ":wait approval
a
:wait text Allow write_file x.txt
:resize 60 20
:wait idle
:save-screen $T/p60.scr
:resize 200 60
:wait idle
:save-screen $T/p200.scr
:resize 80 24
:wait idle
:save-screen $T/p80.scr
y
:wait text task done
i
:type half a follow-up
:resize 60 20
:wait idle
:save-screen $T/typing60.scr
:resize 120 30
:wait idle
:save-screen $T/typing120.scr
<Esc>
:quit"
ui_run 120 30 --grant "$G" "write x"
for n in p60 p200 p80; do
  assert_screen "$n" 'Allow write_file x\.txt'
done
[ "$(screen p60 | wc -L)" -le 60 ] || fail "wider than 60 columns at 60x20"
[ "$(screen p60 | wc -l)" -eq 20 ] || fail "not 20 rows at 60x20"
[ "$(screen p200 | wc -l)" -eq 60 ] || fail "not 60 rows at 200x60"
assert_eq "$(cat "$G/x.txt")" x "the allow given after the resizes"
assert_screen typing60 'half a follow-up'
assert_screen typing120 'half a follow-up'
echo ok
