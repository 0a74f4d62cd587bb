-- Users, their personal access tokens (hashes only) and the append-only audit trail.

CREATE TABLE users (
  id            uuid PRIMARY KEY,
  username      text NOT NULL,
  -- The scopes this user's PATs may carry (tessera:admin makes an administrator).
  entitlements  text[] NOT NULL DEFAULT '{}',
  -- Service accounts: only administrators create their tokens.
  service       boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL,
  disabled_at   timestamptz,
  -- Deleted users are kept (soft delete) so that audit history still names them.
  deleted_at    timestamptz
);
CREATE UNIQUE INDEX users_username_live ON users (lower(username)) WHERE deleted_at IS NULL;
CREATE INDEX users_created ON users (created_at DESC, id DESC);

CREATE TABLE pats (
  id              uuid PRIMARY KEY,
  user_id         uuid NOT NULL REFERENCES users (id),
  name            text NOT NULL,
  -- SHA-256 of the whole token. The token itself is never stored.
  token_hash      bytea NOT NULL,
  -- Prefix plus the first four characters of the secret part, for people to recognise it.
  hint            text NOT NULL,
  scopes          text[] NOT NULL,
  created_at      timestamptz NOT NULL,
  created_by      uuid REFERENCES users (id),
  expires_at      timestamptz,
  last_used_at    timestamptz,
  last_used_ip    text,
  revoked_at      timestamptz,
  revoked_by      uuid REFERENCES users (id),
  revoked_reason  text,
  rotated_from    uuid REFERENCES pats (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX pats_token_hash ON pats (token_hash);
CREATE INDEX pats_user_created ON pats (user_id, created_at DESC, id DESC);
CREATE INDEX pats_created ON pats (created_at DESC, id DESC);

CREATE TABLE audit_events (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  occurred_at      timestamptz NOT NULL,
  action           text NOT NULL,
  outcome          text NOT NULL CHECK (outcome IN ('success', 'failure')),
  actor_user_id    uuid,
  subject_user_id  uuid,
  -- No foreign key: a PAT's history outlives the PAT.
  pat_id           uuid,
  ip               text,
  user_agent       text,
  client_id        text,
  audience         text,
  scope            text,
  jti              text,
  reason           text
);
CREATE INDEX audit_events_pat ON audit_events (pat_id, id DESC) WHERE pat_id IS NOT NULL;
CREATE INDEX audit_events_occurred ON audit_events (occurred_at);
