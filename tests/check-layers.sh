#!/usr/bin/env bash
# Enforces the include layering of STYLE.md §3.3: which module may include
# which, which single place owns each third-party header, and that the module
# include graph has no cycle. A module is a directory under src/; an edge is
# a '#include "m/…"' from one of its files (resolved as the compiler does:
# next to the including file first, then -Isrc). Each refusal names the file,
# the line, the include and the rule. Exit 0 when every rule holds, 1 if not.
set -u
cd "$(dirname "$0")/.."
bad=0
# One pass over the sources (a process each run: the test of this script runs
# it 30 times).
python3 - <<'PY' || bad=1
import os, re, sys

# An include line: group 1 is '<' or '"', group 2 the name.
INC = re.compile(r'^[ \t]*#[ \t]*include[ \t]*([<"])([^>"\n]+)[>"]', re.M)
# Each third-party header is included in one place only: (the header, as a
# regex over the name between <>, the files allowed, as a regex over the
# path, and those files as the refusal names them).
OWNED = [
    (r"curl/curl\.h", r"src/net/http\.c", "src/net/http.c"),
    (r"openssl/.*|nettle/.*|sha1\.h|sha2\.h", r"src/core/crypto\.c", "src/core/crypto.c"),
    (r"git2\.h|git2/.*", r"src/snap/.*", "src/snap/"),
    (r"seccomp\.h", r"sandbox/.*", "sandbox/"),
    (r"n?curses\.h|ncursesw/.*", r"src/ui/.*", "src/ui/"),
    # libxml2: the HTML parser of web_fetch, and the XML of office documents.
    (r"libxml/[a-zA-Z]+\.h", r"src/tools/tool_web\.c|src/docs/doc\.c",
     "src/tools/tool_web.c and src/docs/doc.c"),
    (r"zip\.h", r"src/docs/doc\.c", "src/docs/doc.c"),
    (r"poppler\.h|poppler/.*", r"src/docs/doc_pdf\.c", "src/docs/doc_pdf.c"),
    (r"cmark-gfm[-a-z_]*\.h", r"src/ui/markdown\.c", "src/ui/markdown.c"),
    (r"xlsxwriter\.h|xlsxwriter/.*", r"src/tools/tool_sheet\.c", "src/tools/tool_sheet.c"),
    (r"systemd/sd-journal\.h", r"src/audit/journal\.c", "src/audit/journal.c"),
]
# Clients (the workbench and the headless verbs) see the engine only through
# its client interface and the event/command declarations.
CLIENTS = {"ui", "cli"}
CLIENT_ALLOWED = {"engine/client.h", "agent/event.h"}
CLIENT_FORBIDDEN = {"snap", "session", "watch", "policy", "llm", "tools", "agent", "engine"}

modules = sorted(d for d in os.listdir("src") if os.path.isdir(os.path.join("src", d)))
below_engine = [m for m in modules if m not in CLIENTS | {"engine"}]
below_agent = [m for m in below_engine if m != "agent"]


def sources(top):
    for dirpath, dirs, files in os.walk(top):
        dirs.sort()
        for f in sorted(files):
            if f.endswith((".c", ".h")):
                yield os.path.join(dirpath, f)


def resolve(f, inc):
    """The path (relative to the tree) the compiler would open."""
    here = os.path.normpath(os.path.join(os.path.dirname(f), inc))
    if os.path.exists(here):
        return here
    return os.path.normpath(os.path.join("src", inc))


def module_of(path):
    parts = path.split(os.sep)
    if len(parts) >= 3 and parts[0] == "src":
        return parts[1]
    return None  # src/main.c, sandbox/…, or outside src/


edges = {}   # (from, to) -> first "file:line: include"
bad = []


def refuse(where, rule):
    bad.append("check-layers: %s: %s" % (where, rule))


