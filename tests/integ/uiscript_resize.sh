# In process: resized 200x60 -> 80x24 -> 60x20 while a slow stream runs; each
# size is laid out (side by side, stacked, one pane) and the answer arrives whole.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu END-OF-ANSWER", "delay_ms": 300, "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
steps ":wait text writing
:save-screen $T/wide.scr
:resize 80 24
:wait idle
:save-screen $T/mid.scr elements
:resize 60 20
:wait idle
:save-screen $T/small.scr
:wait text END-OF-ANSWER
:wait text task done
:save-screen $T/end.scr
:quit"
ui_run 200 60 --grant "$G" "stream please"
grep -E "^ plan .*│ transcript .*│ diff" <<<"$(screen wide)" >/dev/null || { screen wide; fail "not side by side at 200x60"; }
[ "$(screen wide | wc -l)" -eq 60 ] || fail "wide screen is not 60 rows"
s=$(screen mid)
[ "$(wc -l <<<"$s")" -eq 24 ] || fail "mid screen is not 24 rows"
[ "$(wc -L <<<"$s")" -le 80 ] || fail "lines wider than 80 after the resize"
assert_contains "$s" " transcript"
assert_contains "$s" " diff"
s=$(screen small)
[ "$(wc -l <<<"$s")" -eq 20 ] || fail "small screen is not 20 rows"
[ "$(wc -L <<<"$s")" -le 60 ] || fail "lines wider than 60"
assert_contains "$s" " transcript"
assert_not_contains "$s" " diff ("
assert_screen end 'END-OF-ANSWER' 'task done'
echo ok
