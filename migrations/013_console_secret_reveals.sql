-- The render-once page also shows a new webhook endpoint's signing secret (issue 22): a slot
-- now says what it holds, so a PAT's slot is never taken by the webhook page nor the other way.
ALTER TABLE console_token_reveals RENAME COLUMN pat_id TO subject_id;
ALTER TABLE console_token_reveals ADD COLUMN kind text NOT NULL DEFAULT 'pat'
  CHECK (kind IN ('pat', 'webhook'));
