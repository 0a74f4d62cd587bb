-- Sender-constrained tokens, DPoP (RFC 9449; DESIGN.md, "Sender-constrained tokens").

-- Proof `jti`s already accepted, at /token and on /api/v1: the primary key refuses a replay on
-- every instance at once (§11.1). A row is needed only while its proof's `iat` is inside the
-- accepted window; `expires_at` is the end of that window, and older rows are pruned.
CREATE TABLE dpop_proof_uses (
  jkt         text NOT NULL,
  jti         text NOT NULL,
  expires_at  timestamptz NOT NULL,
  PRIMARY KEY (jkt, jti)
);
CREATE INDEX dpop_proof_uses_expiry ON dpop_proof_uses (expires_at);

-- The key server-issued DPoP nonces (§8) are MACed with: one row, made by whichever instance
-- needs it first, so a nonce one instance hands out is good on all of them.
CREATE TABLE dpop_nonce_key (
  id      smallint PRIMARY KEY CHECK (id = 1),
  secret  bytea NOT NULL
);

-- Exchanges of these credentials are refused without a DPoP proof.
ALTER TABLE pats ADD COLUMN require_dpop boolean NOT NULL DEFAULT false;
ALTER TABLE trust_policies ADD COLUMN require_dpop boolean NOT NULL DEFAULT false;
