# The solarized-dark theme renders at 256 colours, 16 colours and in mono (tests/ui/theme_check.sh).
THEME=solarized-dark USES_256=1
. "$DH_TESTS/ui/theme_check.sh"
