# undo_dir_modes.sh as an ordinary user (uid/gid 65534): the directories'
# modes were only ever tested as root, who reads and writes everything.
DH_AS_NOBODY=1
. "$DH_TESTS/integ/undo_dir_modes.sh"
