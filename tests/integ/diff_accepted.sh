# `deskhand diff accepted` names the accepted mark, as restore and undo --to
# do: what is pending review, as on disk now. Before anything is accepted it
# is the baseline; after `accept a.txt` only b.txt's change is left.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; echo a > "$G/a.txt"; echo b > "$G/b.txt"
jq -n '{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Edit"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "A\n"}},
                 {"name": "write_file", "input": {"path": "b.txt", "content": "B\n"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}' > "$T/script.json"
start_fake "$T/script.json"
cd "$G"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "Edit" >/dev/null 2>"$T/err" \
  || { cat "$T/err"; fail "run failed"; }
files() { "$DESKHAND" diff "$@" 2>/dev/null | sed -n 's|^diff --git a/\([^ ]*\) .*|\1|p' | tr '\n' ' '; }
assert_eq "$(files accepted)" "a.txt b.txt " "diff accepted before an accept"
"$DESKHAND" accept a.txt >/dev/null 2>&1 || fail "accept a.txt"
assert_eq "$(files accepted)" "b.txt " "diff accepted after accept a.txt"
assert_eq "$(files accepted head)" "b.txt " "diff accepted head"
assert_eq "$(files baseline)" "a.txt b.txt " "diff baseline"
echo ok
