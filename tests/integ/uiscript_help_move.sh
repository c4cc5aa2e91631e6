# The overlays (? and :help, :grants…) move with every movement key the help
# lists, not only j/k, PgUp/PgDn and g/G: C-d and C-u by half a page, End and
# Home to the last and first rows, and a key `bind global` gives a movement.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G" "$XDG_CONFIG_HOME/deskhand"
printf 'bind global <C-n> page-down\n' > "$XDG_CONFIG_HOME/deskhand/config"
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "Hello.", "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
steps "<Esc>
?
:save-screen $T/top.scr
<C-d>
:save-screen $T/half.scr
<End>
:save-screen $T/end.scr
<C-u>
:save-screen $T/up.scr
<Home>
:save-screen $T/home.scr
<C-n>
:save-screen $T/bound.scr
q
:quit"
ui_run 80 24 --grant "$G"
# the overlay's first body row
first() { screen "$1" | sed -n 2p; }
assert_eq "$(first top)" "Panes"
assert_screen half 'help: keys'
[ "$(first half)" != "Panes" ] || fail "C-d did not move the help: $(screen half)"
assert_screen end 'refresh +Reload the review'
[ "$(first up)" != "$(first end)" ] || fail "C-u did not move the help: $(screen up)"
assert_eq "$(first home)" "Panes"
[ "$(first bound)" != "Panes" ] || fail "a bound page-down did not move the help"
echo ok
