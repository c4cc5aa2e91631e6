# The mono theme renders at 256 colours, 16 colours and in mono (tests/ui/theme_check.sh).
THEME=mono USES_256=0
. "$DH_TESTS/ui/theme_check.sh"
