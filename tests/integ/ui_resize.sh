# The workbench in tmux: resized 200x60 -> 80x24 -> 60x20 while a stream runs,
# with NO_COLOR=1; every size is redrawn (wide, stacked, one pane) and the
# answer arrives whole.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu END-OF-ANSWER", "delay_ms": 300, "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
UI_ENV="NO_COLOR=1"
ui_start 200 60 --grant "$G" "stream please"
ui_wait "writing"
s=$(ui_screen)
# Wide: plan | transcript | diff on one row of titles.
grep -E "^ plan .*│ transcript .*│ diff" <<<"$s" >/dev/null || { echo "$s"; fail "not side by side at 200x60"; }
tm resize-window -x 80 -y 24
sleep 0.3
s=$(ui_screen); echo "$s"
[ "$(wc -L <<<"$s")" -le 80 ] || fail "lines wider than 80 after the resize"
assert_contains "$s" " transcript"
assert_contains "$s" " diff"
tm resize-window -x 60 -y 20
sleep 0.3
s=$(ui_screen); echo "$s"
assert_contains "$s" " transcript"
assert_not_contains "$s" " diff ("
ui_wait "END-OF-ANSWER" 10
ui_wait "task done"
ui_keys q
ui_wait "EXIT=0"
echo ok
