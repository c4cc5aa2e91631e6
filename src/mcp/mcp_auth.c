/* SPDX-License-Identifier: MIT */
/*
 * The seam between an http MCP server (mcp.c, mcp_http.c) and its OAuth
 * client (oauth.c): the transport asks for the Authorization header of each
 * POST and hands over 401/403 challenges; the person's part goes to the
 * host's on_authorize.
 */
#include "mcp/mcp_int.h"

#include "mcp/oauth.h"

static void
hook_authorize(const char *url, void *ctx)
{
	struct mcp_server *s = ctx;
	if (s->ops.on_authorize)
		s->ops.on_authorize(s, url, s->ctx);
	else
		mcp_log(s, "warning", "%s needs authorization: run `deskhand mcp login %s`", s->name,
		        s->name);
}

int
mcp_auth_attach(struct mcp_server *s, const struct mcp_oauth_conf *conf)
{
	struct mcp_auth_spec spec = {
		.resource = s->url,
		.name = s->name,
		.state_dir = conf->state_dir,
		.client_id = conf->client_id,
		.client_secret = conf->client_secret,
		.client_metadata_url = conf->client_metadata_url,
		.scope = conf->scope,
		.redirect_uri = conf->redirect_uri,
		.authorize = s->ops.on_authorize || conf->fetch_authorize ? hook_authorize : NULL,
		.ctx = s,
		.fetch_authorize = conf->fetch_authorize,
	};
	struct mcp_auth *a;
	if (mcp_auth_new(&a, s->loop, s->http, &spec) < 0)
		return DH_EFAIL;
	s->auth = a;
	s->auth_header = mcp_auth_header;
	s->auth_challenge = mcp_auth_challenge;
	s->auth_forget = mcp_auth_forget;
	return 0;
}

void
mcp_auth_detach(struct mcp_server *s)
{
	mcp_auth_free(s->auth);
	s->auth = NULL;
	s->auth_header = NULL;
	s->auth_challenge = NULL;
	s->auth_forget = NULL;
}

int
mcp_auth_attached_redirect(struct mcp_server *s, const char *url)
{
	return mcp_auth_redirect(s->auth, url);
}
