# deskhand — plain GNU Make build (STYLE.md §3.20).
#   make            build build/deskhand and build/deskhand-sandbox
#   make check      install missing Debian packages (as root), build with ASan+UBSan, run every test
#   make demo       run a recorded session on a copy of contrib/demo/folder (no API key)
#   make demo-tui   the same session in the full-screen workbench
#   make bench      benchmarks (checkpoint, session, memory, sandbox and workbench figures)
#   make fuzz       build the libFuzzer targets (clang) and run each FUZZ_SECONDS
#   make mcp-conformance  the official MCP conformance suite (client leg, both revisions)
#   make install PREFIX=/usr/local   (also the man page and bash/zsh completions)

PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
V        ?= 0
Q         = $(if $(filter 1,$(V)),,@)
# The builds that check, demo, bench and the other targets below start in a
# sub-make use every core, unless the command line chose how many jobs (-j):
# the README's `make check` built serially on a fresh machine.
NPROC    := $(shell nproc 2>/dev/null || echo 1)
SUBJOBS   = $(if $(filter -j% --jobserver%,$(MAKEFLAGS)),,-j$(NPROC))

# nettle: SHA-1 for the shadow repositories' names, SHA-256 and HMAC for the
# audit log, needed before the first request while libcurl is still loading
# (src/core/crypto.c).
PKGS      = ncursesw libseccomp libcjson nettle
# Loaded with dlopen() when first used (src/core/dl.h; PDF text, the journal,
# web_fetch's HTML and office XML, zip containers, .xlsx writing, skills'
# front matter, the Markdown view; and libcurl and libgit2, each loaded on a thread beside the start-up,
# src/net/http.c, src/snap/snap_git.c): their headers, not their libraries,
# so a launch does not map and relocate them before main().
DLOPEN_PKGS = libgit2 libcurl poppler-glib libsystemd libxml-2.0 libzip xlsxwriter yaml-0.1 libcmark-gfm
# GnuTLS (loaded with libcurl, unused) asks the program whether to
# initialise itself; the answer, in src/net/http.c, is found only if the
# program exports it.
LDEXPORT  = -Wl,--export-dynamic-symbol=_gnutls_global_init_skip
WARN      = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wvla -Wwrite-strings -Wimplicit-fallthrough -Wundef -Wunused-result
BASEFLAGS = -std=c11 -D_GNU_SOURCE -DGIT_DEPRECATE_HARD -Isrc -MMD -MP $(WARN)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) $(DLOPEN_PKGS) 2>/dev/null | sed 's/-D_XOPEN_SOURCE=600//; s/-D_DEFAULT_SOURCE//')
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -ldl

OPT       ?= -O2 -g
# UBSan traps (-fsanitize-undefined-trap-on-error) rather than calling
# libubsan: LeakSanitizer scans the writable data of every loaded library at
# each exit, and libubsan's is 6 MB of zeroes, 18 ms of CPU per process (50
# against 32 ms for a hello world here). A trap is reported by ASan with its
# FILE:LINE (tests/san_defaults.c: handle_sigill). gcc's `undefined` leaves
# out float-cast-overflow (a double beyond the integer it is converted to,
# C11 6.3.1.4: a JSON number from a server cast to long), which clang's
# fuzz build alone would catch.
SANFLAGS   = -O1 -g -fsanitize=address,undefined,float-cast-overflow \
             -fsanitize-undefined-trap-on-error -fno-omit-frame-pointer
# The sanitizer binaries are linked as fixed-address executables: a PIE of
# them starts by applying 280,000 relative relocations (ASan's descriptions
# of every global), and the suite starts about 2,000 of them. -no-pie took
# `unit-tests --version` from 114 to 90 ms of CPU. The release build stays PIE.
SANLDFLAGS = -no-pie

