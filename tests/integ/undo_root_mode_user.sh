# undo_root_mode.sh as an ordinary user (uid/gid 65534), who cannot write
# into the 0555 folder that root writes into whatever its bits.
DH_AS_NOBODY=1
. "$DH_TESTS/integ/undo_root_mode.sh"
