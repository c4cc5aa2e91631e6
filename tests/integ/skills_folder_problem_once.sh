# A folder skill whose SKILL.md the grant refuses to read (too large, not a
# regular file) is listed among the problems with the grant's reason, the
# file named once; a skill directory without SKILL.md says so.
. "$DH_TESTS/lib.sh"
G=$T/g; d=$G/.agents/skills/x; mkdir -p "$d"
python3 -c "import sys; open(sys.argv[1], 'w').write('---\nname: x\ndescription: d\n---\n' + 'a' * 300000)" \
  "$d/SKILL.md"
rc=0; "$DESKHAND" skills --grant "$G" >"$T/out" 2>&1 || rc=$?
assert_eq "$rc" 1 "skills --grant with a problem"
line=$(grep -F "SKILL.md" "$T/out")
assert_contains "$line" "'$d/SKILL.md' is too large (300031 bytes; the limit is 262144)"
assert_eq "$(grep -o "$d/SKILL.md" <<<"$line" | wc -l)" 1 "times the file is named in: $line"

rm "$d/SKILL.md"; mkfifo "$d/SKILL.md"
rc=0; timeout 20 "$DESKHAND" skills --grant "$G" >"$T/out" 2>&1 || rc=$?
assert_eq "$rc" 1 "skills --grant over a FIFO SKILL.md"
line=$(grep -F "SKILL.md" "$T/out")
assert_contains "$line" "'$d/SKILL.md': refused: not a regular file (fifo)"
assert_eq "$(grep -o "$d/SKILL.md" <<<"$line" | wc -l)" 1 "times the file is named in: $line"

rm "$d/SKILL.md"
rc=0; "$DESKHAND" skills --grant "$G" >"$T/out" 2>&1 || rc=$?
assert_contains "$(cat "$T/out")" "$d/SKILL.md: missing: a skill directory needs a SKILL.md"
echo ok
