# `deskhand run` prints a granted folder's name and the model's name
# printable: a folder that came named "dir<ESC>]0;PWN<BEL>" (an archive, a
# clone) set the terminal's title from the session's header, its
# checkpoint line and, for a model with no price, the cost line and
# `deskhand usage --by model`.
. "$DH_TESTS/lib.sh"
G=$T/$'dir\e]0;PWN\a'; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "hello", "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --model $'claude-x\e]0;TITLE\a' "hi" >"$T/out" 2>"$T/err" ||
  { cat -v "$T/err"; fail "run failed"; }
if grep -q $'[\e\a]' "$T/out" "$T/err"; then cat -v "$T/out" "$T/err"; fail "an escape reached the terminal"; fi
out=$(cat "$T/out")
assert_contains "$out" "model claude-x^[]0;TITLE^G"
assert_contains "$out" "  grant $T/dir^[]0;PWN^G"
assert_contains "$out" "checkpoint"
assert_contains "$out" "dir^[]0;PWN^G ("
assert_contains "$out" "(claude-x^[]0;TITLE^G has no price"
# usage --by model lists the model by its name
"$DESKHAND" usage --by model >"$T/usage" 2>&1 || { cat -v "$T/usage"; fail "usage failed"; }
if grep -q $'[\e\a]' "$T/usage"; then cat -v "$T/usage"; fail "usage printed an escape"; fi
assert_contains "$(cat "$T/usage")" "claude-x^[]0;TITLE^G"
echo ok
