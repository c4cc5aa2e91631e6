# At 80x24 the diff pane has six rows. Enter (into a file's diff from a
# list longer than the pane), } (the next file, in its diff) and ] (the next
# hunk) put the cursor on a hunk's header and show the hunk below it, the
# lines s and x act on, not the header alone on the pane's last row.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"; seq 1 30 | sed 's/^/l/' > "$G/m.txt"
old=$(seq 5 25 | sed 's/^/l/' | awk '{ printf "%s\\n", $0 }')
new=$(seq 5 25 | sed 's/^/l/; s/^l5$/L5/; s/^l25$/L25/' | awk '{ printf "%s\\n", $0 }')
writes=$(for i in 1 2 3 4 5 6 7 8; do
  printf ' {"tool_calls": [{"name": "write_file", "input": {"path": "f%d.txt", "content": "F%d\\n"}}]},\n' "$i" "$i"
done)
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write"}]}}]},
$writes
 {"tool_calls": [{"name": "edit_file", "input": {"path": "m.txt", "old_string": "$old", "new_string": "$new"}}]},
 {"text": "All written.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "write" > "$T/run.out" 2>&1 || { cat "$T/run.out"; fail "run failed"; }
steps ":wait text All written
<Esc>
<Tab>
:wait text diff \(9 files pending\)
<Enter>
:wait text diff \(9 files pending\) \[diff\]
:save-screen $T/enter.scr
}
}
}
}
}
}
}
}
:wait text ^@@ -2,7 \\+2,7 @@
:save-screen $T/next.scr
]
:save-screen $T/hunk2.scr
[
:save-screen $T/hunk1.scr
:quit"
ui_run 80 24 --resume latest
# body NAME: the diff pane's rows (after its title, before the status line)
body() { screen "$1" | sed -n '/^ diff (9 files pending)/,$p' | sed '1d' | head -6; }
check() {
  local name=$1 re; shift
  for re in "$@"; do
    body "$name" | grep -qE -- "$re" || { body "$name" >&2; fail "$name: no row of the diff pane matches '$re'"; }
  done
}
check enter '^@@ -0,0 \+1 @@' ' \+F1$'
check next '^@@ -2,7 \+2,7 @@' ' -l5$' ' \+L5$'
check hunk2 '^@@ -22,7 \+22,7 @@' ' -l25$' ' \+L25$'
check hunk1 '^@@ -2,7 \+2,7 @@' ' -l5$' ' \+L5$'
echo ok
