# "Always allow" saved for later sessions. In the workbench, A then p (only
# calls like this one) asks whether to save the rule: y appends
# `allow run_command(ls -a)` to the person's config and the decision says
# where; n keeps a rule for this session only. A follow-up task, and the
# next session (headless,
# nobody to ask) honours the saved line, naming it, and not the unsaved one.
# Headless, approve {always, pattern, save} saves a path glob made absolute.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G/notes"
cfg=$XDG_CONFIG_HOME/deskhand/config
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "List"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "ls -a"}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "ls -a notes"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "notes/a.md", "content": "A\n"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "notes/b.md", "content": "B\n"}}]},
 {"text": "Listed.", "stop_reason": "end_turn"},
 {"tool_calls": [{"name": "run_command", "input": {"command": "ls -a ."}}]},
 {"text": "Again.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
steps ":type list
<Enter>
:wait approval
a
:wait text Allow run_command ls -a
A
:wait text Always allow: t every run_command call, p only run_command ls -a, Esc cancel
p
:wait text Save 'allow run_command\(ls -a\)' to your config for later sessions too\? y save, n this session only, Esc cancel
:save-screen $T/ask.scr
y
:wait text Allow write_file notes/a\.md
:save-screen $T/saved.scr
A
:wait text Always allow: t every write_file call
p
:wait text Save 'allow write_file\(notes/\*\.md\)'
n
:wait text task done
:wait text diff \(2 files pending\)
i
:type again
<Enter>
:wait text Again\.
:save-screen $T/again.scr
:quit"
ui_run 160 40 --grant "$G"
assert_screen saved "call approved: always allowed; saved 'allow run_command\(ls -a\)' to" "$cfg"
grep -q 'Allow run_command ls -a notes' <<<"$(screen saved)" && fail "ls -a notes was asked about"
assert_eq "$(cat "$cfg")" "allow run_command(ls -a)"
# A follow-up task in the same workbench reads the saved line.
assert_screen again "call approved: rule 'allow run_command\(ls -a\)'"
assert_eq "$(cat "$G/notes/a.md")$(cat "$G/notes/b.md")" AB

# The next session: the saved rule allows, the unsaved one is gone.
cat > "$T/script2.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "List"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "ls -a notes"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "notes/c.md", "content": "C\n"}}]},
 {"text": "Listed.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script2.json"
"$DESKHAND" run --grant "$G" --approve-plan --json --dangerously-run-commands-unsandboxed \
  "again" >"$T/out2" 2>"$T/err2" || true
d=$(jq -r 'select(.type=="approval_decided") | "\(.approved) \(.message)"' "$T/out2")
assert_contains "$d" "true rule 'allow run_command(ls -a)' ($cfg:1)"
assert_contains "$d" "false no terminal to ask"
[ ! -e "$G/notes/c.md" ] || fail "the unsaved rule outlived its session"

# Headless: approve with always, a pattern and save.
start_fake "$T/script2.json"
fifo=$T/cmd; mkfifo "$fifo"
"$DESKHAND" run --grant "$G" --approve-plan --json --commands \
  --dangerously-run-commands-unsandboxed "again" <"$fifo" >"$T/out3" 2>"$T/err3" &
pid=$!
exec 9>"$fifo"
for _ in $(seq 1 200); do grep -q '"approval_needed".*notes/c.md' "$T/out3" && break; sleep 0.05; done
echo '{"type":"approve","always":true,"pattern":"notes/*.md","save":true}' >&9
exec 9>&-
wait $pid || { cat "$T/err3"; fail "run failed"; }
assert_eq "$(cat "$cfg")" "allow run_command(ls -a)
allow write_file($G/notes/*.md)"
assert_contains "$(jq -r 'select(.type=="approval_decided") | .message' "$T/out3")" \
  "always allowed; saved 'allow write_file($G/notes/*.md)' to $cfg"
assert_eq "$(cat "$G/notes/c.md")" C
echo ok
