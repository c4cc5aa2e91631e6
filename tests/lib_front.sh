# Helpers for the front_*.sh tests (source after lib.sh, which gives each
# test its own engines' socket directory and kills its engines at exit).
SOCKDIR=$XDG_RUNTIME_DIR/deskhand

# now_ms: wall clock in ms.
now_ms() { date +%s%3N; }

