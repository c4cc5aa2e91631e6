# `deskhand restore --force baseline` on a granted folder that was deleted and
# recreated brings back every file of the baseline (all 201), not only the
# paths the session's own checkpoints changed.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/d"
for i in $(seq 1 200); do echo "file $i" > "$G/d/f$i.txt"; done
echo "top" > "$G/top.txt"
cp -a "$G" "$T/orig"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "edit"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "top.txt", "content": "agent\n"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "edit" >/dev/null 2>"$T/err" || { cat "$T/err"; fail "run failed"; }
rm -rf "$G"; mkdir "$G"
out=$("$DESKHAND" restore --force baseline 2>&1) || { echo "$out"; fail "restore failed"; }
echo "$out" | tail -3
assert_eq "$(find "$G" -type f | wc -l)" 201 "files restored"
diff -r "$T/orig" "$G" || fail "the folder differs from the baseline"
echo ok
