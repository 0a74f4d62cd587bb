-- The render-once banner behind POST -> 303 -> GET (issue 18): a new PAT's secret waits here
-- for the one page that shows it, at most 10 minutes, sealed with AES-256-GCM under a key
-- derived from the session's cookie secret (which only the browser holds; the database has its
-- hash). Read once: the row is deleted as it is read.
CREATE TABLE console_token_reveals (
  id          uuid PRIMARY KEY,
  session_id  uuid NOT NULL REFERENCES console_sessions (id) ON DELETE CASCADE,
  pat_id      uuid NOT NULL,
  back        text NOT NULL,
  sealed      bytea NOT NULL,
  expires_at  timestamptz NOT NULL
);
CREATE INDEX console_token_reveals_expiry ON console_token_reveals (expires_at);
