# reject-hunk on a file that is not in the folder any more: the agent edited
# sub/a.txt (three hunks); then, as an ordinary user (uid/gid 65534), the
# person deleted it and made sub 0000, so the recovery checkpoint keeps the
# file's last content and the review still lists its hunks. `deskhand
# reject-hunk sub/a.txt 2` is refused as a conflict naming the file (exit 3,
# as `deskhand reject sub/a.txt` is), writes nothing and leaves sub 0000;
# with --force it writes the agent's version without that hunk.
. "$DH_TESTS/lib.sh"
command -v setpriv >/dev/null || skip "no setpriv"
AS=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
"${AS[@]}" bwrap --ro-bind / / --unshare-all true 2>/dev/null \
  || skip "bwrap cannot run as uid 65534 here"
G=$T/work; mkdir -p "$G/sub"
for i in $(seq 1 30); do echo "line $i"; done > "$G/sub/a.txt"
chmod 755 "$G/sub"
new_a=$(for i in $(seq 1 30); do case $i in 2) echo "LINE 2";; 15) echo "LINE 15";; 28) echo "LINE 28";; *) echo "line $i";; esac; done)
jq -n --arg a "$new_a" '{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Edit"}]}}]},
 {"tool_calls": [{"name": "write_file", "id": "toolu_w", "input": {"path": "sub/a.txt", "content": ($a + "\n")}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}' > "$T/script.json"
start_fake "$T/script.json"
chmod 755 "$T"
chown -R 65534:65534 "$T"
cd "$G"
"${AS[@]}" "$DESKHAND" run --grant "$G" --approve-plan --mode auto "Edit" >/dev/null 2>"$T/err" \
  || { cat "$T/err"; fail "run failed"; }
assert_eq "$(sed -n 15p "$G/sub/a.txt")" "LINE 15" "the agent's edit"
export TMPDIR=$T/tmp; "${AS[@]}" mkdir -p "$TMPDIR"
"${AS[@]}" sh -c 'rm sub/a.txt && chmod 000 sub'
rv=$("${AS[@]}" "$DESKHAND" review --json 2>/dev/null)
assert_eq "$(jq -r '[.grants[].files[] | .status + " " + .path + " " + (.hunks|length|tostring)] | join(", ")' <<<"$rv")" \
  "T sub/ 0, M sub/a.txt 3" "the review after the deletion"
rc=0; "${AS[@]}" "$DESKHAND" reject-hunk sub/a.txt 2 >"$T/rh.out" 2>"$T/rh.err" || rc=$?
cat "$T/rh.out" "$T/rh.err"
assert_eq "$rc" 3 "exit status of reject-hunk on a missing file"
assert_contains "$(cat "$T/rh.err")" "sub/a.txt"
assert_contains "$(cat "$T/rh.out")" "current: (absent)"
assert_eq "$(stat -c %a "$G/sub")" 0 "sub's mode after the refused reject-hunk"
[ -e "$G/sub/a.txt" ] && fail "reject-hunk wrote sub/a.txt"
# reject of the whole file refuses it the same way
rc=0; "${AS[@]}" "$DESKHAND" reject sub/a.txt >"$T/rj.out" 2>&1 || rc=$?
assert_eq "$rc" 3 "exit status of reject on the missing file"
[ -e "$G/sub/a.txt" ] && fail "reject wrote sub/a.txt"
# --force writes: the agent's version with hunk 2 reverted
out=$("${AS[@]}" "$DESKHAND" reject-hunk --force sub/a.txt 2 2>&1) || { echo "$out"; fail "forced reject-hunk failed"; }
assert_contains "$out" "restored sub/a.txt"
assert_eq "$(stat -c %a "$G/sub")" 0 "sub's mode after the forced reject-hunk"
want=$(for i in $(seq 1 30); do case $i in 2) echo "LINE 2";; 28) echo "LINE 28";; *) echo "line $i";; esac; done)
assert_eq "$(cat "$G/sub/a.txt")" "$want" "sub/a.txt after the forced reject-hunk"
echo ok
