#!/usr/bin/env python3
"""Verify a Tessera JWT access token with PyJWT: the README's Python recipe, run by
scripts/verify-packed.sh against a real Tessera.

    usage: verify_tessera_jwt.py ISSUER AUDIENCE TOKEN [SCOPE...]
"""
import json
import sys
import urllib.parse
import urllib.request

import jwt  # PyJWT 2.x (Debian: python3-jwt), with `cryptography` for ES256/EdDSA/RS256


def discover_jwks_uri(issuer):
    """jwks_uri from the issuer's RFC 8414 metadata, only if it names this issuer and its origin."""
    with urllib.request.urlopen(f"{issuer}/.well-known/oauth-authorization-server", timeout=10) as response:
        metadata = json.load(response)
    if metadata.get("issuer") != issuer:
        raise jwt.InvalidIssuerError("discovery document names another issuer")
    jwks_uri = metadata["jwks_uri"]
    if urllib.parse.urlsplit(jwks_uri)[:2] != urllib.parse.urlsplit(issuer)[:2]:
        raise jwt.InvalidTokenError("jwks_uri is not on the issuer's origin")
    return jwks_uri


def verify(token, issuer, audience, jwks_client, required_scopes=()):
    """The checks of RFC 9068 §4; raises a jwt.InvalidTokenError (401) or PermissionError (403)."""
    if jwt.get_unverified_header(token).get("typ") != "at+jwt":
        raise jwt.InvalidTokenError("not a JWT access token (typ)")
    key = jwks_client.get_signing_key_from_jwt(token)
    claims = jwt.decode(
        token,
        key.key,
        algorithms=["ES256", "EdDSA", "RS256"],  # never HS* or none
        audience=audience,
        issuer=issuer,
        leeway=30,
        options={"require": ["iss", "aud", "exp", "iat", "sub", "jti"]},
    )
    missing = set(required_scopes) - set(claims.get("scope", "").split())
    if missing:
        raise PermissionError(f"missing scope: {' '.join(sorted(missing))}")
    return claims


def main():
    issuer, audience, token, *scopes = sys.argv[1:]
    jwks_client = jwt.PyJWKClient(discover_jwks_uri(issuer))
    claims = verify(token, issuer, audience, jwks_client, scopes)
    # A copy with another signature must be refused.
    head, payload, signature = token.split(".")
    tampered = ".".join([head, payload, ("A" if signature[0] != "A" else "B") + signature[1:]])
    try:
        verify(tampered, issuer, audience, jwks_client)
    except jwt.InvalidTokenError:
        pass
    else:
        sys.exit("verify_tessera_jwt: a tampered token verified")
    print(f"verify_tessera_jwt: PyJWT {jwt.__version__} accepted sub={claims['sub']} "
          f"pat_id={claims.get('pat_id')}, refused a tampered copy")


if __name__ == "__main__":
    main()
