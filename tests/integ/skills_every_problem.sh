# Every problem of a SKILL.md's front matter is listed, not only the first:
# a `compatibility` too long and no `name` are two problems, as are no
# `name` and no `description`; a `name` there but not a string is that one
# problem, not also "missing".
. "$DH_TESTS/lib.sh"
S=$XDG_CONFIG_HOME/deskhand/skills
mk() { mkdir -p "$S/$1"; printf -- "$2" > "$S/$1/SKILL.md"; }
mk compat "---\ndescription: x\ncompatibility: $(printf 'c%.0s' $(seq 501))\n---\nbody\n"
mk bare '---\nlicense: MIT\n---\nbody\n'
mk lst '---\nname: [a, b]\n---\nbody\n'

set +e; out=$("$DESKHAND" skills); rc=$?; set -e
assert_eq "$rc" 1 "exit status with problems"
assert_contains "$out" "$S/compat/SKILL.md:3: compatibility is 501 characters; at most 500"
assert_contains "$out" "$S/compat/SKILL.md:1: 'name' is missing from the front matter"
assert_contains "$out" "$S/bare/SKILL.md:1: 'name' is missing from the front matter"
assert_contains "$out" "$S/bare/SKILL.md:1: 'description' is missing from the front matter"
assert_contains "$out" "$S/lst/SKILL.md:2: 'name' must be a string"
assert_contains "$out" "$S/lst/SKILL.md:1: 'description' is missing from the front matter"
assert_not_contains "$out" "$S/lst/SKILL.md:1: 'name' is missing"
js=$("$DESKHAND" skills --json) || true
assert_eq "$(jq -r '.skills | length' <<<"$js")" 0
assert_eq "$(jq -r '.problems | length' <<<"$js")" 6
echo ok
