# The tamper-evident audit log: a scripted session leaves audit.jsonl (each
# call with its decision and who made it; a denied call's and a refused
# egress' records before their results; file contents only as hashes) and a
# keyed head. `deskhand audit verify` passes on it and names the first broken
# record and why for a modified field, a deleted record, two swapped records,
# a truncated tail, and the whole file rewritten with a valid-looking chain
# (bad keyed head); the key is made 0600. `audit export` gives JSON lines and
# CSV for a SIEM.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/config" <<'CONF'
deny write_file(*.env)
CONF
export DH_CONFIG=$T/config
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "go"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "notes.md", "content": "SECRET-CONTENT-42\n"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "app/.env", "content": "K=1\n"}}]},
 {"tool_calls": [{"name": "web_fetch", "input": {"url": "http://evil.example/x"}}]},
 {"tool_calls": [{"name": "read_file", "input": {"path": "notes.md"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "go" 2>"$T/err") \
  || { cat "$T/err"; fail "run failed"; }
sid=$(jq -r 'select(.type=="session_started").session' <<<"$out")
D=$XDG_STATE_HOME/deskhand/sessions/$sid
A=$D/audit.jsonl
[ -s "$A" ] && [ -s "$D/audit.head" ] || fail "no audit log or head in $D"
assert_eq "$(stat -c %a "$XDG_STATE_HOME/deskhand/audit.key")" 600
assert_eq "$(stat -c %a "$A")" 600
rec() { jq -c "select($1)" "$A"; }
seq_of() { jq -r "select($1) | .seq" "$A" | head -1; }

# what is in it
assert_eq "$(jq -r .type "$A" | head -1)" session_start
assert_eq "$(jq -r .type "$A" | tail -1)" session_end
s=$(rec '.type=="session_start"')
assert_eq "$(jq -r .version <<<"$s")" "$("$DESKHAND" --version | head -1 | cut -d' ' -f2)"
assert_eq "$(jq -r .user <<<"$s")" "$(id -un)"
assert_eq "$(jq -r .host <<<"$s")" "$(hostname)"
assert_eq "$(jq -r .grants[0] <<<"$s")" "$(realpath "$G")"
assert_eq "$(jq -r .settings.mode <<<"$s")" auto
# the effective policy: where each setting came from, the rules, no managed policy
assert_eq "$(jq -r '.settings_from | [.mode, .model] | @tsv' <<<"$s")" "$(printf 'flag --mode\tdefault')"
assert_eq "$(jq -r '.rules[0] | [.rule, .where] | @tsv' <<<"$s")" "$(printf 'deny write_file(*.env)\t%s' "$T/config:1")"
assert_eq "$(jq -r .policy <<<"$s")" null
assert_eq "$(jq -r .task.sha256 <<<"$s")" "$(printf go | sha256sum | cut -d' ' -f1)"
# seq runs 1..N, each prev the hash of the record before it
assert_eq "$(jq -r .seq "$A" | tr '\n' ' ')" "$(seq 1 "$(wc -l <"$A")" | tr '\n' ' ')"
# no file contents: their hash instead
assert_not_contains "$(cat "$A")" SECRET-CONTENT
assert_contains "$(cat "$A")" "$(printf 'SECRET-CONTENT-42\n' | sha256sum | cut -d' ' -f1)"
# the denied call: its decision (by the rule, naming it) before its result
env_id=$(jq -r 'select(.type=="tool_call" and .input.path=="app/.env").id' <<<"$out")
d=$(rec ".type==\"decision\" and .id==\"$env_id\"")
assert_eq "$(jq -r .decision <<<"$d")" deny
assert_eq "$(jq -r .by <<<"$d")" rule
assert_contains "$(jq -r .rule <<<"$d")" "deny write_file(*.env)"
[ "$(seq_of ".type==\"tool_call\" and .id==\"$env_id\"")" -lt "$(jq -r .seq <<<"$d")" ] || fail "call after decision"
[ "$(jq -r .seq <<<"$d")" -lt "$(seq_of ".type==\"tool_result\" and .id==\"$env_id\"")" ] \
  || fail "the denied call's result came before its decision"
[ ! -e "$G/app/.env" ] || fail "the denied write happened"
# the refused egress: recorded before the web_fetch's result
web_id=$(jq -r 'select(.type=="tool_call" and .name=="web_fetch").id' <<<"$out")
e=$(rec '.type=="egress" and .host=="evil.example"')
assert_eq "$(jq -r '[.allowed, .port, .source] | @tsv' <<<"$e")" "$(printf 'false\t80\tweb_fetch')"
[ "$(jq -r .seq <<<"$e")" -lt "$(seq_of ".type==\"tool_result\" and .id==\"$web_id\"")" ] \
  || fail "the refused egress was recorded after its result"
# calls no rule or person decided say so: auto mode
assert_eq "$(jq -r 'select(.type=="tool_result" and .name=="read_file").by' "$A")" "mode auto"
assert_eq "$(jq -r 'select(.type=="plan_decision").by' "$A")" "flag --approve-plan"
[ -n "$(rec '.type=="checkpoint"')" ] || fail "no checkpoint record"

# verify: intact
v=$("$DESKHAND" audit verify "$sid") || fail "verify failed on an intact log: $v"
assert_contains "$v" "$sid: ok: $(wc -l <"$A") records, keyed head at record $(wc -l <"$A")"
# keys moved around (canonical form: sorted keys) still verify
cp "$A" "$T/orig"; cp "$D/audit.head" "$T/orig-head"
jq -S -c . "$T/orig" > "$A"
"$DESKHAND" audit verify "$sid" >/dev/null || fail "re-serialised log did not verify"

# tamper_expect REASON TEXT: verify exits 1 naming REASON and TEXT; restore
tamper_expect() {
  local v rc=0
  v=$("$DESKHAND" audit verify "$sid") || rc=$?
  assert_eq "$rc" 1 "verify exit status ($v)"
  assert_contains "$v" "$sid: $1: "
  assert_contains "$v" "$2"
  cp "$T/orig" "$A"; cp "$T/orig-head" "$D/audit.head"
}
line() { sed -n "${1}p" "$T/orig"; }
n=$(wc -l <"$T/orig")
# a modified field in record 3
{ head -2 "$T/orig"; line 3 | jq -c '.ts = "2020-01-01T00:00:00.000Z"'; tail -n +4 "$T/orig"; } > "$A"
tamper_expect modified "record 3 was modified"
# record 4 deleted
sed 4d "$T/orig" > "$A"
tamper_expect deleted "record 4 is missing"
# records 4 and 5 swapped
{ head -3 "$T/orig"; line 5; line 4; tail -n +6 "$T/orig"; } > "$A"
tamper_expect reordered "record 5 comes where record 4 should"
# the last two records cut off
head -n $((n - 2)) "$T/orig" > "$A"
tamper_expect truncated "the log ends at record $((n - 2)) but its keyed head is at record $n"
# a torn last line
head -c -5 "$T/orig" > "$A"
tamper_expect truncated "the last line is cut short"
# the whole file rewritten with a valid chain (a denial turned into an allow);
# with HEAD, a head made up for it too
cat > "$T/rewrite.py" <<'PY'
import hashlib, json, sys
prev, out = "", []
for l in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(l)
    if r.get("decision") == "deny":
        r["decision"] = "allow"
    r["prev"] = prev
    c = json.dumps(r, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    prev = hashlib.sha256(c.encode()).hexdigest()
    out.append(json.dumps(r, separators=(",", ":"), ensure_ascii=False))
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(out) + "\n")
if len(sys.argv) > 3:
    h = json.load(open(sys.argv[3]))
    h["hash"], h["hmac"] = prev, hashlib.sha256(b"guess" + prev.encode()).hexdigest()
    json.dump(h, open(sys.argv[3], "w"))
PY
python3 "$T/rewrite.py" "$T/orig" "$A"
tamper_expect "bad head" "is not the record the keyed head holds"
python3 "$T/rewrite.py" "$T/orig" "$A" "$D/audit.head"
tamper_expect "bad head" "does not match its HMAC"
rm "$D/audit.head"
tamper_expect "bad head" "no keyed head"
"$DESKHAND" audit verify "$sid" >/dev/null || fail "the restored log did not verify"

# a key others may read is refused, naming it
chmod 644 "$XDG_STATE_HOME/deskhand/audit.key"
v=$("$DESKHAND" audit verify "$sid" 2>&1) && fail "verify took a key others may read"
assert_contains "$v" "audit key $XDG_STATE_HOME/deskhand/audit.key: others may read it (mode 0644)"
chmod 600 "$XDG_STATE_HOME/deskhand/audit.key"

# a second session (resumed: the chain goes on), then --all and export
start_fake "$T/script.json"
"$DESKHAND" run --resume "$sid" --approve-plan --mode auto --json "again" >/dev/null 2>"$T/err2" \
  || { cat "$T/err2"; fail "resumed run failed"; }
assert_eq "$(jq -r .seq "$A" | tr '\n' ' ')" "$(seq 1 "$(wc -l <"$A")" | tr '\n' ' ')"
assert_eq "$(jq -r .type "$A" | grep -c session_start)" 2
v=$("$DESKHAND" audit verify --all) || fail "verify --all: $v"
assert_contains "$v" "$sid: ok: $(wc -l <"$A") records"
j=$("$DESKHAND" audit export)
assert_eq "$(wc -l <<<"$j")" "$(wc -l <"$A")"
assert_eq "$(jq -r .session <<<"$j" | sort -u)" "$sid"
c=$("$DESKHAND" audit export --format csv "$sid")
assert_eq "$(head -1 <<<"$c")" "session,seq,ts,type,name,decision,by,record"
assert_contains "$c" "$sid,$(seq_of ".type==\"decision\" and .decision==\"deny\""),"
assert_eq "$(python3 -c 'import csv,sys; print(len(list(csv.reader(sys.stdin))))' <<<"$c")" $(( $(wc -l <"$A") + 1 ))
assert_eq "$("$DESKHAND" audit export --since 2999-01-01 | wc -c)" 0
assert_eq "$("$DESKHAND" audit export --since 2000-01-01T00:00 | wc -l)" "$(wc -l <"$A")"
v=$("$DESKHAND" audit export --since yesterday 2>&1) && fail "a bad --since was taken"
assert_contains "$v" "--since 'yesterday' is not a date"
# nor a day or time the calendar does not have (an empty export would hide the typo)
for bad in 2026-13-45 2026-02-29 2026-12-01T24:00 2026-12-01T08:60; do
  v=$("$DESKHAND" audit export --since "$bad" 2>&1) && fail "--since $bad was taken"
  assert_contains "$v" "--since '$bad' is not a date"
done
"$DESKHAND" audit export --since 2028-02-29 >/dev/null || fail "a leap day was refused"
echo "ok"
