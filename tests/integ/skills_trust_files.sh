# Trusting a folder's skills covers every file of each skill's directory,
# not its SKILL.md alone: a changed reference file (or script, or a new
# one) makes them untrusted until trusted again, and load_skill refuses a
# skill whose files the agent changed during the task. A trust recorded by
# an older deskhand (SKILL.md alone) asks to be given again, saying why.
. "$DH_TESTS/lib.sh"
G=$T/work; D=$G/.agents/skills/demo; mkdir -p "$D/reference"
printf -- '---\nname: demo\ndescription: A demo skill.\n---\nRead reference/x.md.\n' > "$D/SKILL.md"
echo "the trusted reference" > "$D/reference/x.md"
trusted() {
  "$DESKHAND" skills --json --grant "$G" | jq -r '.skills[] | select(.name=="demo").trusted'
}
"$DESKHAND" skills trust "$G" >/dev/null || fail "skills trust failed"
assert_eq "$(trusted)" true "just trusted"
echo "a changed reference" > "$D/reference/x.md"
assert_eq "$(trusted)" false "a reference file changed"
"$DESKHAND" skills trust "$G" >/dev/null
assert_eq "$(trusted)" true "trusted again"
echo "x" > "$D/reference/new.md"
assert_eq "$(trusted)" false "a file added"
rm "$D/reference/new.md"
assert_eq "$(trusted)" true "back as it was trusted"
chmod +x "$D/reference/x.md"
assert_eq "$(trusted)" false "a file's mode changed"
chmod -x "$D/reference/x.md"
ln -s /etc/passwd "$D/reference/link.md"
assert_eq "$(trusted)" false "a symlink added"
rm "$D/reference/link.md"
assert_eq "$(trusted)" true

# Too large to hash is a failure naming the skill, not gigabytes read.
mkdir -p "$G/.agents/skills/big"
printf -- '---\nname: big\ndescription: Big.\n---\nb\n' > "$G/.agents/skills/big/SKILL.md"
for i in $(seq 1 1001); do : > "$G/.agents/skills/big/f$i"; done
set +e; err=$("$DESKHAND" skills trust "$G" 2>&1 >/dev/null); rc=$?; set -e
assert_eq "$rc" 1 "trust of a skill with too many files"
assert_contains "$err" \
  "$G/.agents/skills/big: past 1000 files and directories in its folder's skills"
rm -rf "$G/.agents/skills/big"

# During a task: the agent rewrites a reference file; load_skill refuses.
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Change the skill"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": ".agents/skills/demo/reference/x.md",
   "content": "AGENT-REFERENCE-5521\n"}}]},
 {"tool_calls": [{"name": "load_skill", "input": {"name": "demo"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "task" 2>"$T/err") \
  || { rc=$?; cat "$T/err"; fail "run exited $rc"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
assert_contains "$(jq -r '.body.system[0].text' "$FAKE_LOG" | head -50)" "- demo: A demo skill."
res=$(jq -c 'select(.type=="tool_result" and .name=="load_skill")' <<<"$out")
assert_eq "$(jq -r .is_error <<<"$res")" true "load_skill of a skill whose files changed"
assert_contains "$(jq -r .output <<<"$res")" "$D changed after this task began"
assert_contains "$(jq -r .output <<<"$res")" "deskhand skills trust $G"
assert_eq "$(trusted)" false "after the agent's change"

# A trust recorded by an older deskhand, over SKILL.md alone: trust again.
"$DESKHAND" skills trust "$G" >/dev/null
tf=$XDG_STATE_HOME/deskhand/skills-trust.json
jq --arg g "$G" '.[$g] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"' \
  "$tf" > "$T/tf" && cat "$T/tf" > "$tf"
assert_eq "$(trusted)" false "an older trust record"
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "ok", "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --json "hi" 2>"$T/err") || { cat "$T/err"; fail "run failed"; }
assert_contains "$(jq -r 'select(.type=="error").message' <<<"$out")" \
  "trusted them before deskhand checked every file of a skill (SKILL.md alone)"
"$DESKHAND" skills trust "$G" >/dev/null
assert_eq "$(trusted)" true "trusted again after an older record"
echo ok
