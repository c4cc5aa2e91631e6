#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A loopback OAuth 2.1 authorization server and protected resource for the
tests of src/mcp/oauth.c: Protected Resource Metadata (RFC 9728), metadata
(RFC 8414), dynamic registration (RFC 7591), an authorization endpoint that
redirects at once (code, state, iss), a token endpoint that checks PKCE
S256, and /mcp, which wants a bearer token it issued.

  oauth_server.py --config CONFIG.json --log LOG.jsonl --port-file FILE

CONFIG (all optional):
  prm_path          where PRM is served ("/.well-known/oauth-protected-resource/mcp")
  prm_resource      the resource it names (default: BASE/mcp)
  as_prefix         path of the issuer ("" or "/tenant1")
  metadata_path     where AS metadata is served (default: RFC 8414 for the issuer)
  metadata_issuer   the issuer it claims (default: the real one)
  iss               "correct" | "wrong" | "omit" | "normalized"
  iss_supported     true | false | null (omitted)
  scopes_supported  list for the AS metadata, or absent
  prm_scopes        list for the PRM, or absent
  dcr               true (default) | false
  auth_methods      token_endpoint_auth_methods_supported (default ["none"])
  reg_method        token_endpoint_auth_method answered by /register
  refresh           true: the token endpoint issues refresh tokens
  cimd              true: client_id_metadata_document_supported
  expires_in        the tokens' expires_in (default 3600; any JSON value)
