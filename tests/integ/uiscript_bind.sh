# In process: config `bind CONTEXT KEY ACTION` lines rebind keys (the help
# overlay, generated from the same table, shows them), and a bad line is an
# error naming FILE:LINE before the terminal is touched.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G" "$XDG_CONFIG_HOME/deskhand"
cat > "$XDG_CONFIG_HOME/deskhand/config" <<'CFG'
# review with one key
bind diff <C-a> accept-all
bind global K help
CFG
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write two"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "A\n"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "b.txt", "content": "B\n"}}]},
 {"text": "Both written.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
steps ":wait approval
a
:wait text Allow write_file a.txt
A
:wait text Always allow: t every write_file call
t
:wait text Save 'allow write_file'
n
:wait text task done
K
:wait text Show the key bindings
:save-screen $T/help.scr
G
:wait text accept-all
:save-screen $T/help2.scr
q
<Tab>
:wait text diff \(2 files pending\)
<C-a>
:wait text diff \(0 files pending\)
:save-screen $T/accepted.scr
:quit"
ui_run 120 40 --grant "$G" "write two"
assert_screen help '(\?, K|K, \?) +help +Show the key bindings'
assert_screen help2 '<C-a> +accept-all'
assert_screen accepted 'diff \(0 files pending\)'
# both files stay: accepting changes nothing on disk
assert_eq "$(cat "$G/a.txt" "$G/b.txt" | tr -d '\n')" AB

# A bad line: exit 1, the file and line named, nothing drawn.
printf 'bind global K help\nbind diff s frobnicate\n' > "$XDG_CONFIG_HOME/deskhand/config"
steps ":quit"
UI_RC=1 ui_run 80 24 --grant "$G" || true
grep -q "config:2: bind: unknown action 'frobnicate'" "$T/ui.err" || fail "bad bind not named: $(cat "$T/ui.err")"
printf 'bind nowhere x help\n' > "$XDG_CONFIG_HOME/deskhand/config"
UI_RC=1 ui_run 80 24 --grant "$G" || true
grep -q "config:1: bind: unknown context 'nowhere'" "$T/ui.err" || fail "bad context not named: $(cat "$T/ui.err")"
echo ok
