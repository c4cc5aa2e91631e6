# :instructions shows the AGENTS.md files the agent is given (global, the
# grant root's, a nested one once a tool call reached its directory) with
# their text, the skills (names, sources) and the warnings, through the
# engine's "instructions" reply; before any task too. :trust-skills DIR
# trusts a granted folder's .agents/skills: the next task offers them.
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
mkdir -p "$G/.agents/skills/proj"
printf -- '---\nname: proj\ndescription: The project skill.\n---\nbody\n' > "$G/.agents/skills/proj/SKILL.md"
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
:type :trust-skills $G
<Enter>
:wait text trusted the skills of
:save-screen $T/trusted.scr
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
assert_screen before "holds 1 skill not used: the person has not trusted them"
assert_screen trusted "trusted the skills of $G: the next task offers them"
sys1=$(head -1 "$FAKE_LOG" | jq -r '.body.system[0].text')
assert_contains "$sys1" "- proj: The project skill."
assert_contains "$sys1" "- tidy-notes: Tidy a notes folder."
echo ok
