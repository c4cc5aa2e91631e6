#!/usr/bin/env bash
# `make demo`: replay the recorded session (session.rec) on a fresh copy of
# folder/. No network and no API key; the user's own deskhand state and config
# are not touched (HOME and the XDG dirs point into a temp dir).
#
#   contrib/demo/run.sh [BUILD_DIR]     (default: build, in the repo root)
set -euo pipefail

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
MSG
