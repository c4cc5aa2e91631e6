# The include layering of STYLE.md §3.3 holds (tests/check-layers.sh), and
# each of its rules can fail: on a copy of the tree, one offending include at
# a time must be refused with a message naming the file and the rule, and a
# permitted include must not be.
. "$DH_TESTS/lib.sh"
root=$(cd "$DH_TESTS/.." && pwd)

# A copy of the sources and the script in $T/tree; fresh puts back the files
# add changed (their originals are kept in $T/orig).
mkdir -p "$T/tree/tests" "$T/orig"
cp -a "$root/src" "$root/sandbox" "$T/tree/"
cp "$root/tests/check-layers.sh" "$T/tree/tests/"
fresh() {
  local f
  for f in $(cd "$T/orig" && find . -type f); do cp "$T/orig/$f" "$T/tree/$f"; done
  rm -rf "$T/orig"; mkdir -p "$T/orig"
}
# check: runs the copy's script; sets out and rc.
check() { rc=0; out=$(bash "$T/tree/tests/check-layers.sh" 2>&1) || rc=$?; }
# add FILE LINE: appends LINE to the copy's FILE (a path under the tree).
add() {
  [ -e "$T/orig/$1" ] || { mkdir -p "$(dirname "$T/orig/$1")"; cp "$T/tree/$1" "$T/orig/$1"; }
  printf '%s\n' "$2" >> "$T/tree/$1"
}
# new_lines: what the mutated copy prints that the pristine one did not (the
# real tree may still break a rule while the engine moves; only the change
# caused by the one include counts).
new_lines() { comm -13 <(sort <<<"$base") <(sort <<<"$out"); }

fresh; check; base=$out; base_rc=$rc
# The script is deterministic (same output twice).
check; assert_eq "$out" "$base" "two runs of the same tree"
assert_not_contains "$base" "include cycle"

# refused MUTATION-DESCRIPTION FILE LINE EXPECTED...: the include in FILE is
# refused and each EXPECTED text is among the new lines.
refused() {
  local what=$1 file=$2 line=$3; shift 3
  fresh; add "$file" "$line"; check
  [ "$rc" -ne 0 ] || fail "$what: the script accepted it: $out"
  local n; n=$(new_lines)
  [ -n "$n" ] || fail "$what: no new refusal"
  local e; for e in "$@"; do assert_contains "$n" "$e"; done
}
# accepted MUTATION-DESCRIPTION FILE LINE: no new refusal, same exit status.
accepted() {
  fresh; add "$2" "$3"; check
  assert_eq "$(new_lines)" "" "$1"
  assert_eq "$rc" "$base_rc" "$1: exit status"
}

refused "ui includes snap" src/ui/ui.c '#include "snap/snap.h"' \
  'src/ui/ui.c:' '"snap/snap.h"' 'src/ui/ is a client'
refused "ui includes snap by a relative path" src/ui/pane.c '#include "../snap/snap.h"' \
  'src/ui/pane.c:' 'src/ui/ is a client' '(not snap/)'
for m in session/session.h watch/watch.h policy/grant.h llm/llm.h tools/tool.h agent/agent.h; do
  refused "ui includes $m" src/ui/draw.c "#include \"$m\"" "\"$m\"" 'src/ui/ is a client'
done
refused "cli includes engine/engine.h" src/cli/doctor.c '#include "engine/engine.h"' \
  'src/cli/doctor.c:' '"engine/engine.h"' 'src/cli/ is a client'
refused "cli includes session" src/cli/doctor.c '#include "session/session.h"' \
  'src/cli/ is a client' '(not session/)'
refused "tools includes engine/engine.h" src/tools/tool.c '#include "engine/engine.h"' \
  'src/tools/tool.c:' 'engine/engine.h is an engine internal' 'src/tools/ is below the engine'
refused "agent includes the engine's client" src/agent/agent.c '#include "engine/client.h"' \
  'src/agent/agent.c:' 'src/agent/ is below the engine'
refused "agent includes ui" src/agent/agent.c '#include "ui/ui.h"' \
  'src/agent/agent.c:' 'never includes the front ends' \
  'include cycle between modules: agent -> ui -> agent'
refused "engine includes cli" src/engine/engine.c '#include "cli/cli.h"' \
  'src/engine/engine.c:' 'never includes the front ends'
refused "core includes the project" src/core/buf.c '#include "snap/snap.h"' \
  'src/core/buf.c:' 'core/ is libc + Linux only'
refused "llm includes agent" src/llm/llm.c '#include "agent/event.h"' \
  'src/llm/llm.c:' 'below the agent'
refused "the sandbox helper includes core" sandbox/netns.c '#include "core/err.h"' \
  'sandbox/netns.c:' 'stands alone'
# The three-module cycle: watch -> session -> snap -> watch, printed with the
# include that makes each edge.
fresh
add src/watch/watch.c '#include "session/session.h"'
add src/session/session.c '#include "snap/snap.h"'
add src/snap/snap.c '#include "watch/watch.h"'
check
[ "$rc" -ne 0 ] || fail "a three-module cycle was accepted"
n=$(new_lines)
assert_contains "$n" "include cycle between modules: session -> snap -> watch -> session"
assert_contains "$n" 'session -> snap: src/session/session.c:'
assert_contains "$n" 'snap -> watch: src/snap/snap.c:'
assert_contains "$n" 'watch -> session: src/watch/watch.c:'
# An edge that closes no cycle is no cycle.
fresh; add src/watch/watch.c '#include "session/session.h"'; add src/session/session.c '#include "snap/snap.h"'
check; assert_not_contains "$out" "include cycle"
refused "curl outside src/net/http.c" src/llm/llm.c '#include <curl/curl.h>' \
  'src/llm/llm.c:' '#include <curl/curl.h>: <curl/curl.h> is included only in src/net/http.c'
refused "curses outside src/ui/" src/cli/run.c '#  include <ncurses.h>' \
  'src/cli/run.c:' '<ncurses.h> is included only in src/ui/'
refused "seccomp outside sandbox/" src/core/buf.c '#include <seccomp.h>' \
  'src/core/buf.c:' '<seccomp.h> is included only in sandbox/'
accepted "libxml2 in the document reader" src/docs/doc.c '#include <libxml/parser.h>'

accepted "ui includes engine/client.h" src/ui/draw.c '#include "engine/client.h"'
accepted "cli includes agent/event.h" src/cli/doctor.c '#include "agent/event.h"'
accepted "main.c includes engine/engine.h" src/main.c '#include "engine/engine.h"'
accepted "the engine includes snap" src/engine/engine.c '#include "snap/snap.h"'

# Last: the real tree keeps every rule.
bash "$root/tests/check-layers.sh" || fail "the tree breaks the layering (above)"
