# Instructions: the global AGENTS.md and a grant root's are in the first
# request's system prompt; a subdirectory's AGENTS.md is not, and joins the
# request after the first tool call that names a path in it (a text block
# after the tool results), once; CLAUDE.md counts where a directory has no
# AGENTS.md; a file over the cap is cut with a warning naming it. An
# AGENTS.md the agent writes in a directory it had not visited is never read
# back as instructions (the directory is visited before the call runs).
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/sub/deep" "$G/claude" "$G/big"
mkdir -p "$XDG_CONFIG_HOME/deskhand"
echo "GLOBAL-RULE-1: be brief." > "$XDG_CONFIG_HOME/deskhand/AGENTS.md"
echo "ROOT-RULE-2: use tabs." > "$G/AGENTS.md"
echo "ROOT-CLAUDE-IGNORED: AGENTS.md exists beside me." > "$G/CLAUDE.md"
echo "SUB-RULE-3: British spelling." > "$G/sub/AGENTS.md"
echo "DEEP-RULE-4: no emoji." > "$G/sub/deep/AGENTS.md"
echo "text" > "$G/sub/deep/a.txt"
echo "CLAUDE-RULE-5: from CLAUDE.md." > "$G/claude/CLAUDE.md"
echo x > "$G/claude/b.txt"
{ echo "BIG-RULE-6"; for i in $(seq 1 1000); do echo "line $i of a long instructions file, padding padding"; done; echo "BIG-TAIL-7"; } > "$G/big/AGENTS.md"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "read_file", "input": {"path": "sub/deep/a.txt"}}]},
 {"tool_calls": [{"name": "read_file", "input": {"path": "sub/deep/a.txt"}},
                 {"name": "list_files", "input": {"path": "claude"}}]},
 {"tool_calls": [{"name": "list_files", "input": {"path": "big"}}]},
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "fresh/AGENTS.md", "content": "AGENT-WRITTEN-8\n"}}]},
 {"tool_calls": [{"name": "read_file", "input": {"path": "fresh/AGENTS.md"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json" --check-history
out=$("$DESKHAND" run --grant "$G" --json --approve-plan --mode auto "Look around" 2>"$T/err") || { rc=$?; cat "$T/err"; fail "run exited $rc"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
req() { sed -n "${1}p" "$FAKE_LOG"; }
sys1=$(req 1 | jq -r '.body.system[0].text')
assert_contains "$sys1" "GLOBAL-RULE-1"
assert_contains "$sys1" "From $XDG_CONFIG_HOME/deskhand/AGENTS.md:"
assert_contains "$sys1" "ROOT-RULE-2"
assert_not_contains "$sys1" "ROOT-CLAUDE-IGNORED"
assert_not_contains "$(req 1)" "SUB-RULE-3"
assert_not_contains "$(req 1)" "DEEP-RULE-4"
# after the read in sub/deep: both levels, in a text block after the result
last2=$(req 2 | jq -c '.body.messages[-1].content')
assert_eq "$(jq -r '.[0].type' <<<"$last2")" tool_result
nested=$(jq -r '.[1].text' <<<"$last2")
assert_contains "$nested" "instructions from $G/sub/AGENTS.md, for work in $G/sub and below"
assert_contains "$nested" "SUB-RULE-3"
assert_contains "$nested" "DEEP-RULE-4"
# the next turn does not repeat them; claude/ has CLAUDE.md only
last3=$(req 3 | jq -c '.body.messages[-1].content')
t3=$(jq -r '.[2].text' <<<"$last3")
assert_not_contains "$t3" "SUB-RULE-3"
assert_contains "$t3" "CLAUDE-RULE-5"
assert_contains "$t3" "$G/claude/CLAUDE.md"
# the big file: cut, with a warning that names it
last4=$(req 4 | jq -c '.body.messages[-1].content')
t4=$(jq -r '.[1].text' <<<"$last4")
assert_contains "$t4" "BIG-RULE-6"
assert_not_contains "$t4" "BIG-TAIL-7"
errs=$(jq -r 'select(.type=="error").message' <<<"$out")
assert_contains "$errs" "instructions: $G/big/AGENTS.md is $(stat -c %s "$G/big/AGENTS.md") bytes; only its first"
[ -f "$G/fresh/AGENTS.md" ] || fail "write_file did not write fresh/AGENTS.md"
! jq -e '.body.messages[] | select(.role=="user") | .content | arrays | .[]
         | select(.type=="text") | .text | contains("fresh/AGENTS.md")' "$FAKE_LOG" >/dev/null \
  || fail "the agent-written AGENTS.md was read back as instructions"
# An AGENTS.md that is a symbolic link is left out, the file named once.
kill "$FAKE_PID"
L=$T/linked; mkdir -p "$L"; ln -s /etc/hostname "$L/AGENTS.md"
echo '{"turns": [{"text": "Hi.", "stop_reason": "end_turn"}]}' > "$T/hi.json"
start_fake "$T/hi.json"
"$DESKHAND" run --grant "$L" --json "hi" > "$T/linked.out" 2>&1 || fail "run exited $?"
assert_eq "$(jq -r 'select(.type=="error").message' "$T/linked.out")" \
  "instructions: '$L/AGENTS.md': refused: symlink in path; left out"
echo ok
