# The shadow repository of a folder is opened beside the first request, not
# before it; one that records another folder (a hand-copied state dir, a
# hash collision), or a corrupt one, still stops the run before any tool
# runs, naming the repository and why ("snapshot: REPO belongs to OTHER, not
# FOLDER"), and the folder is left as it was.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; echo "mine" > "$G/a.txt"
printf '{"turns": [{"text": "Hello.", "stop_reason": "end_turn"}]}' > "$T/hello.json"
start_fake "$T/hello.json"
"$DESKHAND" run --grant "$G" --json "hi" >"$T/out1" 2>"$T/err1" || { rc=$?; cat "$T/err1"; fail "run exited $rc"; }
repo=$(echo "$XDG_STATE_HOME"/deskhand/snapshots/*.git)
[ -f "$repo/config" ] || fail "no shadow repository: $repo"
kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null || true

# a plan (approved by --approve-plan), then every turn would write b.txt:
# no write may run
p='{"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "write b"}]}}]}'
w='{"tool_calls": [{"name": "write_file", "input": {"path": "b.txt", "content": "x"}}]}'
printf '{"turns": [%s, %s, %s, %s, %s]}' "$p" "$w" "$w" "$w" "$w" > "$T/write.json"
start_fake "$T/write.json" --cursor-per-key
real=$(realpath "$G")
k=0
run() { k=$((k + 1)); ANTHROPIC_API_KEY=key-$k "$DESKHAND" run --grant "$G" --approve-plan --mode auto "$@"; }
ran() { jq -r 'select(.type == "tool_result" and .name == "write_file" and (.is_error | not)) | .name' "$1"; }

# 1. a repository of another folder
git config --file "$repo/config" deskhand.workdir /some/where/else
run --json "write" >"$T/out2" 2>"$T/err2" &&
  fail "run succeeded with another folder's repository"
fin=$(jq -r 'select(.type == "session_finished") | .status + " " + .message' "$T/out2")
assert_contains "$fin" "failed checkpoint of $real failed: snapshot: $repo/ belongs to /some/where/else, not $real"
[ ! -e "$G/b.txt" ] || fail "a tool ran without a baseline"
assert_eq "$(ran "$T/out2")" ""
# without --json the reason is the run's error
run "write" >"$T/out3" 2>"$T/err3" &&
  fail "run succeeded with another folder's repository"
assert_file_contains "$T/err3" "belongs to /some/where/else, not $real"
[ ! -e "$G/b.txt" ] || fail "a tool ran without a baseline"

# 2. a corrupt one: its config is not git config
printf '[core\nnot a config\n' > "$repo/config"
run --json "write" >"$T/out4" 2>"$T/err4" &&
  fail "run succeeded with a corrupt repository"
fin=$(jq -r 'select(.type == "session_finished") | .status + " " + .message' "$T/out4")
assert_contains "$fin" "failed checkpoint of $real failed: snapshot: "
assert_contains "$fin" "config"
assert_eq "$(ran "$T/out4")" ""
[ ! -e "$G/b.txt" ] || fail "a tool ran without a baseline"
assert_eq "$(cat "$G/a.txt")" "mine"
