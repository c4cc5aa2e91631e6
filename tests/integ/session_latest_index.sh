# A new session starts later than every session there (`latest` is the
# newest, even when the clock went back: session_create()), without a
# launch looking through every session: sessions.latest, beside them,
# keeps the latest start with the sessions directory as it was then, and
# holds only while the directory is so. A session put there by other means (a copy, another
# version) or a damaged index: the directory is looked through again.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
S=$XDG_STATE_HOME/deskhand/sessions
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "Done.", "stop_reason": "end_turn"}]}
JSON
started() { jq -r .started_ns "$S/$1/meta.json"; }
sid() { jq -r 'select(.type=="session_started").session' "$1"; }
index_latest() { cut -d' ' -f1 "$S.latest"; }
latest_listed() { "$DESKHAND" sessions --json | jq -r '.[-1].id'; }

run_task "$T/script.json" "$T/a.out"
a=$(sid "$T/a.out")
[ -f "$S.latest" ] || fail "no index of the latest start: $(ls -A "$S/..")"
assert_eq "$(index_latest)" "$(started "$a")" "the index after the first session"
run_task "$T/script.json" "$T/b.out"
b=$(sid "$T/b.out")
[ "$(started "$b")" -gt "$(started "$a")" ] || fail "b started before a"
assert_eq "$(index_latest)" "$(started "$b")" "the index after the second"

# The index holding (the directory as it says), it is what is read: a
# later start written there is the one the next session goes past.
ahead=$(( $(started "$b") + 1000000000000 ))
held=$(sed "s/^[0-9]* /$ahead /" "$S.latest")
printf '%s\n' "$held" > "$S.latest"
run_task "$T/script.json" "$T/c.out"
c=$(sid "$T/c.out")
assert_eq "$(started "$c")" "$(( ahead + 1 ))" "the start after the index's"
assert_eq "$(latest_listed)" "$c" "the latest listed"

# A session copied in, started an hour from now (a clock ahead elsewhere):
# the directory changed, it is looked through, and the next session is
# still the latest.
future=$(( $(date +%s) + 7200 ))
fid=$(date -u -d "@$future" +%Y%m%d-%H%M%S)-beef
mkdir "$S/$fid"
jq -n --arg id "$fid" --arg ns "${future}000000000" --argjson c "$future" \
  '{id: $id, status: "done", created: $c, started_ns: $ns, task: "copied"}' > "$S/$fid/meta.json"
: > "$S/$fid/transcript.jsonl"
run_task "$T/script.json" "$T/d.out"
d=$(sid "$T/d.out")
[ "$(started "$d")" -gt "${future}000000000" ] || fail "d started before the copied session"
assert_eq "$(latest_listed)" "$d" "the latest listed after a copied session"
assert_eq "$(index_latest)" "$(started "$d")" "the index after a copied session"
start_fake "$T/script.json"
"$DESKHAND" run --resume latest --json "again" > "$T/r.out" 2> "$T/r.err" ||
  fail "resume latest exited $?: $(cat "$T/r.err")"
assert_eq "$(sid "$T/r.out")" "$d" "the session --resume latest continued"

# A damaged index: looked through again, and written anew.
echo "not an index" > "$S.latest"
run_task "$T/script.json" "$T/e.out"
e=$(sid "$T/e.out")
[ "$(started "$e")" -gt "$(started "$d")" ] || fail "e started before d"
assert_eq "$(index_latest)" "$(started "$e")" "the index rewritten"
assert_eq "$(latest_listed)" "$e" "the latest listed after a damaged index"

# The index names the latest session, which --resume latest takes while it
# holds; that session's meta.json gone (no whole session: a file inside
# it, the directory unchanged), the one before is the latest.
start_fake "$T/script.json"
"$DESKHAND" run --resume latest --json "again" > "$T/r2.out" 2> "$T/r2.err" ||
  fail "resume latest exited $?: $(cat "$T/r2.err")"
assert_eq "$(sid "$T/r2.out")" "$e" "the session --resume latest continued, from the index"
mv "$S/$e/meta.json" "$T/e.meta"
start_fake "$T/script.json"
"$DESKHAND" run --resume latest --json "again" > "$T/r3.out" 2> "$T/r3.err" ||
  fail "resume latest exited $?: $(cat "$T/r3.err")"
assert_eq "$(sid "$T/r3.out")" "$d" "the session --resume latest continued, e without meta.json"
echo ok
