"""Check a request's Tessera JWT and, when the JWT is DPoP-bound, its proof (RFC 9449 §4.3, §7.1).
PyJWT 2 with `cryptography` (Debian: python3-jwt). Raises a jwt.PyJWTError: answer 401.

    jwks = jwt.PyJWKClient(JWKS_URI)   # Tessera's jwks_uri, from its discovery document
    claims = verify_request("GET", "https://api.example.com/repos", request_headers,
                            issuer=ISSUER, audience="https://api.example.com", jwks_client=jwks)
"""
import base64
import hashlib
import json
import time
import urllib.parse

import jwt

TOKEN_ALGS = ["ES256", "EdDSA", "RS256"]  # Tessera's signing algorithms; never HS* or none
PROOF_ALGS = ["ES256", "ES384", "EdDSA", "RS256", "PS256"]  # asymmetric only (§4.2)
PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}
THUMBPRINT_MEMBERS = {"EC": ("crv", "kty", "x", "y"), "RSA": ("e", "kty", "n"),
                      "OKP": ("crv", "kty", "x")}
SEEN = {}  # "jkt:jti" -> until when; per process: share one store (e.g. Redis) between replicas


def b64_sha256(data):
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def thumbprint(jwk):
    """RFC 7638: SHA-256 of the required members, sorted, no whitespace."""
    members = {name: jwk[name] for name in THUMBPRINT_MEMBERS[jwk["kty"]]}
    return b64_sha256(json.dumps(members, separators=(",", ":"), sort_keys=True).encode())


def without_query(url):
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, "", ""))


def check_proof(proof, token, method, url, jkt, skew=60):
    header = jwt.get_unverified_header(proof)
    jwk = header.get("jwk")
    if header.get("typ") != "dpop+jwt" or header.get("alg") not in PROOF_ALGS:
        raise jwt.InvalidTokenError("DPoP proof: wrong typ or alg")
    if not isinstance(jwk, dict) or PRIVATE_MEMBERS & jwk.keys():
        raise jwt.InvalidTokenError("DPoP proof: no public jwk")
    key = jwt.PyJWK(jwk, header["alg"]).key  # the proof must verify with its own header key
    claims = jwt.decode(proof, key, algorithms=[header["alg"]],
                        options={"require": ["jti", "iat", "htm", "htu"], "verify_iat": False})
    if not isinstance(claims["htu"], str) or not isinstance(claims["iat"], (int, float)):
        raise jwt.InvalidTokenError("DPoP proof: malformed htu or iat")
    if claims["htm"] != method.upper() or without_query(claims["htu"]) != without_query(url):
        raise jwt.InvalidTokenError("DPoP proof: made for another request")
    if abs(time.time() - claims["iat"]) > skew:
        raise jwt.InvalidTokenError("DPoP proof: iat outside the window")
    if claims.get("ath") != b64_sha256(token.encode()):
        raise jwt.InvalidTokenError("DPoP proof: made for another token (ath)")
    if thumbprint(jwk) != jkt:
        raise jwt.InvalidTokenError("DPoP proof: signed by a key the token is not bound to")
    now, seen = time.time(), f"{jkt}:{claims['jti']}"
    for old in [k for k, until in SEEN.items() if until < now]:
        del SEEN[old]
    if seen in SEEN:
        raise jwt.InvalidTokenError("DPoP proof: replayed")
    SEEN[seen] = claims["iat"] + skew


def verify_request(method, url, headers, *, issuer, audience, jwks_client, accept_delegated=False):
    """`url` is the URL the client called (your public origin and path), not one built from Host."""
    headers = {name.lower(): value for name, value in headers.items()}
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() not in ("bearer", "dpop") or not token:
        raise jwt.InvalidTokenError("no Bearer or DPoP credentials")
    if jwt.get_unverified_header(token).get("typ") != "at+jwt":
        raise jwt.InvalidTokenError("not a JWT access token (typ)")
    key = jwks_client.get_signing_key_from_jwt(token).key
    claims = jwt.decode(token, key, algorithms=TOKEN_ALGS, audience=audience, issuer=issuer,
                        leeway=30, options={"require": ["iss", "aud", "exp", "iat", "sub", "jti"]})
    if "act" in claims and not accept_delegated:
        raise jwt.InvalidTokenError("delegated token (act): accept it only on purpose")
    jkt = (claims.get("cnf") or {}).get("jkt")
    if scheme.lower() == "bearer":
        if jkt:
            raise jwt.InvalidTokenError("a DPoP-bound token sent as Bearer")
        return claims
    if not jkt:
        raise jwt.InvalidTokenError("the token is not DPoP-bound")
    check_proof(headers.get("dpop", ""), token, method, url, jkt)
    return claims
