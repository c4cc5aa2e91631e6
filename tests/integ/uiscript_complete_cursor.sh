# In process: Tab on the `:` line completes the word that ends at the
# cursor, not the end of the line, once the cursor has moved back into it:
# what follows the cursor stays, the cursor goes after the completion, and
# a command name completed before its argument steps over the space there
# rather than adding one. Several candidates show and cycle as at the end.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G" "$HOME/projects" "$HOME/photos" "$HOME/notes"
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "Hello.", "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
left6="<Left>
<Left>
<Left>
<Left>
<Left>
<Left>"
steps "<Esc>
:type :grant ~/pr other
$left6
<Tab>
:save-screen $T/mid.scr
:type X
:save-screen $T/midx.scr
<Esc>
:type :ung ~/notes
$left6
<Left>
<Left>
<Tab>
:type |
:save-screen $T/name.scr
<Esc>
:type :grant ~/p other
$left6
<Tab>
:save-screen $T/several.scr
<Tab>
:save-screen $T/cycle1.scr
<Tab>
:save-screen $T/cycle2.scr
<Esc>
:type :grant ~/p
<Tab>
<Tab>
:save-screen $T/end.scr
:quit"
ui_run 100 30 --grant "$G"
assert_screen mid '^:grant ~/projects/ other *$'
assert_screen midx '^:grant ~/projects/X other *$'
assert_screen name '^:ungrant |~/notes *$'
assert_screen several '^:grant ~/p other  photos/  projects/ *$'
assert_screen cycle1 '^:grant ~/photos/ other  \[photos/\]  projects/ *$'
assert_screen cycle2 '^:grant ~/projects/ other  photos/  \[projects/\] *$'
# at the end of the line, as before
assert_screen end '^:grant ~/photos/  \[photos/\]  projects/ *$'
echo ok
