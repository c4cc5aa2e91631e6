#!/usr/bin/env bash
# Enforces the include layering of STYLE.md §3.3 with grep: which module may
# include which, and which single place owns each third-party header.
set -u
cd "$(dirname "$0")/.."
bad=0
no() { # PATTERN FILES... : no file may match
  local pat=$1; shift
  local hits
  hits=$(grep -nE "$pat" "$@" 2>/dev/null)
  [ -n "$hits" ] && { echo "check-layers: forbidden include:"; echo "$hits"; bad=1; }
}
only() { # HEADER ALLOWED-PATH-REGEX : the header may be included only there
  local hits
  hits=$(grep -rlnE "#include <$1>" src sandbox | grep -vE "$2")
  [ -n "$hits" ] && { echo "check-layers: <$1> included outside $2:"; echo "$hits"; bad=1; }
}
only 'curl/curl\.h' '^src/net/http\.c$'
only 'git2\.h|git2/' '^src/snap/'
only 'seccomp\.h' '^sandbox/'
only 'curses\.h|ncurses\.h' '^src/ui/'
only 'libxml/[a-zA-Z]+\.h' '^src/tools/tool_web\.c$'
# core/ is libc + Linux only; engine modules never include the front ends.
no '#include "(agent|cli|config|llm|policy|sandbox|session|snap|tools|watch|ui)/' src/core/*.[ch]
no '#include "(cli|ui)/' src/agent/*.[ch] src/llm/*.[ch] src/snap/*.[ch] src/tools/*.[ch] \
  src/policy/*.[ch] src/session/*.[ch] src/watch/*.[ch] src/sandbox/*.[ch] src/config/*.[ch]
no '#include "agent/' src/llm/*.[ch] src/snap/*.[ch] src/tools/*.[ch] src/policy/*.[ch] \
  src/session/*.[ch] src/watch/*.[ch] src/sandbox/*.[ch] src/config/*.[ch]
# The sandbox helper stands alone: nothing of src/.
no '#include "(core|agent|cli|llm|policy|sandbox|session|snap|tools|watch)/' sandbox/*.[ch]
[ $bad = 0 ] && echo "check-layers: ok"
exit $bad
