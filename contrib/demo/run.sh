#!/usr/bin/env bash
# `make demo`: replay the recorded session (session.rec) on a fresh copy of
# folder/. No network and no API key; the user's own deskhand state and config
# are not touched (HOME and the XDG dirs point into a temp dir).
#
# `make demo-tui` (--tui): the same replay in the real workbench, in auto
# mode: the task starts at once, `a` approves the plan, `q` quits.
#
#   contrib/demo/run.sh [--tui] [BUILD_DIR]     (default: build, in the repo root)
set -euo pipefail

tui=0
[[ ${1:-} == --tui ]] && { tui=1; shift; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
[[ -d $build ]] || { echo "run.sh: no build dir $build (run make first)" >&2; exit 1; }
build=$(cd "$build" && pwd)
deskhand=$build/deskhand
task=$(cat "$here/task.txt")

[[ -x $deskhand ]] || { echo "run.sh: no $deskhand (run make first)" >&2; exit 1; }
[[ -f $here/session.rec ]] || { echo "run.sh: no $here/session.rec (see record.sh)" >&2; exit 1; }

tmp=$(mktemp -d /tmp/deskhand-demo.XXXXXX)
cp -R "$here/folder" "$tmp/folder"
mkdir -p "$tmp/home" "$tmp/state" "$tmp/config"

unset ANTHROPIC_API_KEY ANTHROPIC_BASE_URL DH_CONFIG
export HOME=$tmp/home XDG_STATE_HOME=$tmp/state XDG_CONFIG_HOME=$tmp/config

section() { printf '\n\033[1m== %s ==\033[0m\n\n' "$*"; }
[[ -t 1 && -z ${NO_COLOR:-} ]] || section() { printf '\n== %s ==\n\n' "$*"; }

section "deskhand demo: a recorded session, replayed (no network, no API key)"
echo "folder:  $tmp/folder  (a copy of contrib/demo/folder)"
echo "state:   $XDG_STATE_HOME/deskhand  (temporary; your own sessions are untouched)"
echo "task:    $task"
echo

status=0
if [[ $tui == 1 ]]; then
	# The workbench needs a terminal (tests drive it with DH_SCRIPT instead).
	if [[ ! -t 0 || ! -t 1 ]] && [[ -z ${DH_SCRIPT:-} ]]; then
		echo "run.sh: the workbench needs a terminal; run make demo-tui in one" >&2
		exit 1
	fi
	echo "In the workbench: a approves the plan; then watch the transcript, Tab to"
	echo "the diff pane, }/{ walk the files, u undoes, ? lists every key, q quits."
	[[ -z ${DH_SCRIPT:-} ]] && sleep 2
	"$deskhand" --grant "$tmp/folder" --mode auto --replay "$here/session.rec" "$task" ||
		status=$?
	echo
	echo "The folder the agent organised: $tmp/folder (state: $XDG_STATE_HOME/deskhand)."
	echo "When done: rm -rf $tmp"
	exit "$status"
fi
"$deskhand" run --grant "$tmp/folder" --approve-plan --mode auto \
	--replay "$here/session.rec" "$task" || status=$?
if [[ $status -ne 0 ]]; then
	echo "run.sh: deskhand run failed (exit $status); folder left at $tmp/folder" >&2
	exit "$status"
fi

section "deskhand log: the checkpoints, one per step that changed files"
"$deskhand" log

section "deskhand diff: everything the session changed"
"$deskhand" diff

section "the folder now"
(cd "$tmp/folder" && find . -mindepth 1 \( -type d -printf '%P/\n' -o -printf '%P\n' \) |
	LC_ALL=C sort | awk -F/ '{
		n = NF; name = $NF
		if (name == "") { n--; name = $n "/" }
		pad = ""; for (i = 1; i < n; i++) pad = pad "  "
		print "  " pad name
	}')

section "try it yourself"
cat <<MSG
The folder is still there. To look around or undo, in this shell:

  export XDG_STATE_HOME=$XDG_STATE_HOME XDG_CONFIG_HOME=$XDG_CONFIG_HOME
  cd $tmp/folder
  $deskhand log
  $deskhand undo               # undo the last step that changed files
  $deskhand undo --to baseline # put everything back as it was

When done: rm -rf $tmp

To watch the same session in the full-screen workbench: make demo-tui
MSG
