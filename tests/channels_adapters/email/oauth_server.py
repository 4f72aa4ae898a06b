"""A local OAuth2 authorisation server on 127.0.0.1, as Google's and Microsoft's behave for the code flow with
PKCE: /authorize (the admin consents at once), /token (code and refresh grants, S256 checked), and
/introspect (RFC 7662, what Dovecot's oauth2 passdb and the fake SMTP server ask about a bearer token)."""
import base64
import hashlib
import json
import secrets
import threading
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

from ...fake_http import LocalHTTPServer, QuietHandler

CLIENT_ID = "omnidesk-test-client"
CLIENT_SECRET = "omnidesk-test-client-secret"


@dataclass
class Grant:
    user: str
    refresh_token: str
    revoked: bool = False


@dataclass
class OAuthState:
    codes: dict = field(default_factory=dict)  # code -> (challenge, redirect_uri, user)
    access_tokens: dict = field(default_factory=dict)  # token -> Grant
    grants: dict = field(default_factory=dict)  # refresh token -> Grant
    token_requests: list = field(default_factory=list)
    lifetime: int = 3600


def _challenge(verifier):
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class FakeOAuthServer(LocalHTTPServer):
    def __init__(self, user):
        self.user = user  # who consents on /authorize
        self.state = OAuthState()
        self._lock = threading.Lock()
        fake = self

        class Handler(QuietHandler):
            def _answer(self, status, body, headers=None):
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self):
                url = urlsplit(self.path)
                query = {key: values[0] for key, values in parse_qs(url.query).items()}
                if url.path != "/authorize":
                    return self._answer(404, {})
                status, location = fake.authorize(query)
                self.send_response(status)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()}
                if self.path == "/token":
                    return self._answer(*fake.token(form))
                if self.path == "/introspect":
                    return self._answer(200, fake.introspect(form.get("token", "")))
                return self._answer(404, {})

        super().__init__(Handler)

    # --- the provider's behaviour --------------------------------------------
    def authorize(self, query):
        if (query.get("client_id") != CLIENT_ID or query.get("response_type") != "code"
                or query.get("code_challenge_method") != "S256" or not query.get("code_challenge")):
            return 400, ""
        code = secrets.token_urlsafe(16)
        with self._lock:
            self.state.codes[code] = (query["code_challenge"], query["redirect_uri"], self.user)
        return 302, f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}"

    def _issue(self, grant):
        token = secrets.token_urlsafe(24)
        self.state.access_tokens[token] = grant
        return {"access_token": token, "token_type": "Bearer", "expires_in": self.state.lifetime,
                "refresh_token": grant.refresh_token, "scope": "mail"}

    def token(self, form):
        with self._lock:
            self.state.token_requests.append(form)
            if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
                return 401, {"error": "invalid_client"}
            if form.get("grant_type") == "authorization_code":
                challenge, redirect_uri, user = self.state.codes.pop(form.get("code", ""), (None, None, None))
                if challenge is None or redirect_uri != form.get("redirect_uri"):
                    return 400, {"error": "invalid_grant", "error_description": "unknown or used code"}
                if _challenge(form.get("code_verifier", "")) != challenge:
                    return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
                grant = Grant(user=user, refresh_token=secrets.token_urlsafe(24))
                self.state.grants[grant.refresh_token] = grant
                return 200, self._issue(grant)
            if form.get("grant_type") == "refresh_token":
                grant = self.state.grants.get(form.get("refresh_token", ""))
                if grant is None or grant.revoked:
                    return 400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
                return 200, self._issue(grant)
            return 400, {"error": "unsupported_grant_type"}

    def introspect(self, token):
        with self._lock:
            grant = self.state.access_tokens.get(token)
        if grant is None or grant.revoked:
            return {"active": False}
        return {"active": True, "username": grant.user, "email": grant.user}

    def token_is_valid(self, user, token):
        answer = self.introspect(token)
        return answer["active"] and answer["username"] == user

    def revoke_all(self):
        """The user removed our app's access (or an admin did): every token and refresh token stops working."""
        with self._lock:
            for grant in self.state.grants.values():
                grant.revoked = True
