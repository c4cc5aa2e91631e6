# With otel_log_content = on, a prompt longer than 8 KiB is cut to 8 KiB for
# its span attribute: the cut falls between characters, never inside one, so
# the exported string is valid UTF-8 (a protobuf string field must be: a
# strict receiver refuses the whole request, with every span in it). The
# task here is "a" and 5000 "é" (two bytes each), so 8 KiB ends in the
# middle of an "é". Checked on the bytes of the requests as they came
# (tests/otel/raw_collector.py), for both encodings.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
echo '{"turns": [{"text": "Done.", "stop_reason": "end_turn"}]}' > "$T/script.json"
echo 'set otel_log_content = on' > "$T/conf"
task="a$(python3 -c 'print("é" * 5000)')"
COL_PID=
trap '[ -z "$COL_PID" ] || kill $COL_PID 2>/dev/null; cleanup' EXIT
for proto in http/protobuf http/json; do
  out=$T/col.${proto#http/}.jsonl
  rm -f "$T/col.port"
  python3 "$DH_TESTS/otel/raw_collector.py" --port-file "$T/col.port" --out "$out" &
  COL_PID=$!
  for _ in $(seq 1 200); do [ -s "$T/col.port" ] && break; sleep 0.05; done
  [ -s "$T/col.port" ] || fail "the collector did not start"
  [ -n "$FAKE_PID" ] && { kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null || true; }
  start_fake "$T/script.json"
  DH_CONFIG=$T/conf OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$(cat "$T/col.port") \
    OTEL_EXPORTER_OTLP_PROTOCOL=$proto "$DESKHAND" run --grant "$G" --json "$task" \
    >"$T/out" 2>"$T/err" </dev/null || { cat "$T/err"; fail "$proto: the run failed"; }
  kill $COL_PID; wait $COL_PID 2>/dev/null || true; COL_PID=
  r=$(python3 - "$out" <<'PY'
import base64, json, sys
cut = ("a" + "é" * 4095).encode()  # 8191 bytes: the whole characters of 8 KiB
for line in open(sys.argv[1]):
    req = json.loads(line)
    if req["path"] != "/v1/traces":
        continue
    body = base64.b64decode(req["body"])
    if b"a\xc3\xa9\xc3\xa9" not in body:
        continue
    if b"\xc3\xe2\x80\xa6" in body or b"\xef\xbf\xbd" in body:
        print("a character cut in two")
    elif cut + "…".encode() not in body:
        print("the task's 8 KiB are not there")
    else:
        print("ok")
    break
else:
    print("no span with the task")
PY
)
  assert_eq "$r" ok "$proto: the task's span attribute"
done
echo ok