for top in ("src", "sandbox"):
    if not os.path.isdir(top):
        continue
    for f in sources(top):
        src_mod = module_of(f)
        with open(f, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        for m in INC.finditer(text):
            no = text.count("\n", 0, m.start()) + 1
            if m.group(1) == "<":
                for header, allowed, place in OWNED:
                    if re.fullmatch(header, m.group(2)) and not re.fullmatch(allowed, f):
                        refuse("%s:%d: #include <%s>" % (f, no, m.group(2)),
                               "<%s> is included only in %s" % (m.group(2), place))
                continue
            target = resolve(f, m.group(2))
            dst_mod = module_of(target)
            rel = target[4:] if target.startswith("src" + os.sep) else target
            where = '%s:%d: #include "%s"' % (f, no, m.group(2))
            if top == "sandbox":
                if dst_mod is not None:
                    refuse(where, "the sandbox helper (sandbox/) stands alone: nothing of src/")
                continue
            if dst_mod is None or dst_mod == src_mod:
                continue
            if src_mod is not None:
                edges.setdefault((src_mod, dst_mod), where)
            if src_mod == "core":
                refuse(where, "core/ is libc + Linux only: it includes nothing of the project")
            client_bad = src_mod in CLIENTS and dst_mod in CLIENT_FORBIDDEN \
                and rel not in CLIENT_ALLOWED
            if client_bad:
                refuse(where, "src/%s/ is a client: of the engine it includes only "
                       "engine/client.h and agent/event.h (not %s/)" % (src_mod, dst_mod))
            elif dst_mod == "engine" and rel != "engine/client.h" and src_mod != "engine" \
                    and f != os.path.join("src", "main.c"):
                refuse(where, "%s is an engine internal: only src/engine/ and src/main.c "
                       "include it (clients use engine/client.h)" % rel)
            if src_mod in below_engine and dst_mod == "engine":
                refuse(where, "src/%s/ is below the engine: it never includes engine/" % src_mod)
            if src_mod not in CLIENTS and src_mod is not None and dst_mod in CLIENTS:
                refuse(where, "src/%s/ is part of the engine: it never includes the "
                       "front ends (%s/)" % (src_mod, dst_mod))
            if src_mod == "mcp" and dst_mod not in ("net", "core"):
                refuse(where, "src/mcp/ is a protocol client: it includes only net/ and "
                       "core/ (the host decides trust, sandboxing and what the model sees)")
            if src_mod == "audit" and dst_mod != "core":
                refuse(where, "src/audit/ is the audit log's file format: it includes only "
                       "core/ (the engine decides what is recorded)")
            if src_mod == "telemetry" and dst_mod not in ("net", "core"):
                refuse(where, "src/telemetry/ is the OTLP wire format and exporter: it "
                       "includes only net/ and core/ (the engine decides what is exported)")
            if src_mod == "skills" and dst_mod not in ("policy", "core"):
                refuse(where, "src/skills/ reads skills and instructions: it includes only "
                       "policy/ and core/ (the agent decides what the model sees)")
            if src_mod == "docs" and dst_mod != "core":
                refuse(where, "src/docs/ reads documents as text: it includes only core/ "
                       "(the tools and the review decide what to read)")
            if src_mod in below_agent and dst_mod == "agent":
                refuse(where, "src/%s/ is below the agent: it never includes agent/" % src_mod)

# The module graph has no cycle, direct or through others (Tarjan's SCCs;
# for each strongly connected set of two or more modules, print one cycle).
graph = {m: sorted(d for (s, d) in edges if s == m) for m in modules}
index, low, stack, on, sccs, n = {}, {}, [], set(), [], [0]


def strong(v):
    index[v] = low[v] = n[0]; n[0] += 1
    stack.append(v); on.add(v)
    for w in graph.get(v, []):
        if w not in index:
            strong(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v:
                break
        sccs.append(sorted(comp))


for v in modules:
    if v not in index:
        strong(v)


def shortest_cycle(comp):
    """The shortest cycle through comp's first module, staying inside comp."""
    inside, start = set(comp), comp[0]
    prev, frontier = {start: None}, [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in graph[v]:
                if w == start:
                    path = [v]
                    while prev[path[-1]] is not None:
                        path.append(prev[path[-1]])
                    return list(reversed(path)) + [start]
                if w in inside and w not in prev:
                    prev[w] = v; nxt.append(w)
        frontier = nxt
    return comp + [start]


for comp in sccs:
    if len(comp) < 2:
        continue
    cyc = shortest_cycle(comp)
    bad.append("check-layers: include cycle between modules: %s" % " -> ".join(cyc))
    for a, b in zip(cyc, cyc[1:]):
        bad.append("    %s -> %s: %s" % (a, b, edges[(a, b)]))
    if len(comp) > len(cyc) - 1:
        bad.append("    (modules in this knot: %s)" % ", ".join(comp))

for line in bad:
    print(line)
sys.exit(1 if bad else 0)
PY
[ $bad = 0 ] && echo "check-layers: ok"
exit $bad
