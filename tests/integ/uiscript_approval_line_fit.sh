# The approval prompt's line at 80 columns with a long name of CJK
# characters: the name is shortened in the middle by whole characters (no
# byte of a cut character shown as \xNN) and the keys stay on the line; the
# same in ASCII without a UTF-8 locale.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
name="a$(printf '日%.0s' $(seq 1 25)).txt"
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "$name", "content": "x\n"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
for lc in C.UTF-8 C; do
  G=$T/work-$lc; mkdir -p "$G"
  start_fake "$T/script.json"
  steps ":wait approval
a
:wait text Allow write_file
:save-screen $T/p-$lc.scr
y
:wait text task done
:quit"
  UI_ENV="LC_ALL=$lc" ui_run 80 24 --grant "$G" "write it"
  line=$(screen "p-$lc" | tail -1)
  echo "$line"
  assert_contains "$line" "? y allow, A always, n deny, d deny with a message"
  assert_not_contains "$line" '\x'
  assert_contains "$line" "Allow write_file a"
  case $lc in
    C.UTF-8) assert_contains "$line" "…"; assert_contains "$line" "日.txt?" ;;
    C) assert_contains "$line" "..."; assert_contains "$line" "?.txt?" ;;
  esac
  [ -f "$G/$name" ] || fail "$lc: the file was not written"
done
echo ok
