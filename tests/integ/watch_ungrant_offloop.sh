# The watcher's first walk of a big folder runs on its thread and stops at
# once when told: a folder of 90,000 directories granted to a live engine
# and ungranted at once leaves the engine answering a status sent right
# behind the ungrant without waiting for the walk, and an engine told to
# quit while it walks exits without waiting for it either (and, under
# ASan, without a leak). Before, the ungrant and the quit joined the
# watcher's thread, which finished the walk first: seconds with the loop
# stopped.
. "$DH_TESTS/lib.sh"
G=$T/work; BIG=$T/big; mkdir -p "$G" "$BIG"
# On a tmpfs when one can be mounted: the directories are made in a second
# there, not in half a minute.
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=16m tmpfs "$BIG" 2>/dev/null; then
  trap 'umount "$BIG" 2>/dev/null; cleanup' EXIT
fi
ND=300 # ND * ND directories: about a second's walk
[ "$(cat /proc/sys/fs/inotify/max_user_watches)" -ge $((ND * ND * 3 / 2)) ] ||
  skip "fs.inotify.max_user_watches is below $((ND * ND * 3 / 2))"
python3 - "$BIG" "$ND" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for a in range(n):
    os.mkdir("%s/d%03d" % (root, a))
    for b in range(n):
        os.mkdir("%s/d%03d/e%03d" % (root, a, b))
PY
echo '{"turns": [{"text": "Done.", "stop_reason": "end_turn"}]}' > "$T/script.json"
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --json --approve-plan --mode auto task > "$T/run.out" 2>"$T/err" ||
  { cat "$T/err"; fail "run failed"; }
sid=$(ls "$XDG_STATE_HOME/deskhand/sessions")
DESKHAND=$DESKHAND DH_TESTS=$DH_TESTS python3 - "$sid" "$BIG" > "$T/py.out" 2>&1 <<'PY' ||
import os, signal, sys, time
sys.path.insert(0, os.environ["DH_TESTS"] + "/integ")
import server_client as sc
sid, big = sys.argv[1], sys.argv[2]
line, pid = sc.spawn(["--resume", sid])
assert line.startswith("ok"), line
a = sc.connect(sid)
_, _, _, r = sc.hello(a)

def reply(re):
    while True:
        ev = r.next(120)
        if ev.get("re") == re:
            return ev

def grant(re):
    sc.send(a, {"type": "grant", "path": big, "id": re})
    ev = reply(re)
    assert ev["ok"] and big in ev["data"], ev

# Ungrant right behind the grant, with a status behind the ungrant; again
# while the engine says its jobs (the audit log's flush) still run.
grant("g1")
lat = []
for i in range(100):
    t0 = time.monotonic()
    sc.send(a, {"type": "ungrant", "path": big, "id": "u%d" % i})
    sc.send(a, {"type": "status", "id": "s%d" % i})
    u = reply("u%d" % i)
    reply("s%d" % i)
    lat.append(time.monotonic() - t0)
    if u["ok"]:
        break
    assert "try again" in u["message"], u
    time.sleep(0.02)
assert u["ok"] and big not in u["data"], u
ms = int(max(lat) * 1000)
print("ungrant: %d attempts; the status behind it after %d ms at most" % (len(lat), ms))

# Quit while the walk of the folder granted again runs.
grant("g2")
t0 = time.monotonic()
os.kill(pid, signal.SIGTERM)
_, st = os.waitpid(pid, 0)
quit_ms = int((time.monotonic() - t0) * 1000)
print("quit during the walk: exit status %d after %d ms" % (os.waitstatus_to_exitcode(st), quit_ms))
assert ms < 400, "the status behind an ungrant took %d ms" % ms
assert os.waitstatus_to_exitcode(st) == 0, st
assert quit_ms < 400, "the engine took %d ms to quit" % quit_ms
PY
  { cat "$T/py.out"; fail "the loop waited for the watcher's walk"; }
cat "$T/py.out" >&2
echo ok
