# A file whose name is longer than the diff pane is wide keeps one row in the
# file list: the middle of its name gives way to an ellipsis ("…", "..." in
# an ASCII locale) and the status, the end of the name (the extension) and
# the counts stay on that row; the header above its diff names it whole.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_tmux.sh"
G=$T/work; mkdir -p "$G"
long=quarterly-report-$(printf 'x%.0s' $(seq 1 190))-final-v2.txt # 220 bytes
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "$long", "content": "A\\n"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "b.txt", "content": "B\\n"}}]},
 {"text": "Written.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "write" > "$T/run.out" 2>&1 || { cat "$T/run.out"; fail "run failed"; }

# check_row MARK: the long file's row is one row of at most 80 columns with
# its start, MARK, its end and its counts.
check_row() {
  local s row
  s=$(ui_screen); echo "$s"
  row=$(grep -F -- "-final-v2.txt  +1 -0" <<<"$s") || fail "no row ends the name with its counts"
  grep -qE -- "^  A quarterly-report-x*$1x*-final-v2\.txt  \+1 -0\$" <<<"$row" ||
    fail "the row is not 'A start${1}end  +1 -0': $row"
  [ "$(wc -L <<<"$row")" -le 80 ] || fail "the row is wider than the pane: $row"
}

UI_T=utf8 ui_start 80 24 --resume latest
UI_T=utf8 ui_wait "Written."
UI_T=utf8 ui_keys Escape Tab
UI_T=utf8 ui_wait "diff (2 files pending) [files]"
UI_T=utf8 check_row "…"
# Its own diff: the header says the whole name (wrapped).
# (b.txt's header said "(created)" too before the j was read: wait for
# the long one's.)
UI_T=utf8 ui_keys j
for _ in $(seq 1 100); do
  s=$(UI_T=utf8 ui_screen | tr -d '\n ')
  grep -qF -- "──$long(created)" <<<"$s" && break
  sleep 0.1
done
assert_contains "$s" "──$long(created)"
UI_T=utf8 ui_keys q
UI_T=utf8 ui_wait "EXIT=0"

UI_T=ascii UI_LC=C ui_start 80 24 --resume latest
UI_T=ascii ui_wait "Written."
UI_T=ascii ui_keys Escape Tab
UI_T=ascii ui_wait "diff (2 files pending) [files]"
UI_T=ascii check_row "\.\.\."
UI_T=ascii ui_keys q
UI_T=ascii ui_wait "EXIT=0"
echo ok
