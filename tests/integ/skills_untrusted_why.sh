# `deskhand skills` says why a folder's skill is untrusted and the command
# with the folder: never trusted, changed since trusted, or trusted by an
# older deskhand (a hash of SKILL.md alone) and to be given again. Before,
# each was "(untrusted: deskhand skills trust DIR)".
. "$DH_TESTS/lib.sh"
G=$T/work; D=$G/.agents/skills/demo; mkdir -p "$D"
printf -- '---\nname: demo\ndescription: A demo skill.\n---\nBody.\n' > "$D/SKILL.md"
line() { "$DESKHAND" skills --grant "$G" | grep "^demo "; }
assert_contains "$(line)" "$D  (untrusted: deskhand skills trust $G)"
"$DESKHAND" skills trust "$G" >/dev/null || fail "skills trust failed"
assert_not_contains "$(line)" "untrusted"
echo more >> "$D/SKILL.md"
assert_contains "$(line)" "(untrusted: changed since trusted: deskhand skills trust $G)"
tf=$XDG_STATE_HOME/deskhand/skills-trust.json
jq --arg g "$G" '.[$g] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"' \
  "$tf" > "$T/tf" && cat "$T/tf" > "$tf"
assert_contains "$(line)" \
  "(untrusted: trust recorded by an older deskhand for SKILL.md alone, give it again:"
assert_contains "$(line)" "deskhand skills trust $G)"
echo ok
