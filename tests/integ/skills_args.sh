# `deskhand skills` operands as the rest of the tool takes them (`run
# --grant`): a folder that does not exist is a failure naming it (exit 1),
# with --grant as with trust/untrust; a missing DIR is a usage error (exit 2)
# whose message says what is missing before the usage.
. "$DH_TESTS/lib.sh"
for args in "--grant $T/nonexist" "trust $T/nonexist" "untrust $T/nonexist"; do
  set +e; err=$("$DESKHAND" skills $args 2>&1 >/dev/null); rc=$?; set -e
  assert_eq "$rc" 1 "skills $args"
  assert_contains "$err" "'$T/nonexist': no such directory"
done
for verb in trust untrust; do
  set +e; err=$("$DESKHAND" skills $verb 2>&1 >/dev/null); rc=$?; set -e
  assert_eq "$rc" 2 "skills $verb without DIR"
  assert_contains "$err" "deskhand: skills $verb: expected one DIR argument"
  assert_contains "$err" "usage: deskhand skills"
  set +e; err=$("$DESKHAND" skills $verb "$T" extra 2>&1 >/dev/null); rc=$?; set -e
  assert_eq "$rc" 2 "skills $verb with two operands"
  assert_contains "$err" "deskhand: skills $verb: unexpected 'extra'"
done
