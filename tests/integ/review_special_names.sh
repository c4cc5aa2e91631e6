# Names that git pathspecs give a meaning to ('!' negates, '#' starts a
# comment, '*', '?' and '[' match, a leading space) go through the narrowed
# diffs of log, review and diff literally: the paths where two checkpoints'
# trees differ become a pathspec taken as written, and the watcher's dirty
# paths do for an incremental checkpoint. Untouched names such a pattern
# would match stay out.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/dir[1]" "$G/dir1"
for f in bang.txt hash.txt lead.txt star1.txt qx.txt dir1/f.txt; do echo untouched > "$G/$f"; done
echo before > "$G/dir[1]/f.txt"
jq -n '{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Make files"}]}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_r", "input": {"command": "mkdir \"new*dir\" && echo n > \"new*dir/g.txt\" && echo y > \"!bang.txt\" && echo z > \"star*.txt\" && echo q > \"q?.txt\" && echo h > \"#hash.txt\" && echo s > \" lead.txt\""}}]},
 {"tool_calls": [{"name": "write_file", "id": "toolu_w", "input": {"path": "!bang.txt", "content": "changed\n"}}]},
 {"tool_calls": [{"name": "edit_file", "id": "toolu_e", "input": {"path": "dir[1]/f.txt", "old_string": "before", "new_string": "after"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}' > "$T/script.json"
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "make files" >"$T/run.out" 2>"$T/err" ||
  { rc=$?; cat "$T/err"; fail "run exited $rc"; }
[ "$(cat "$G/dir[1]/f.txt")" = after ] || fail "the session did not run: $(tail -5 "$T/run.out")"
cd "$G"
"$DESKHAND" log --json > "$T/log.json"
changes() { jq -r --arg c "$1" '.[] | select(.tool_call==$c) | .changes[] | .status + " " + .path' "$T/log.json"; }
assert_eq "$(changes toolu_r)" "$(printf 'A  lead.txt\nA !bang.txt\nA #hash.txt\nA new*dir/g.txt\nA q?.txt\nA star*.txt')"
assert_eq "$(changes toolu_w)" "M !bang.txt"
assert_eq "$(changes toolu_e)" "M dir[1]/f.txt"
assert_eq "$("$DESKHAND" review --json | jq -r '.grants[0].files[] | .status + " " + .path')" \
  "$(printf 'A  lead.txt\nA !bang.txt\nA #hash.txt\nM dir[1]/f.txt\nA new*dir/g.txt\nA q?.txt\nA star*.txt')"
assert_eq "$("$DESKHAND" diff baseline head | grep '^diff --git')" \
  "$(printf 'diff --git a/ lead.txt b/ lead.txt\ndiff --git a/!bang.txt b/!bang.txt\ndiff --git a/#hash.txt b/#hash.txt\ndiff --git a/dir[1]/f.txt b/dir[1]/f.txt\ndiff --git a/new*dir/g.txt b/new*dir/g.txt\ndiff --git a/q?.txt b/q?.txt\ndiff --git a/star*.txt b/star*.txt')"
echo ok
