-- Federated refusals for admins (DESIGN.md, "Federated refusals for admins") and email notices
-- to token owners (DESIGN.md, "Notifications to people (email)").

-- Refused federated exchanges, aggregated: identical refusals (same issuer, reason, closest
-- policy and differing claim) within one minute are one row with a count. `/token` is
-- unauthenticated, so a row per request would let a flood write without bound; here the key
-- space is bounded by what admins configured (issuers that have policies, their policies and
-- claims) times the closed list of reasons, per minute. The sample columns hold the latest
-- refused token's iss/sub/aud/jti (never the token itself).
CREATE TABLE federation_refusals (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  issuer             text NOT NULL,
  reason             text NOT NULL,
  minute             timestamptz NOT NULL,
  -- No foreign key: the trail outlives the policy.
  closest_policy_id  uuid,
  claim              text,
  expected           text,
  got                text,
  external_sub       text,
  external_aud       text,
  external_jti       text,
  first_at           timestamptz NOT NULL,
  last_at            timestamptz NOT NULL,
  count              integer NOT NULL DEFAULT 1,
  CONSTRAINT federation_refusals_bucket UNIQUE NULLS NOT DISTINCT (issuer, reason, minute, closest_policy_id, claim)
);
CREATE INDEX federation_refusals_issuer ON federation_refusals (issuer, id DESC);

-- Where a user's notices go; NULL: none are sent.
ALTER TABLE users ADD COLUMN email text;

-- Email notices, written by the change's own transaction like webhook_outbox rows and
-- delivered at least once by a worker on any instance (claim with a lease, retry with backoff).
-- The payload names the token and its owner; it never holds a secret.
CREATE TABLE email_outbox (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id         uuid NOT NULL UNIQUE,
  kind             text NOT NULL,
  recipient        text NOT NULL,
  payload          jsonb NOT NULL,
  created_at       timestamptz NOT NULL,
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL,
  locked_until     timestamptz,
  delivered_at     timestamptz,
  failed_at        timestamptz,
  last_error       text
);
CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at)
  WHERE delivered_at IS NULL AND failed_at IS NULL;
