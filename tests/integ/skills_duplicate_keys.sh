# A key of the specification given twice in a SKILL.md's front matter is a
# problem naming both lines: YAML keys are unique, and the later value used
# to win without a word (a description edited in its first place changed
# nothing; a second `name:` renamed the skill).
. "$DH_TESTS/lib.sh"
S=$XDG_CONFIG_HOME/deskhand/skills
mk() { mkdir -p "$S/$1"; printf -- "$2" > "$S/$1/SKILL.md"; }
mk twodesc '---\nname: twodesc\ndescription: first\nlicense: MIT\ndescription: second\n---\nbody\n'
mk twoname '---\nname: twoname\ndescription: x\nname: twoname\n---\nbody\n'
mk twometa '---\nname: twometa\ndescription: x\nmetadata:\n  a: b\nmetadata:\n  c: d\n---\n'
mk ok '---\nname: ok\ndescription: fine\nlicense: MIT\nmetadata:\n  a: b\nx-own: 1\nx-own: 2\n---\n'

set +e; out=$("$DESKHAND" skills); rc=$?; set -e
assert_eq "$rc" 1 "exit status with problems"
assert_contains "$out" "$S/twodesc/SKILL.md:5: 'description' is given twice (first on line 3)"
assert_contains "$out" "$S/twoname/SKILL.md:4: 'name' is given twice (first on line 2)"
assert_contains "$out" "$S/twometa/SKILL.md:6: 'metadata' is given twice (first on line 4)"
js=$("$DESKHAND" skills --json) || true
# keys the specification does not define stay allowed and ignored
assert_eq "$(jq -r '.skills | map(.name) | join(",")' <<<"$js")" "ok"
assert_eq "$(jq -r '.problems | length' <<<"$js")" 3
echo ok
