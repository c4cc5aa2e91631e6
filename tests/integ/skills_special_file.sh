# A personal skill whose SKILL.md is a FIFO or a device (a link to one) is a
# problem naming it, never opened: opening a FIFO for reading waits for a
# writer, so `deskhand skills` and a session's engine (whose signals wait in
# its loop) hung there for good. A SKILL.md over the size cap says its size.
. "$DH_TESTS/lib.sh"
S=$XDG_CONFIG_HOME/deskhand/skills
mkdir -p "$S/good" "$S/pipe" "$S/dev" "$S/huge"
printf -- '---\nname: good\ndescription: A good skill.\n---\nbody\n' > "$S/good/SKILL.md"
mkfifo "$S/pipe/SKILL.md"
ln -s /dev/zero "$S/dev/SKILL.md"
{ printf -- '---\nname: huge\ndescription: x\n---\n'; head -c 300000 /dev/zero | tr '\0' a; } \
  > "$S/huge/SKILL.md"

set +e; out=$(timeout -s KILL 20 "$DESKHAND" skills 2>&1); rc=$?; set -e
[ "$rc" != 137 ] || fail "deskhand skills hung on a FIFO SKILL.md"
assert_eq "$rc" 1 "exit status with problems"
assert_contains "$out" "good "
assert_contains "$out" "$S/pipe/SKILL.md: not a regular file: a skill's SKILL.md must be one"
assert_contains "$out" "$S/dev/SKILL.md: not a regular file: a skill's SKILL.md must be one"
assert_contains "$out" "$S/huge/SKILL.md: it is 300034 bytes; a SKILL.md is read up to 256 KiB"

# A session starts, says so, and offers the good skill.
mkdir -p "$T/work"
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "ok", "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
set +e
timeout -s KILL 30 "$DESKHAND" run --grant "$T/work" --json "hi" >"$T/out.json" 2>"$T/err"
rc=$?
set -e
[ "$rc" != 137 ] || fail "a session hung on a FIFO SKILL.md"
assert_eq "$rc" 0 "run: $(cat "$T/err")"
assert_contains "$(jq -r 'select(.type=="error").message' "$T/out.json")" \
  "skills: $S/pipe/SKILL.md: not a regular file"
assert_contains "$(sed -n 1p "$FAKE_LOG" | jq -r '.body.system[0].text')" "- good: A good skill."
echo ok