Every request is logged as one JSON line: method, path, query, form, auth.
"""
import argparse
import base64
import hashlib
import json
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ap = argparse.ArgumentParser()
ap.add_argument("--config", required=True)
ap.add_argument("--log", required=True)
ap.add_argument("--port-file", required=True)
args = ap.parse_args()
with open(args.config) as f:
    CFG = json.load(f)

STATE = {"challenges": {}, "tokens": {}, "n": 0}


def base():
    return "http://127.0.0.1:%d" % SERVER.server_address[1]


def issuer():
    return base() + CFG.get("as_prefix", "")


def s256(v):
    return base64.urlsafe_b64encode(hashlib.sha256(v.encode()).digest()).rstrip(b"=").decode()


class H(BaseHTTPRequestHandler):
    # TCP_NODELAY: a response written in small pieces (an SSE event at a time)
    # goes out at once, not after the client's delayed ACK (~40 ms each).
    disable_nagle_algorithm = True
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, obj=None, headers=None):
        body = json.dumps(obj).encode() if obj is not None else b""
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if obj is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def record(self, form=None, body=None):
        u = urllib.parse.urlsplit(self.path)
        entry = {"method": self.command, "path": u.path,
                 "query": dict(urllib.parse.parse_qsl(u.query)),
                 "form": form or {}, "json": body,
                 "auth": self.headers.get("Authorization")}
        with open(args.log, "a") as f:
            f.write(json.dumps(entry) + "\n")
        return u, entry

    def mcp(self, msg):
        """A minimal MCP server (2025-11-25) with one read-only tool."""
        method = (msg or {}).get("method", "")
        rid = (msg or {}).get("id")
        if rid is None:
            return self.reply(202)
        results = {
            "initialize": {"protocolVersion": "2025-11-25", "capabilities": {"tools": {}},
                           "serverInfo": {"name": "secure", "version": "1"}},
            "tools/list": {"tools": [{"name": "whoami", "description": "Who the caller is",
                                      "inputSchema": {"type": "object"},
                                      "annotations": {"readOnlyHint": True}}]},
            "tools/call": {"content": [{"type": "text", "text": "you are authorized"}]},
            "ping": {},
        }
        if method not in results:
            return self.reply(200, {"jsonrpc": "2.0", "id": rid,
                                    "error": {"code": -32601, "message": "no " + method}})
        return self.reply(200, {"jsonrpc": "2.0", "id": rid, "result": results[method]})

    def do_GET(self):
        u, _ = self.record()
        prm_path = CFG.get("prm_path", "/.well-known/oauth-protected-resource/mcp")
        as_prefix = CFG.get("as_prefix", "")
        md_path = CFG.get("metadata_path",
                          "/.well-known/oauth-authorization-server" + as_prefix)
        if u.path == prm_path:
            prm = {"resource": CFG.get("prm_resource", base() + "/mcp"),
                   "authorization_servers": [issuer()]}
            if "prm_scopes" in CFG:
                prm["scopes_supported"] = CFG["prm_scopes"]
            return self.reply(200, prm)
        if u.path == md_path:
            md = {"issuer": CFG.get("metadata_issuer", issuer()),
                  "authorization_endpoint": issuer() + "/authorize",
                  "token_endpoint": issuer() + "/token",
                  "response_types_supported": ["code"],
                  "code_challenge_methods_supported": ["S256"],
                  "token_endpoint_auth_methods_supported": CFG.get("auth_methods", ["none"])}
            if CFG.get("dcr", True):
                md["registration_endpoint"] = issuer() + "/register"
            if CFG.get("iss_supported", True) is not None:
                md["authorization_response_iss_parameter_supported"] = CFG.get("iss_supported", True)
            if "scopes_supported" in CFG:
                md["scopes_supported"] = CFG["scopes_supported"]
            if CFG.get("cimd"):
                md["client_id_metadata_document_supported"] = True
            return self.reply(200, md)
        if u.path == as_prefix + "/authorize":
            q = dict(urllib.parse.parse_qsl(u.query))
            STATE["n"] += 1
            code = "code-%d" % STATE["n"]
            STATE["challenges"][code] = (q.get("code_challenge"), q.get("scope", ""))
            loc = urllib.parse.urlsplit(q["redirect_uri"])
            params = {"code": code, "state": q.get("state", "")}
            mode = CFG.get("iss", "correct")
            if mode == "correct":
                params["iss"] = issuer()
            elif mode == "wrong":
                params["iss"] = "https://evil.example.com"
            elif mode == "normalized":
                params["iss"] = issuer() + "/"
            target = urllib.parse.urlunsplit(
                (loc.scheme, loc.netloc, loc.path, urllib.parse.urlencode(params), ""))
            return self.reply(302, None, {"Location": target})
        if u.path == "/mcp":
            return self.reply(405, {"error": "no GET stream"})
        return self.reply(404, {"error": "not_found"})

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n).decode()
        ctype = self.headers.get("Content-Type", "")
        form = dict(urllib.parse.parse_qsl(raw)) if "urlencoded" in ctype else None
        body = json.loads(raw) if "json" in ctype and raw else None
        u, _ = self.record(form, body)
        as_prefix = CFG.get("as_prefix", "")
        if u.path == as_prefix + "/register":
            out = {"client_id": "client-%d" % time.time_ns(),
                   "redirect_uris": body.get("redirect_uris", [])}
            m = CFG.get("reg_method")
            if m:
                out["token_endpoint_auth_method"] = m
                if m != "none":
                    out["client_secret"] = "secret-abc"
            return self.reply(201, out)
        if u.path == as_prefix + "/token":
            gt = form.get("grant_type")
            if gt == "authorization_code":
                ch = STATE["challenges"].pop(form.get("code"), None)
                if not ch or s256(form.get("code_verifier", "")) != ch[0]:
                    return self.reply(400, {"error": "invalid_grant",
                                            "error_description": "PKCE verifier mismatch"})
                scope = ch[1]
            elif gt == "refresh_token":
                if not form.get("refresh_token", "").startswith("refresh-"):
                    return self.reply(400, {"error": "invalid_grant"})
                scope = ""
            else:
                return self.reply(400, {"error": "unsupported_grant_type"})
            STATE["n"] += 1
            tok = "access-%d-%d" % (STATE["n"], time.time_ns())
            STATE["tokens"][tok] = scope
            out = {"access_token": tok, "token_type": "Bearer",
                   "expires_in": CFG.get("expires_in", 3600)}
            if scope:
                out["scope"] = scope
            if CFG.get("refresh"):
                out["refresh_token"] = "refresh-%d" % STATE["n"]
            return self.reply(200, out)
        if u.path == "/mcp":
            a = self.headers.get("Authorization", "")
            if not a.startswith("Bearer ") or a[7:] not in STATE["tokens"]:
                rm = base() + CFG.get("prm_path", "/.well-known/oauth-protected-resource/mcp")
                return self.reply(401, {"error": "invalid_token"},
                                  {"WWW-Authenticate": 'Bearer resource_metadata="%s"' % rm})
            return self.mcp(body)
        return self.reply(404, {"error": "not_found"})


SERVER = ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(SERVER.server_address[1]))
import os  # noqa: E402
os.rename(args.port_file + ".tmp", args.port_file)
try:
    SERVER.serve_forever()
except KeyboardInterrupt:
    sys.exit(0)
