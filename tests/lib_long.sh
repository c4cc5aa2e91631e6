# A long scripted session that outgrows the context window (issue 15), for
# tests/integ/context_long.sh and tests/slow/context_long_300.sh; source it
# after lib.sh.
#
# long_session TURNS WINDOW FILE_BYTES BYTES_PER_TOKEN COMPACT_AT MIN_COMPACTIONS:
# TURNS turns each read a part of FILE_BYTES (tests/fake/long_session.py),
# against a fake whose window is WINDOW tokens counted at BYTES_PER_TOKEN (it
# reports that count as the input tokens, so deskhand has to learn it). The
# session finishes; at least MIN_COMPACTIONS `compacted` events, each with
# its history_compact record and its compaction request; no request over the
# window and every one answered; every new note holds the task, the plan as
# it stands and every file written before it; the tool results total well
# over the window; then --resume continues from the compacted conversation.
long_session() {
  local turns=$1 window=$2 bytes=$3 bpt=$4 at=$5 mincomp=$6
  local G=$T/work lsp=$DH_TESTS/fake/long_session.py
  mkdir -p "$G" "$XDG_CONFIG_HOME/deskhand"
  echo "set compact_at = $at" > "$XDG_CONFIG_HOME/deskhand/config"
  python3 "$lsp" script "$G" "$turns" "$window" "$bytes" "$bpt" > "$T/script.json"
  start_fake "$T/script.json" --check-history --max-seconds 1200
  "$DESKHAND" run --grant "$G" --approve-plan --mode auto --max-turns $((turns + 10)) --json \
    "summarise the parts into notes please" > "$T/out" 2>"$T/err" || { tail -5 "$T/err"; fail "run failed"; }
  assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/out")" done
  assert_eq "$(jq -s '[.[] | select(.type=="turn_started")] | length' "$T/out")" $((turns + 2)) "turns"
  local ncomp good
  ncomp=$(jq -s '[.[] | select(.type=="compacted")] | length' "$T/out")
  [ "$ncomp" -ge "$mincomp" ] || fail "expected at least $mincomp compactions, got $ncomp"
  good=$(jq -s '[.[] | select(.type=="compacted") | select(.trigger=="auto"
          and .messages >= 2 and .tokens_after < .tokens_before and (.summary | contains("Task:")))]
          | length' "$T/out")
  assert_eq "$good" "$ncomp" "well-formed compacted events"
  local sid tr
  sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
  tr=$XDG_STATE_HOME/deskhand/sessions/$sid/transcript.jsonl
  python3 "$lsp" check "$T/script.json" "$FAKE_LOG" "$tr" "$mincomp" || fail "long session check"
  # --resume continues from the compacted conversation (the script's last
  # turn wants the task in it), under the window
  local n0 out2
  n0=$(wc -l < "$FAKE_LOG")
  # (--max-turns counts this run's turns, not the session's)
  out2=$("$DESKHAND" run --resume "$sid" --max-turns 5 --json "and once more" 2>"$T/err2") || { tail -5 "$T/err2"; fail "resume failed"; }
  assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out2")" done
  assert_eq "$(jq -r 'select(.type=="session_finished").message' <<<"$out2")" Resumed.
  tail -n +$((n0 + 1)) "$FAKE_LOG" | jq -e --argjson w "$window" \
    'select(.body.system | tostring | contains("You summarise") | not)
     | select(.tokens <= $w) | .body.messages[0] | tostring | contains("was compacted")' >/dev/null ||
    fail "the resumed request does not begin with the note, or is over the window"
}
