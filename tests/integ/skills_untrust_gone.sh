# `deskhand skills untrust DIR` forgets the trust in a folder that is gone
# (deleted, moved): it used to fail as for any DIR that is not there, so the
# folder's entry stayed in the trust store for good, trusting whatever
# skills with the same files appear at that path again. A DIR that is gone
# and was never trusted still fails naming it.
. "$DH_TESTS/lib.sh"
tf=$XDG_STATE_HOME/deskhand/skills-trust.json
for d in gone kept; do
  mkdir -p "$T/$d/.agents/skills/p"
  printf -- '---\nname: p\ndescription: x\n---\n' > "$T/$d/.agents/skills/p/SKILL.md"
  "$DESKHAND" skills trust "$T/$d" >/dev/null
done
rm -rf "$T/gone"
cd "$T"
out=$("$DESKHAND" skills untrust ./gone/ 2>&1) || fail "untrust of a gone folder: $out"
assert_contains "$out" "no longer trusting the skills of ./gone/"
assert_eq "$(jq -r 'keys | join(",")' "$tf")" "$T/kept"
set +e; err=$("$DESKHAND" skills untrust "$T/gone" 2>&1); rc=$?; set -e
assert_eq "$rc" 1 "untrust again"
assert_contains "$err" "'$T/gone': no such directory"
assert_eq "$(jq -r 'keys | join(",")' "$tf")" "$T/kept"
echo ok
