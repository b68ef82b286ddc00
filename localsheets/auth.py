"""OAuth 2.0 for service accounts: the JWT-bearer token endpoint and bearer checks.

google-auth signs a JWT (RS256) with the service account's private key and posts
it to ``token_uri``; the server answers an access token, later sent as
``Authorization: Bearer``. With trusted service accounts, a grant must be signed
by the key of the account named in ``iss`` (401 ``invalid_grant`` otherwise);
without them any well-formed, unexpired grant is accepted. Self-signed JWTs sent
directly as bearer tokens (google-auth's scope-less mode) are checked the same way.
Tokens are kept in memory only; after a restart clients simply refresh.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .errors import unauthenticated

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
TOKEN_LIFETIME = 3600
CLOCK_SKEW = 300


class GrantError(Exception):
    """A rejected token request: HTTP status and OAuth error body."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.body = {"error": error, "error_description": description}


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


@dataclass(frozen=True)
class Jwt:
    header: dict[str, Any]
    claims: dict[str, Any]
    signing_input: bytes
    signature: bytes


def parse_jwt(token: str) -> Jwt:
    """Split and decode a compact JWS; raises ValueError when it is not one."""
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("not a JWT")
    header = json.loads(_b64decode(parts[0]))
    claims = json.loads(_b64decode(parts[1]))
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise ValueError("not a JWT")
    return Jwt(header, claims, f"{parts[0]}.{parts[1]}".encode(), _b64decode(parts[2]))


def public_key_of(info: dict[str, Any]) -> rsa.RSAPublicKey:
    """The RSA public key of a service-account JSON (from private_key or public_key)."""
    if "private_key" in info:
        private = serialization.load_pem_private_key(info["private_key"].encode(), None)
        if not isinstance(private, rsa.RSAPrivateKey):
            raise ValueError("service account key is not RSA")
        return private.public_key()
    public = serialization.load_pem_public_key(info["public_key"].encode())
    if not isinstance(public, rsa.RSAPublicKey):
        raise ValueError("service account key is not RSA")
    return public


def load_trusted(paths: Iterable[str | Path]) -> dict[str, list[rsa.RSAPublicKey]]:
    """client_email -> public keys, from service-account JSON files."""
    trusted: dict[str, list[rsa.RSAPublicKey]] = {}
    for path in paths:
        info = json.loads(Path(path).read_text(encoding="utf-8"))
        trusted.setdefault(info["client_email"], []).append(public_key_of(info))
    return trusted


def verify_signature(jwt: Jwt, keys: list[rsa.RSAPublicKey]) -> bool:
    if jwt.header.get("alg") != "RS256":
        return False
    for key in keys:
        try:
            key.verify(jwt.signature, jwt.signing_input, padding.PKCS1v15(), hashes.SHA256())
            return True
        except InvalidSignature:
            continue
    return False


@dataclass(frozen=True)
class Grant:
    email: str
    expires_at: float


class TokenAuthority:
    """Issues access tokens for JWT grants and maps bearer tokens back to accounts."""

    def __init__(
        self,
        trusted: dict[str, list[rsa.RSAPublicKey]] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.trusted = trusted or {}
        self.clock = clock
        self._tokens: dict[str, Grant] = {}
        self._lock = threading.Lock()

    def _check_jwt(self, jwt: Jwt, status: int) -> str:
        email = jwt.claims.get("iss")
        if not isinstance(email, str) or not email:
            raise GrantError(400, "invalid_grant", "Invalid JWT: iss claim missing.")
        exp = jwt.claims.get("exp")
        if not isinstance(exp, int | float) or exp + CLOCK_SKEW < self.clock():
            raise GrantError(
                400,
                "invalid_grant",
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
                "reasonable timeframe. Check your iat and exp values in the JWT claim.",
            )
        if self.trusted and not verify_signature(jwt, self.trusted.get(email, [])):
            raise GrantError(status, "invalid_grant", "Invalid JWT Signature.")
        return email

    def grant(self, form: dict[str, str]) -> dict[str, Any]:
        """Answer a token request (form fields already decoded)."""
        grant_type = form.get("grant_type", "")
        if grant_type != JWT_GRANT:
            raise GrantError(400, "unsupported_grant_type", f"Invalid grant_type: {grant_type}")
        try:
            jwt = parse_jwt(form.get("assertion", ""))
        except ValueError:
            raise GrantError(400, "invalid_grant", "Invalid JWT: malformed assertion.") from None
        email = self._check_jwt(jwt, 401)
        return {
            "access_token": self.issue(email),
            "expires_in": TOKEN_LIFETIME - 1,
            "token_type": "Bearer",
        }

    def issue(self, email: str) -> str:
        token = "ya29.local-" + secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = Grant(email, self.clock() + TOKEN_LIFETIME)
        return token

    def user_for(self, authorization: str | None) -> str:
        """The account behind an Authorization header; raises the 401 ApiError."""
        if not authorization or not authorization.lower().startswith("bearer "):
            raise unauthenticated(missing=True)
        token = authorization[7:].strip()
        with self._lock:
            grant = self._tokens.get(token)
        if grant is not None:
            if grant.expires_at < self.clock():
                raise unauthenticated(missing=False)
            return grant.email
        try:
            return self._check_jwt(parse_jwt(token), 401)
        except (ValueError, GrantError):
            raise unauthenticated(missing=False) from None


def service_account_info(
    base_url: str,
    email: str = "localsheets@localsheets.iam.gserviceaccount.com",
    project_id: str = "localsheets",
    key_size: int = 2048,
) -> dict[str, str]:
    """A fresh service-account JSON whose token_uri is this server's ``/token``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    base = base_url.rstrip("/")
    return {
        "type": "service_account",
        "project_id": project_id,
        "private_key_id": secrets.token_hex(20),
        "private_key": pem,
        "client_email": email,
        "client_id": str(secrets.randbelow(10**20)),
        "auth_uri": f"{base}/auth",
        "token_uri": f"{base}/token",
        "auth_provider_x509_cert_url": f"{base}/certs",
        "client_x509_cert_url": f"{base}/certs/{email}",
        "universe_domain": "googleapis.com",
    }
