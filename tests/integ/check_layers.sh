# The include layering of STYLE.md §3.3 holds (tests/check-layers.sh).
exec "$DH_TESTS/check-layers.sh"
