/* SPDX-License-Identifier: MIT */
#ifndef DH_ENGINE_VERBS_MCP_AUTH_H
#define DH_ENGINE_VERBS_MCP_AUTH_H

/* `deskhand mcp login SERVER [FOLDER]` / `deskhand mcp logout SERVER
 * [FOLDER]` (OAuth of an http connector of the person's mcp.json, else of
 * FOLDER's trusted .mcp.json; engine/verbs_mcp_auth.c). ARGV
 * as client_mcp_verb() passes it (argv[0] the verb). Exit status: 0 done,
 * 1 failed, 2 usage. */
int mcp_verb_login(int argc, char **argv);
int mcp_verb_logout(int argc, char **argv);

/* `deskhand mcp client` under the conformance suite (MCP_CONFORMANCE_SCENARIO
 * set): OAuth with a fresh state directory (*dir, heap, removed by _fini),
 * the authorization URL followed without a person, the suite's Client ID
 * Metadata Document URL, and the pre-registered client of `context`
 * (borrowed: must outlive the server's start). Without the variable,
 * nothing changes. Returns 0 or DH_EFAIL. */
struct mcp_oauth_conf;
#include <cJSON.h>
int mcp_harness_oauth(struct mcp_oauth_conf *c, const cJSON *context, char **dir);
void mcp_harness_oauth_fini(char *dir);

#endif
