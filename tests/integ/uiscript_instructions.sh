# :instructions shows the AGENTS.md files the agent is given (global, the
# grant root's, a nested one once a tool call reached its directory) with
# their text, the skills (names, sources) and the warnings, through the
# engine's "instructions" reply; before any task too.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G/sub" "$XDG_CONFIG_HOME/deskhand/skills/tidy-notes"
echo "GLOBAL-RULE-1" > "$XDG_CONFIG_HOME/deskhand/AGENTS.md"
echo "ROOT-RULE-2" > "$G/AGENTS.md"
echo "SUB-RULE-3" > "$G/sub/AGENTS.md"
echo x > "$G/sub/a.txt"
printf -- '---\nname: tidy-notes\ndescription: Tidy a notes folder.\n---\nbody\n' \
  > "$XDG_CONFIG_HOME/deskhand/skills/tidy-notes/SKILL.md"
mkdir -p "$XDG_CONFIG_HOME/deskhand/skills/BAD"
printf -- '---\nname: BAD\ndescription: x\n---\n' > "$XDG_CONFIG_HOME/deskhand/skills/BAD/SKILL.md"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "read_file", "input": {"path": "sub/a.txt"}}]},
 {"text": "Read.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
steps "<Esc>
:type :instructions
<Enter>
:wait text ROOT-RULE-2
:save-screen $T/before.scr
q
i
:type read it
<Enter>
:wait text task done
<Esc>
:type :instructions
<Enter>
:wait text SUB-RULE-3
:save-screen $T/after.scr
q
:quit"
ui_run 120 40 --grant "$G"
assert_screen before "== $XDG_CONFIG_HOME/deskhand/AGENTS.md \(global, 14 bytes\)" "GLOBAL-RULE-1" \
  "== $G/AGENTS.md \(folder, 12 bytes\)" "ROOT-RULE-2" "tidy-notes \(config, " \
  "Tidy a notes folder\." "BAD/SKILL.md:2: name 'BAD'"
! grep -q "SUB-RULE-3" <<<"$(screen before)" || fail "the nested file shows before it was reached"
assert_screen after "== $G/sub/AGENTS.md \(nested: loaded when first worked in, 11 bytes\)" "SUB-RULE-3"
echo ok
