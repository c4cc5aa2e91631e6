# read_file sends images and PDFs to the model as content blocks, with the
# right media type and the exact bytes (base64).
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
printf '\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89' > "$G/pixel.png"
cp "$DH_TESTS/../contrib/demo/folder/invoice_0117.pdf" "$G/invoice.pdf"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "read_file", "input": {"path": "pixel.png"}}, {"name": "read_file", "input": {"path": "invoice.pdf"}}]},
 {"text": "seen", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --json "look" >/dev/null 2>"$T/err" || { cat "$T/err"; fail "run failed"; }
last=$(tail -1 "$FAKE_LOG")
img=$(jq -c '.body.messages[-1].content[0].content[] | select(.type=="image")' <<<"$last")
doc=$(jq -c '.body.messages[-1].content[1].content[] | select(.type=="document")' <<<"$last")
assert_eq "$(jq -r .source.media_type <<<"$img")" image/png
assert_eq "$(jq -r .source.data <<<"$img" | base64 -d | cmp - "$G/pixel.png" && echo same)" same
assert_eq "$(jq -r .source.media_type <<<"$doc")" application/pdf
assert_eq "$(jq -r .source.data <<<"$doc" | base64 -d | cmp - "$G/invoice.pdf" && echo same)" same
echo ok
