# :sessions at 80 columns after a task whose text is long and in CJK: the
# session's row is one screen row, its task cut at the edge by whole
# characters with an ellipsis (no byte of a cut character shown as \xNN).
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "Hi.", "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
task="日本語のタスクx$(printf ' 長い説明%.0s' $(seq 1 40))"
steps ":wait text task done
:type :sessions
<Enter>
:wait text SESSION
:save-screen $T/s.scr
:quit"
ui_run 80 24 --grant "$G" "$task"
s=$(screen s)
row=$(grep -E '^\* [0-9]{8}-' <<<"$s") || { echo "$s"; fail "no row for the session"; }
echo "$row"
assert_contains "$row" " 日本語"
assert_contains "$row" "…"
assert_not_contains "$s" '\x'
next=$(grep -A1 -E '^\* [0-9]{8}-' <<<"$s" | tail -1)
assert_not_contains "$next" "長い"
echo ok
