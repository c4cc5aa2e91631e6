# `deskhand skills` lists valid skills with their source and every invalid
# one as FILE:LINE: what (bad name, name not its directory, description too
# long, no front matter, unclosed front matter, YAML error), exit 1 then;
# a granted folder's .agents/skills count only once trusted, and a change to
# them needs trusting again (in `deskhand skills` and in a session's prompt).
. "$DH_TESTS/lib.sh"
S=$XDG_CONFIG_HOME/deskhand/skills
mk() { mkdir -p "$S/$1"; printf -- "$2" > "$S/$1/SKILL.md"; }
mk good '---\nname: good\ndescription: A good skill.\nallowed-tools: read_file\n---\nbody\n'
mk Bad_Name '---\nname: Bad_Name\ndescription: x\n---\n'
mk mismatch '---\ndescription: x\nname: other\n---\n'
mk long "---\nname: long\ndescription: $(printf 'x%.0s' $(seq 1025))\n---\n"
mk nofm '# just text\n'
mk unclosed '---\nname: unclosed\n'
mk yamlerr '---\nname: yamlerr\ndescription: [oops\n---\n'
mk 'a--b' '---\nname: a--b\ndescription: x\n---\n'
mk '-lead' '---\nname: -lead\ndescription: x\n---\n'
mk nodesc '---\nname: nodesc\n---\n'
mk emptydesc "---\nname: emptydesc\ndescription: ''\n---\n"
mk maxlen "---\nname: maxlen\ndescription: $(printf 'x%.0s' $(seq 1024))\n---\n"
mkdir -p "$HOME/.claude/skills/from-claude"
printf -- '---\nname: from-claude\ndescription: Read from ~/.claude/skills too.\n---\n' \
  > "$HOME/.claude/skills/from-claude/SKILL.md"
mk esc '---\nname: esc\ndescription: "red \\e[31m text"\n---\n'
G=$T/work; mkdir -p "$G/.agents/skills/proj"
printf -- '---\nname: proj\ndescription: The project skill.\n---\nbody\n' > "$G/.agents/skills/proj/SKILL.md"

set +e; out=$("$DESKHAND" skills); rc=$?; set -e
assert_eq "$rc" 1 "exit status with problems"
assert_contains "$out" "good"
assert_contains "$out" "from-claude"
assert_contains "$out" "red ^[[31m text"   # no escape sequence reaches the terminal
! grep -q $'\e' <<<"$out" || fail "an ESC byte reached the output"
assert_contains "$out" "$S/Bad_Name/SKILL.md:2: name 'Bad_Name' is not 1-64 lowercase letters"
assert_contains "$out" "$S/mismatch/SKILL.md:3: name 'other' does not match its directory 'mismatch'"
assert_contains "$out" "$S/long/SKILL.md:3: description is 1025 characters; it must be 1-1024"
assert_contains "$out" "$S/nofm/SKILL.md:1: no YAML front matter"
assert_contains "$out" "$S/unclosed/SKILL.md:1: the front matter is not closed"
assert_contains "$out" "$S/yamlerr/SKILL.md:4: YAML:"
assert_contains "$out" "$S/a--b/SKILL.md:2: name 'a--b' is not"
assert_contains "$out" "$S/-lead/SKILL.md:2: name '-lead' is not"
assert_contains "$out" "$S/nodesc/SKILL.md:1: 'description' is missing"
assert_contains "$out" "$S/emptydesc/SKILL.md:3: description is 0 characters"
assert_not_contains "$out" "maxlen/SKILL.md"
js=$("$DESKHAND" skills --json --grant "$G") || true
assert_eq "$(jq -r '.skills | map(.name) | join(",")' <<<"$js")" "esc,from-claude,good,maxlen,proj"
assert_eq "$(jq -r '.skills[] | select(.name=="from-claude").source' <<<"$js")" claude
assert_eq "$(jq -r '.skills[] | select(.name=="proj") | "\(.source) \(.trusted)"' <<<"$js")" "folder false"
assert_eq "$(jq -r '.problems | length' <<<"$js")" 10
"$DESKHAND" skills --help | grep -q "deskhand skills trust DIR" || fail "--help"
set +e; "$DESKHAND" skills --bogus 2>/dev/null; rc=$?; set -e
assert_eq "$rc" 2 "usage error"
rm -rf "$S/Bad_Name" "$S/mismatch" "$S/long" "$S/nofm" "$S/unclosed" "$S/yamlerr" "$S/a--b" \
  "$S/-lead" "$S/nodesc" "$S/emptydesc"
"$DESKHAND" skills >/dev/null || fail "exit 1 with only valid skills"

# A session: the untrusted folder's skill is not offered, and that is said.
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "ok", "stop_reason": "end_turn"}, {"text": "ok", "stop_reason": "end_turn"},
           {"text": "ok", "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
sys() { sed -n "${1}p" "$FAKE_LOG" | jq -r '.body.system[0].text'; }
out=$("$DESKHAND" run --grant "$G" --json "hi" 2>/dev/null)
assert_not_contains "$(sys 1)" "- proj:"
assert_contains "$(sys 1)" "- good: A good skill."
assert_contains "$(jq -r 'select(.type=="error").message' <<<"$out")" "holds 1 skill not used: the person has not trusted them (deskhand skills trust $G, or :trust-skills in the workbench)"
# trusted: offered
"$DESKHAND" skills trust "$G" >/dev/null
tf=$XDG_STATE_HOME/deskhand/skills-trust.json
assert_eq "$(stat -c %a "$tf")" 600
"$DESKHAND" run --grant "$G" --json "hi" >/dev/null 2>&1
assert_contains "$(sys 2)" "- proj: The project skill."
# changed (as the agent could): not offered until trusted again
echo "more" >> "$G/.agents/skills/proj/SKILL.md"
out=$("$DESKHAND" run --grant "$G" --json "hi" 2>/dev/null)
assert_not_contains "$(sys 3)" "- proj:"
assert_contains "$(jq -r 'select(.type=="error").message' <<<"$out")" "not trusted them since they changed"
"$DESKHAND" skills untrust "$G" >/dev/null
set +e; "$DESKHAND" skills untrust "$G" 2>/dev/null; rc=$?; set -e
assert_eq "$rc" 1 "untrust of a folder not trusted"
echo ok
