# The high-contrast theme renders at 256 colours, 16 colours and in mono (tests/ui/theme_check.sh).
THEME=high-contrast USES_256=1
. "$DH_TESTS/ui/theme_check.sh"
