# A relative XDG_CONFIG_HOME is no configuration directory (the XDG rule):
# the skills and the global AGENTS.md come from ~/.config/deskhand, where
# the config file is read from, not from a directory relative to wherever
# deskhand was started (so one launch offered other skills than the next).
. "$DH_TESTS/lib.sh"
C=$HOME/.config/deskhand
mkdir -p "$C/skills/fromhome" "$T/cwd/rel/deskhand/skills/fromrel"
printf -- '---\nname: fromhome\ndescription: In the config directory.\n---\n' \
  > "$C/skills/fromhome/SKILL.md"
printf -- '---\nname: fromrel\ndescription: Relative to the cwd.\n---\n' \
  > "$T/cwd/rel/deskhand/skills/fromrel/SKILL.md"
echo "Home instructions." > "$C/AGENTS.md"
echo "Relative instructions." > "$T/cwd/rel/deskhand/AGENTS.md"
printf 'set max_turns = 33\n' > "$C/config"
cd "$T/cwd"
export XDG_CONFIG_HOME=rel

assert_contains "$("$DESKHAND" config max_turns)" "$C/config:1"
js=$("$DESKHAND" skills --json)
assert_eq "$(jq -r '.skills | map(.name) | join(",")' <<<"$js")" "fromhome"

mkdir -p "$T/work"
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "ok", "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$T/work" --json "hi" >"$T/out.json" 2>"$T/err" ||
  fail "run: $(cat "$T/err")"
sys=$(sed -n 1p "$FAKE_LOG" | jq -r '.body.system[0].text')
assert_contains "$sys" "- fromhome: In the config directory."
assert_not_contains "$sys" "fromrel"
assert_contains "$sys" "From $C/AGENTS.md:"
assert_contains "$sys" "Home instructions."
assert_not_contains "$sys" "Relative instructions."
echo ok
