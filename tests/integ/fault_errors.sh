# A non-JSON body, a 401 and an unknown stop reason each end the run with a
# one-line error that names what happened.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
check() { # name script-entry expected-substring
  printf '{"turns": [%s]}' "$2" > "$T/$1.json"
  start_fake "$T/$1.json"
  set +e
  out=$("$DESKHAND" run --grant "$G" "hi" 2>"$T/$1.err"); rc=$?
  set -e
  kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null || true; FAKE_PID=
  assert_eq "$rc" 1 "$1 exit status"
  err=$(cat "$T/$1.err")
  echo "$1: $err"
  assert_contains "$err" "$3"
  [ "$(grep -c . <<<"$err")" -eq 1 ] || fail "$1: expected a one-line error, got: $err"
}
check non_json '{"fault": "non_json", "status": 200, "content_type": "text/html", "body": "<html>oops</html>"}' "non-JSON"
check auth '{"fault": "status", "status": 401}' "authentication_error"
check stop '{"text": "hmm", "stop_reason": "banana"}' "banana"
echo ok
