# A long session that outgrows its context window many times over (issue
# 15, done-when 2, the short variant of tests/slow/context_long_300.sh): 60
# turns each read a 14 kB part against a 50,000-token window that the fake
# counts at 2.5 bytes a token (more than deskhand's own estimate: it learns
# the difference from the reported usage). It finishes; compaction happens
# again and again, no request goes past the window, the plan, the task and
# the files written survive every compaction, and --resume works after it.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_long.sh"
# compact_at 0.2 of sonnet's 200,000 tokens: 40,000 by deskhand's estimate
long_session 60 50000 14000 2.5 0.2 4
echo ok
