/* SPDX-License-Identifier: MIT */
#ifndef DH_SANDBOX_PROTECTED_PATHS_H
#define DH_SANDBOX_PROTECTED_PATHS_H

/*
 * The mandatory-deny list: paths inside a granted folder that change what
 * runs later, outside any sandbox, when the person's shell, git, editor, desktop
 * session, SSH or agent tools read them. SANDBOX.md §1.6 (srt's list), shell
 * start-up files beyond it, and what a granted home holds: programs on PATH
 * (.local/bin), user services and autostart entries, git's XDG config, SSH's
 * keys, rc and config (ProxyCommand). And deskhand's own ignore rules
 * (.deskhandignore), which decide what checkpoints record: the agent does not
 * choose what review shows of its changes and what undo takes back.
 *
 * One list, data only, for the three places that enforce it:
 *  - the helper (deskhand-sandbox.c) binds each one that exists at the root of
 *    a --rw grant read-only onto itself, and pins the directories on the way
 *    to it (so none can be renamed away and replaced);
 *  - the file tools refuse each one at any depth (grant_is_protected(): a
 *    directory's entry covers everything in it);
 *  - run_command reports one that it created at a grant's root, and the agent
 *    takes it back after the command's checkpoint (tool_shell.c).
 * It lives beside the helper, which includes nothing of src/; the engine's
 * side includes it from here.
 *
 * X(PATH, DIR): PATH relative to the grant, '/'-separated; DIR is 1 when the
 * entry is a directory (everything in it is covered), 0 for a file.
 */
#define SANDBOX_PROTECTED_PATHS(X)                                              \
	X(".git/hooks", 1)                                                     \
	X(".git/config", 0)                                                    \
	X(".git/commondir", 0)                                                 \
	X(".git/config.worktree", 0)                                           \
	X(".git/worktrees", 1)                                                 \
	X(".gitconfig", 0)                                                     \
	X(".gitmodules", 0)                                                    \
	X(".bashrc", 0)                                                        \
	X(".bash_profile", 0)                                                  \
	X(".bash_login", 0)                                                    \
	X(".bash_logout", 0)                                                   \
	X(".profile", 0)                                                       \
	X(".zshrc", 0)                                                         \
	X(".zprofile", 0)                                                      \
	X(".zshenv", 0)                                                        \
	X(".zlogin", 0)                                                        \
	X(".zlogout", 0)                                                       \
	X(".xprofile", 0)                                                      \
	X(".xsessionrc", 0)                                                    \
	X(".xinitrc", 0)                                                       \
	X(".ripgreprc", 0)                                                     \
	X(".mcp.json", 0)                                                      \
	X(".deskhand", 1)                                                      \
	X(".deskhandignore", 0)                                                \
	X(".vscode", 1)                                                        \
	X(".idea", 1)                                                          \
	X(".claude/commands", 1)                                               \
	X(".claude/agents", 1)                                                 \
	X(".claude/settings.json", 0)                                          \
	X(".claude/settings.local.json", 0)                                    \
	X(".config/git", 1)                                                    \
	X(".config/fish", 1)                                                   \
	X(".config/autostart", 1)                                              \
	X(".config/systemd/user", 1)                                           \
	X(".local/bin", 1)                                                     \
	X(".ssh", 1)

/*
 * What git runs or reads as configuration in ANY git directory, besides a
 * grant's own .git (whose entries are in the list above): a nested
 * repository's .git and a submodule's .git/modules/NAME. The hooks, the
 * config, and what points git at another config and hooks: `commondir` (the
 * directory git takes them from instead), `config.worktree` (read when
 * extensions.worktreeConfig is set) and `worktrees` (each linked worktree's
 * commondir and config.worktree). A `.git` file (a worktree's or a submodule
 * checkout's "gitdir: PATH") redirects the same way: the helper binds it
 * read-only. X(NAME, DIR) as above, NAME relative to the git directory.
 */
#define SANDBOX_GIT_DIR_ENTRIES(X)                                              \
	X("hooks", 1)                                                          \
	X("config", 0)                                                         \
	X("commondir", 0)                                                      \
	X("config.worktree", 0)                                                \
	X("worktrees", 1)

#endif
