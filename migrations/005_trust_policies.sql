-- Federated subject tokens (DESIGN.md, "Federated subject tokens"): trust policies, the jti
-- ledger of single-use policies, and the audit columns of federated exchanges.

CREATE TABLE trust_policies (
  id               uuid PRIMARY KEY,
  name             text NOT NULL,
  -- The external issuer, exactly as its tokens' `iss` says it.
  issuer           text NOT NULL,
  -- What the external token's `aud` must contain.
  audience         text NOT NULL,
  -- Exact value or pattern (`*` = any run of characters); NULL when claims alone decide.
  subject          text,
  -- Claim name -> list of exact values or patterns; every claim must match one of its values.
  claims           jsonb NOT NULL DEFAULT '{}',
  user_id          uuid NOT NULL REFERENCES users (id),
  scopes           text[] NOT NULL,
  audiences        text[] NOT NULL,
  max_ttl_seconds  integer NOT NULL CHECK (max_ttl_seconds > 0),
  single_use       boolean NOT NULL DEFAULT false,
  created_at       timestamptz NOT NULL,
  created_by       uuid REFERENCES users (id),
  updated_at       timestamptz NOT NULL
);
CREATE UNIQUE INDEX trust_policies_name ON trust_policies (name);
CREATE INDEX trust_policies_issuer ON trust_policies (issuer);
CREATE INDEX trust_policies_created ON trust_policies (created_at DESC, id DESC);

-- Tokens of single-use policies already exchanged: the primary key refuses a replay on every
-- instance at once. A row is kept until the token expires (then no replay can pass `exp`).
CREATE TABLE federated_token_uses (
  issuer      text NOT NULL,
  jti         text NOT NULL,
  expires_at  timestamptz NOT NULL,
  PRIMARY KEY (issuer, jti)
);
CREATE INDEX federated_token_uses_expiry ON federated_token_uses (expires_at);

ALTER TABLE audit_events
  ADD COLUMN federated        boolean NOT NULL DEFAULT false,
  -- No foreign key: a policy's history outlives the policy.
  ADD COLUMN trust_policy_id  uuid,
  ADD COLUMN external_iss     text,
  ADD COLUMN external_sub     text,
  ADD COLUMN external_jti     text,
  ADD COLUMN matched_claims   jsonb;
CREATE INDEX audit_events_trust_policy ON audit_events (trust_policy_id, occurred_at DESC, id DESC)
  WHERE trust_policy_id IS NOT NULL;
