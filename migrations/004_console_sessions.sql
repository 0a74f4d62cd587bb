-- The web console: sign-in sessions, pending SSO sign-ins, and users linked to an upstream IdP.

CREATE TABLE console_sessions (
  id                   uuid PRIMARY KEY,
  -- SHA-256 of the cookie's secret. The secret itself is never stored.
  secret_hash          bytea NOT NULL,
  user_id              uuid NOT NULL REFERENCES users (id),
  kind                 text NOT NULL CHECK (kind IN ('sso', 'token')),
  -- The PAT a 'token' session was opened with: the session ends when that PAT stops being usable.
  -- No foreign key: a deleted PAT simply ends the session.
  pat_id               uuid,
  -- The ceiling of what this session may do and mint (within the user's current entitlements).
  scopes               text[] NOT NULL,
  created_at           timestamptz NOT NULL,
  last_seen_at         timestamptz NOT NULL,
  absolute_expires_at  timestamptz NOT NULL,
  ended_at             timestamptz,
  end_reason           text,
  ip                   text,
  user_agent           text,
  CHECK (kind = 'sso' OR pat_id IS NOT NULL)
);
CREATE UNIQUE INDEX console_sessions_secret ON console_sessions (secret_hash);
CREATE INDEX console_sessions_user ON console_sessions (user_id, created_at DESC) WHERE ended_at IS NULL;

-- An SSO sign-in between the redirect to the IdP and the callback; consumed once.
CREATE TABLE console_sign_ins (
  -- SHA-256 of the `state` value; the browser holds the state in a cookie too.
  state_hash     bytea PRIMARY KEY,
  code_verifier  text NOT NULL,
  nonce          text NOT NULL,
  return_to      text NOT NULL,
  created_at     timestamptz NOT NULL,
  consumed_at    timestamptz
);
CREATE INDEX console_sign_ins_created ON console_sign_ins (created_at);

-- Users created by SSO, linked by the IdP's (iss, sub): never by a username or email it sends.
CREATE TABLE user_identities (
  issuer      text NOT NULL,
  subject     text NOT NULL,
  user_id     uuid NOT NULL REFERENCES users (id),
  created_at  timestamptz NOT NULL,
  PRIMARY KEY (issuer, subject)
);
