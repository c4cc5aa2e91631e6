# test: timeout 900
# Issue 15, done-when 2: a 300-turn session whose tool results (300 parts of
# 10 kB read) total several times a 200,000-token window finishes. The fake
# counts 3 bytes a token and refuses a request past its window as the real
# API does; compaction happens at the default compact_at (0.8) several
# times; the plan, the task and the files written survive each one; --resume
# works after them. tests/integ/context_long.sh is the short variant.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_long.sh"
long_session 300 200000 10000 3 0.8 4
echo ok
