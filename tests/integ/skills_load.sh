# Skills (agentskills.io): only names and descriptions are in the first
# request's system prompt; load_skill returns the body and the files beside
# it, which read_file reads although the skill lies outside every grant (read
# only: write_file there is refused). Invalid skills are reported with
# file:line as the session's error events.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; echo data > "$G/a.txt"
S=$XDG_CONFIG_HOME/deskhand/skills
mkdir -p "$S/pdf-forms/reference"
cat > "$S/pdf-forms/SKILL.md" <<'MD'
---
name: pdf-forms
description: Fill in PDF forms. Use when the person asks to fill a form.
license: MIT
metadata:
  author: someone
---
# Filling forms

BODY-MARKER-7731: read reference/fields.md first.
MD
echo "FIELDS-MARKER-5512" > "$S/pdf-forms/reference/fields.md"
# an invalid one: the name does not match its directory
mkdir -p "$S/other"
printf -- '---\nname: not-other\ndescription: x\n---\nbody\n' > "$S/other/SKILL.md"
# a skill directory that is a link to the home directory is not offered
# (read_file would read all of it)
mkdir -p "$HOME/.agents/skills"; ln -s "$HOME" "$HOME/.agents/skills/wide"
printf -- '---\nname: wide\ndescription: x\n---\n' > "$HOME/SKILL.md"
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "load_skill", "input": {"name": "pdf-forms"}}]},
 {"tool_calls": [{"name": "read_file", "input": {"path": "$S/pdf-forms/reference/fields.md"}},
                 {"name": "load_skill", "input": {"name": "nope"}}]},
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Try to write"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "$S/pdf-forms/x.md", "content": "no"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json" --check-history
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "Fill the form" 2>"$T/err") \
  || { rc=$?; cat "$T/err"; fail "run exited $rc"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
# request 1: the skill's name and description, not its body
r1=$(sed -n 1p "$FAKE_LOG")
sys1=$(jq -r '.body.system[0].text' <<<"$r1")
assert_contains "$sys1" "- pdf-forms: Fill in PDF forms. Use when the person asks to fill a form."
assert_not_contains "$sys1" "BODY-MARKER-7731"
assert_not_contains "$sys1" "not-other"
assert_contains "$(jq -r '[.body.tools[].name] | join(" ")' <<<"$r1")" "load_skill"
assert_not_contains "$r1" "BODY-MARKER-7731"
# request 2: load_skill's result has the body and the file beside it
r2=$(sed -n 2p "$FAKE_LOG")
res=$(jq -r '.body.messages[-1].content[0].content' <<<"$r2")
assert_contains "$res" "BODY-MARKER-7731"
assert_contains "$res" "$S/pdf-forms/reference/fields.md"
assert_not_contains "$res" "name: pdf-forms"   # the front matter is not repeated
# request 3: read_file read the skill's file; an unknown skill is an error naming those there are
r3=$(sed -n 3p "$FAKE_LOG")
assert_contains "$(jq -r '.body.messages[-1].content[0].content' <<<"$r3")" "FIELDS-MARKER-5512"
assert_eq "$(jq -r '.body.messages[-1].content[1].is_error' <<<"$r3")" true
assert_contains "$(jq -r '.body.messages[-1].content[1].content' <<<"$r3")" "no skill named 'nope' (installed: pdf-forms)"
# the skill's directory is read-only: write_file there is refused
wr=$(jq -r 'select(.type=="tool_result" and .name=="write_file") | .output' <<<"$out")
assert_contains "$wr" "outside the granted folders"
[ ! -e "$S/pdf-forms/x.md" ] || fail "write_file wrote into a skill's directory"
# the invalid skill is reported with file:line, as an event of the session
errs=$(jq -r 'select(.type=="error").message' <<<"$out")
assert_contains "$errs" "skills: $S/other/SKILL.md:2: name 'not-other' does not match its directory 'other'"
assert_contains "$errs" "skills: $HOME/.agents/skills/wide/SKILL.md: its directory is $HOME (a link?): too broad"
assert_not_contains "$sys1" "- wide:"
echo ok