LIB_SRC   = $(filter-out src/main.c,$(wildcard src/*/*.c))
MAIN_SRC  = src/main.c
# deskhand-sandbox links only libc: its seccomp filter (sandbox/filter.c, libseccomp) is
# compiled here by gen-filter into a generated C array, once per build, not per command.
GEN_SRC   = sandbox/filter.c sandbox/gen_filter.c
# sandbox/bump_alloc.c replaces malloc in the musl helper only (see that file).
SBX_SRC   = $(filter-out $(GEN_SRC) sandbox/bump_alloc.c,$(wildcard sandbox/*.c))
UNIT_SRC  = $(wildcard tests/unit/*.c)
# Linked into each sanitizer binary: its default ASAN_OPTIONS.
SAN_SRC   = tests/san_defaults.c

# $(call objs,BUILDDIR,SOURCES)
objs = $(patsubst %.c,$(1)/%.o,$(2))

all: build/deskhand build/deskhand-sandbox

# ---- release-ish build ------------------------------------------------------
build/%.o: %.c
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CC      $<")
	$(Q)$(CC) $(BASEFLAGS) $(OPT) $(PKG_CFLAGS) -c -o $@ $<

build/deskhand: $(call objs,build,$(MAIN_SRC) $(LIB_SRC))
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(OPT) $(LDEXPORT) -o $@ $^ $(PKG_LIBS) -lpthread

# Static, and against musl (Debian's musl-tools) where musl-gcc is there: the helper starts
# twice per command (before bwrap, and inside it as the exec stage). A static glibc start
# costs ~0.7 ms less than a dynamic one here, a static musl one ~0.6 ms less again: sandbox
# overhead above bare bwrap 3.7-4.2 ms against 4.8-5.7 ms for static glibc (three
# alternating runs of build/bench-sandbox each). It links only libc. The kernel's own
# headers (<linux/landlock.h>, <linux/nsfs.h>) come from Debian's linux-libc-dev through
# build/musl/include, which holds links to just those directories, so no glibc header mixes
# in. Without musl-gcc the helper is static glibc, as before. `make check` runs the sandbox
# tests against this binary too (DH_RELEASE_SANDBOX); the sanitizer build below stays glibc
# and dynamic (ASan cannot link statically).
SBX_CC      = $(if $(shell command -v musl-gcc),musl-gcc,$(CC))
SBX_MULTI   = $(shell $(CC) -print-multiarch)
SBX_CFLAGS  = $(if $(filter musl-gcc,$(SBX_CC)),-idirafter build/musl/include)
SBX_ALLOC   = $(if $(filter musl-gcc,$(SBX_CC)),build/musl/sandbox/bump_alloc.o)
build/musl/include/.links:
	@mkdir -p $(dir $@)
	$(Q)ln -sfn /usr/include/linux $(dir $@)linux && \
	  ln -sfn /usr/include/$(SBX_MULTI)/asm $(dir $@)asm && \
	  ln -sfn /usr/include/asm-generic $(dir $@)asm-generic && touch $@
build/musl/%.o: %.c build/musl/include/.links
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CC/SBX  $<")
	$(Q)$(SBX_CC) $(BASEFLAGS) $(OPT) $(SBX_CFLAGS) -c -o $@ $<
build/musl/sandbox/filter_bpf.o: build/sandbox/filter_bpf.c build/musl/include/.links
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CC/SBX  $<")
	$(Q)$(SBX_CC) $(BASEFLAGS) -Isandbox $(OPT) $(SBX_CFLAGS) -c -o $@ $<
build/deskhand-sandbox: $(call objs,build/musl,$(SBX_SRC)) build/musl/sandbox/filter_bpf.o $(SBX_ALLOC)
	$(if $(Q),@echo "  LD      $@ ($(SBX_CC))")
	$(Q)$(SBX_CC) $(OPT) -static -o $@ $^

# $(1): build directory, $(2): its flags. gen-filter compiles the seccomp policy; its
# output is the C array the helper embeds.
define gen_filter
$(1)/gen-filter: $(call objs,$(1),$(GEN_SRC))
	$$(if $$(Q),@echo "  LD      $$@")
	$$(Q)$$(CC) $(2) -o $$@ $$^ -lseccomp
$(1)/sandbox/filter_bpf.c: $(1)/gen-filter
	$$(if $$(Q),@echo "  GEN     $$@")
	$$(Q)$$< > $$@.tmp && mv $$@.tmp $$@
$(1)/sandbox/filter_bpf.o: $(1)/sandbox/filter_bpf.c
	$$(if $$(Q),@echo "  CC      $$<")
	$$(Q)$$(CC) $$(BASEFLAGS) -Isandbox $(2) -c -o $$@ $$<
endef
$(eval $(call gen_filter,build,$(OPT)))
$(eval $(call gen_filter,build-asan,$(SANFLAGS)))

# ---- sanitizer build used by the tests -----------------------------------------
build-asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CC/SAN  $<")
	$(Q)$(CC) $(BASEFLAGS) $(SANFLAGS) $(PKG_CFLAGS) -c -o $@ $<

build-asan/deskhand: $(call objs,build-asan,$(MAIN_SRC) $(LIB_SRC) $(SAN_SRC))
	$(if $(Q),@echo "  LD/SAN  $@")
	$(Q)$(CC) $(SANFLAGS) $(SANLDFLAGS) $(LDEXPORT) -o $@ $^ $(PKG_LIBS) -lpthread

build-asan/deskhand-sandbox: $(call objs,build-asan,$(SBX_SRC) $(SAN_SRC)) build-asan/sandbox/filter_bpf.o
	$(if $(Q),@echo "  LD/SAN  $@")
	$(Q)$(CC) $(SANFLAGS) -o $@ $^

# tests/unit/test_doc.c builds its zip fixtures with libzip directly, the
# snapshot tests read the shadow repositories with libgit2, test_oauth hashes
# with libcrypto.
build-asan/unit-tests: $(call objs,build-asan,$(UNIT_SRC) $(LIB_SRC) $(SAN_SRC))
	$(if $(Q),@echo "  LD/SAN  $@")
	$(Q)$(CC) $(SANFLAGS) $(SANLDFLAGS) $(LDEXPORT) -o $@ $^ $(PKG_LIBS) $(shell pkg-config --libs libzip libgit2 libcrypto) -lcriterion -lpthread

build/bench-checkpoint: $(call objs,build,bench/bench_checkpoint.c bench/bench.c $(LIB_SRC))
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(OPT) -o $@ $^ $(PKG_LIBS) -lpthread

build/bench-audit: $(call objs,build,bench/bench_audit.c bench/bench.c $(LIB_SRC))
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(OPT) -o $@ $^ $(PKG_LIBS) -lpthread

build/bench-sandbox: build/bench/bench_sandbox.o build/bench/bench.o
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(OPT) -o $@ $^

build/bench-curl-client: build/bench/curl_client.o
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(OPT) -o $@ $^ $(shell pkg-config --libs libcurl)

build/bench-watch: $(call objs,build,bench/bench_watch.c bench/bench.c $(LIB_SRC))
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(OPT) -o $@ $^ $(PKG_LIBS) -lpthread

asan: build-asan/deskhand build-asan/deskhand-sandbox build-asan/unit-tests

# ---- fuzz targets (tests/fuzz/, README "Fuzzing") -------------------------------------
# clang's libFuzzer with ASan+UBSan; the parsers' modules are compiled with
# clang and coverage into build-fuzz/ and linked from an archive, so each
# target takes only the objects it calls.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZFLAGS     = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
                -fno-sanitize-recover=undefined
FUZZ_LIB_SRC  = $(wildcard src/core/*.c src/llm/*.c src/net/*.c src/mcp/*.c) src/config/config.c src/config/managed.c src/ui/theme.c \
                src/ui/draw.c src/ui/markdown.c \
                src/agent/event.c src/sandbox/egress.c
FUZZ_SRC      = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS     = $(patsubst tests/fuzz/fuzz_%.c,build-fuzz/fuzz-%,$(FUZZ_SRC))

build-fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CC/FUZZ $<")
	$(Q)$(FUZZ_CC) $(BASEFLAGS) $(FUZZFLAGS) -fsanitize=fuzzer-no-link $(PKG_CFLAGS) -c -o $@ $<

build-fuzz/libdeskhand.a: $(call objs,build-fuzz,$(FUZZ_LIB_SRC))
	$(Q)rm -f $@ && ar rcs $@ $^

build-fuzz/fuzz-%: build-fuzz/tests/fuzz/fuzz_%.o build-fuzz/libdeskhand.a
	$(if $(Q),@echo "  LD/FUZZ $@")
	$(Q)$(FUZZ_CC) $(FUZZFLAGS) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS) -lpthread

fuzz-build: $(FUZZ_BINS)
.SECONDARY: $(call objs,build-fuzz,$(FUZZ_SRC))

fuzz: deps
	$(Q)$(MAKE) $(SUBJOBS) --no-print-directory fuzz-build
	$(Q)tests/fuzz/run.sh $(CURDIR)/build-fuzz $(FUZZ_SECONDS)

# ---- dependencies -------------------------------------------------------------------
DEB_PKGS = build-essential pkg-config libncurses-dev libcurl4-openssl-dev libcjson-dev \
           libssl-dev libgit2-dev libseccomp-dev bubblewrap libcriterion-dev python3 tmux git \
           ca-certificates time jq libxml2-dev curl procps clang libclang-rt-14-dev \
           libcmark-gfm-dev libcmark-gfm-extensions-dev libyaml-dev libsystemd-dev
# SHA-1, SHA-256, HMAC and base64 (src/core/crypto.c).
DEB_PKGS += nettle-dev
# write_spreadsheet writes .xlsx with libxlsxwriter.
DEB_PKGS += libxlsxwriter-dev
# The spreadsheet tests read written workbooks back with LibreOffice (soffice).
DEB_PKGS += libreoffice-calc
# write_document runs pandoc (optional at run time; its tests need it).
DEB_PKGS += pandoc
# The man page's test renders it (man -l).
DEB_PKGS += man-db
# The transcript's group commit test watches which thread syncs it (strace -f).
DEB_PKGS += strace
# deskhand-sandbox is linked statically against musl (see build/deskhand-sandbox).
DEB_PKGS += musl-tools
# The MCP tests install their pinned npm packages (tests/mcp/package-lock.json),
# the OpenTelemetry tests theirs (tests/otel/package-lock.json: the collector
# decodes with the official opentelemetry-proto definitions);
# npm comes with NodeSource's nodejs, else from Debian's npm package.
DEB_PKGS += nodejs
# The schedule tests check the timer units and SPECs (systemd-analyze verify,
# calendar); no running systemd is needed.
DEB_PKGS += systemd
# Office documents and PDFs as text (src/docs/); the document tests make their
# documents with LibreOffice (soffice --headless --convert-to).
DEB_PKGS += libzip-dev libpoppler-glib-dev libreoffice-writer libreoffice-impress
deps:
	$(Q)missing=$$(for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
	    | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "  DEPS    installing:" $$missing; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "deskhand: missing Debian packages:" $$missing; \
	    echo "          run as root: apt-get install" $$missing; exit 1; \
	  fi; \
	fi
	$(Q)if ! command -v npm >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
	  else echo "deskhand: npm is missing; run as root: apt-get install npm"; exit 1; fi; \
	fi
	$(Q)pids=; \
	if [ ! tests/mcp/node_modules/.package-lock.json -nt tests/mcp/package-lock.json ]; then \
	  echo "  NPM     tests/mcp (the MCP conformance suite, pinned)"; \
	  (cd tests/mcp && npm ci --no-audit --no-fund --loglevel=error) & pids="$$pids $$!"; \
	fi; \
	if [ ! tests/otel/node_modules/.package-lock.json -nt tests/otel/package-lock.json ]; then \
	  echo "  NPM     tests/otel (the opentelemetry-proto definitions, pinned)"; \
	  (cd tests/otel && npm ci --no-audit --no-fund --loglevel=error) & pids="$$pids $$!"; \
	fi; \
	for p in $$pids; do wait $$p || exit 1; done

# The official MCP conformance suite, client leg, as each revision requires it.
mcp-conformance: deps
	$(Q)$(MAKE) $(SUBJOBS) --no-print-directory all
	$(Q)tests/mcp/conformance.sh $(CURDIR)/build/deskhand 2025-11-25 2026-07-28

# ---- tests, demo, bench ---------------------------------------------------------------
check: deps
	$(Q)$(MAKE) $(SUBJOBS) --no-print-directory asan fuzz-build build/deskhand-sandbox
	$(Q)DH_BUILD=$(CURDIR)/build-asan DH_FUZZ=$(CURDIR)/build-fuzz \
	  DH_RELEASE_SANDBOX=$(CURDIR)/build/deskhand-sandbox tests/run.sh

# check + the multi-minute scale tests (tests/slow/: a 100,000-file baseline, a
# 300-turn session past the context window, /usr/share/doc changed and undone),
# and crash_kill_random with 25 kill instants rather than 10.
check-slow: deps
	$(Q)$(MAKE) $(SUBJOBS) --no-print-directory asan fuzz-build build/deskhand-sandbox
	$(Q)DH_BUILD=$(CURDIR)/build-asan DH_FUZZ=$(CURDIR)/build-fuzz DH_SLOW=1 \
	  DH_RELEASE_SANDBOX=$(CURDIR)/build/deskhand-sandbox tests/run.sh

test: asan fuzz-build build/deskhand-sandbox
	$(Q)DH_BUILD=$(CURDIR)/build-asan DH_FUZZ=$(CURDIR)/build-fuzz \
	  DH_RELEASE_SANDBOX=$(CURDIR)/build/deskhand-sandbox tests/run.sh

demo: deps
	$(Q)$(MAKE) $(SUBJOBS) --no-print-directory all
	$(Q)contrib/demo/run.sh $(CURDIR)/build

# The same recorded session in the real workbench (auto mode; needs a terminal).
demo-tui: deps
	$(Q)$(MAKE) $(SUBJOBS) --no-print-directory all
	$(Q)contrib/demo/run.sh --tui $(CURDIR)/build

bench: deps
	$(Q)$(MAKE) $(SUBJOBS) --no-print-directory all build/bench-checkpoint build/bench-watch build/bench-sandbox build/bench-audit build/bench-curl-client
	$(Q)bench/run.sh $(CURDIR)/build

check-layers:
	$(Q)tests/check-layers.sh

MANDIR   ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/vendor-completions

install: all install-data
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 build/deskhand build/deskhand-sandbox $(DESTDIR)$(PREFIX)/bin/

# What needs no build: themes, the man page, the shell completions.
install-data:
	install -d $(DESTDIR)$(PREFIX)/share/deskhand/themes $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 644 themes/*.theme $(DESTDIR)$(PREFIX)/share/deskhand/themes/
	install -m 644 docs/deskhand.1 $(DESTDIR)$(MANDIR)/man1/deskhand.1
	install -m 644 contrib/completion/deskhand.bash $(DESTDIR)$(BASHCOMPDIR)/deskhand
	install -m 644 contrib/completion/_deskhand $(DESTDIR)$(ZSHCOMPDIR)/_deskhand

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/deskhand $(DESTDIR)$(PREFIX)/bin/deskhand-sandbox
	rm -f $(DESTDIR)$(MANDIR)/man1/deskhand.1 $(DESTDIR)$(BASHCOMPDIR)/deskhand \
	    $(DESTDIR)$(ZSHCOMPDIR)/_deskhand
	rm -rf $(DESTDIR)$(PREFIX)/share/deskhand

clean:
	rm -rf build build-asan build-fuzz

.PHONY: all asan fuzz-build fuzz deps check check-slow test demo demo-tui bench check-layers mcp-conformance install install-data uninstall clean
-include $(shell find build build-asan build-fuzz -name '*.d' 2>/dev/null)
