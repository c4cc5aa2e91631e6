# A compaction that can only summarise the person's short task (a
# conversation of three messages past compact_at: the last two are always
# kept) is not made: its note would carry the task verbatim and a summary
# besides, so it cost a summarising request and sent more after it
# ("tokens_after" above "tokens_before").
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G" "$XDG_CONFIG_HOME/deskhand"
python3 - "$G" <<'PY'
import sys
words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima".split()
text = "\n".join(" ".join(words[(i * 7 + j) % len(words)] + str(i % 97) for j in range(12)) for i in range(300))
open("%s/f.txt" % sys.argv[1], "w").write(text + "\n")
PY
# 0.05 of 200,000 tokens: past 10,000 the conversation is compacted
echo 'set compact_at = 0.05' > "$XDG_CONFIG_HOME/deskhand/config"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "read_file", "input": {"path": "f.txt"}}]},
 {"text": "read", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json" --check-history
out=$("$DESKHAND" run --grant "$G" --json "look" 2>"$T/err") || { cat "$T/err"; fail "run failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
assert_eq "$(jq -s '[.[] | select(.type=="compacted")] | length' <<<"$out")" 0 "compactions"
nsum=$(jq -s '[.[] | select(.body.system[0].text | startswith("You summarise"))] | length' "$FAKE_LOG")
assert_eq "$nsum" 0 "summarising requests"
assert_contains "$(tail -1 "$FAKE_LOG" | jq -c '.body.messages[0]')" '"look"'
echo ok
