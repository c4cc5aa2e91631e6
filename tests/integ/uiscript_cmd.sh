# In process: the `:` commands come from one table. :help lists every command
# of it with its usage; an unknown command names them; Tab completes command
# names, then paths (~ expands, folders end in /), session ids for :open and
# granted folders for :ungrant, a repeated Tab cycling the candidates;
# :grant ~/x grants the folder in the home directory.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G" "$HOME/projects" "$HOME/photos" "$HOME/notes"
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "Hello.", "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
# A session to open: one short task.
steps ":wait text task done
:quit"
ui_run 100 30 --grant "$G" "say hello"
sid=$(ls "$XDG_STATE_HOME"/deskhand/sessions/ | head -1)
[ -n "$sid" ] || fail "no session"

steps "<Esc>
:type :help
<Enter>
:wait text Commands
:save-screen $T/help.scr
<PgDn>
:save-screen $T/help2.scr
q
:type :nosuch
<Enter>
:wait text no command
:save-screen $T/unknown.scr
:type :sess
<Tab>
:save-screen $T/name.scr
<C-u>
:type sa
<Tab>
:save-screen $T/names.scr
<Tab>
:save-screen $T/cycle1.scr
<Tab>
:save-screen $T/cycle2.scr
<Esc>
:type :grant ~/proj
<Tab>
:save-screen $T/path.scr
<Esc>
:type :grant ~/p
<Tab>
<Tab>
:save-screen $T/paths.scr
<Esc>
:type :grant ~/notes
<Enter>
:wait text granted
:save-screen $T/granted.scr
:type :ungrant $HOME/no
<Tab>
:save-screen $T/ungrant.scr
<Esc>
:type :open ${sid:0:4}
<Tab>
:wait text :open $sid
:save-screen $T/open.scr
<Esc>
:type :authorize secure
<Enter>
:save-screen $T/auth-usage.scr
:type :authorize nosuch http://127.0.0.1:9/callback?code=c&state=s
<Enter>
:wait text no connector 'nosuch'
:save-screen $T/auth-none.scr
:quit"
ui_run 180 40 --grant "$G"
# :help: every command of the table, with its usage
for name in $(grep -oE '\.name = "[^"]+"' "$DH_TESTS/../src/ui/ui_cmd.c" | sed 's/.*"\(.*\)"/\1/'); do
  { screen help; screen help2; } | grep -qF ":$name" || { screen help >&2; fail ":help does not list :$name"; }
done
assert_screen help ':grant \[--force\] DIR' ':open ID' ':save-screen FILE \[elements\]' ':quit, :q ' ':undo' ':redo'
assert_screen unknown "no command ':nosuch'; the commands: grant ungrant grants instructions trust-skills sessions inbox open prompts prompt authorize compact undo redo save save-screen help detach quit"
# :authorize: usage without a URL; the engine's refusal shown
assert_screen auth-usage "usage: :authorize SERVER URL"
assert_screen auth-none "no connector 'nosuch' in this session"
assert_screen name '^:sessions *$'
# two candidates: their common prefix, the candidates after it; then Tab cycles
assert_screen names '^:save  save  save-screen'
assert_screen cycle1 '^:save  \[save\]  save-screen'
assert_screen cycle2 '^:save-screen  save  \[save-screen\]'
assert_screen path '^:grant ~/projects/ *$'
assert_screen paths '^:grant ~/photos/  \[photos/\]  projects/'
assert_screen granted "granted $HOME/notes"
assert_screen ungrant "^:ungrant $HOME/notes *\$"
assert_screen open "^:open $sid *\$"
echo ok
