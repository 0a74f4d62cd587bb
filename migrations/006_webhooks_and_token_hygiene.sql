-- Webhook endpoints, their transactional outbox and delivery log; expiry notices sent;
-- per-PAT address allowlists and the last addresses a PAT was used from.

CREATE TABLE webhook_endpoints (
  id                    uuid PRIMARY KEY,
  url                   text NOT NULL,
  events                text[] NOT NULL,
  -- Kept as is: HMAC signing needs the key itself (README, "Webhooks"). Never sent back after creation.
  secret                text NOT NULL,
  description           text,
  created_at            timestamptz NOT NULL,
  created_by            uuid,
  disabled_at           timestamptz,
  disabled_reason       text,
  consecutive_failures  integer NOT NULL DEFAULT 0
);
CREATE INDEX webhook_endpoints_created ON webhook_endpoints (created_at DESC, id DESC);

-- One row per (event, endpoint subscribed when the change committed), written in the change's
-- own transaction. `event_id` is the Standard Webhooks `webhook-id`, the same on every retry.
CREATE TABLE webhook_outbox (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id         uuid NOT NULL,
  endpoint_id      uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  event_type       text NOT NULL,
  payload          jsonb NOT NULL,
  created_at       timestamptz NOT NULL,
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL,
  -- A worker's claim: no other instance takes the row before this time.
  locked_until     timestamptz,
  delivered_at     timestamptz,
  -- Gave up after the configured number of attempts.
  failed_at        timestamptz,
  UNIQUE (event_id, endpoint_id)
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at)
  WHERE delivered_at IS NULL AND failed_at IS NULL;

CREATE TABLE webhook_deliveries (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  endpoint_id   uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  event_id      uuid NOT NULL,
  event_type    text NOT NULL,
  attempt       integer NOT NULL,
  attempted_at  timestamptz NOT NULL,
  outcome       text NOT NULL CHECK (outcome IN ('delivered', 'failed')),
  status_code   integer,
  error         text,
  duration_ms   integer NOT NULL
);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id DESC);

-- Which expiry notices a PAT has had (`expiring:30`, `expiring:7`, `expiring:1`, `expired`):
-- the primary key makes each one go out once, however many instances sweep at once.
CREATE TABLE pat_expiry_notices (
  pat_id   uuid NOT NULL,
  notice   text NOT NULL,
  sent_at  timestamptz NOT NULL,
  PRIMARY KEY (pat_id, notice)
);

-- NULL: usable from anywhere.
ALTER TABLE pats ADD COLUMN allowed_cidrs text[];
-- The last 5 distinct client addresses, newest first: [{"ip": "...", "at": "..."}].
ALTER TABLE pats ADD COLUMN last_used_ips jsonb NOT NULL DEFAULT '[]'::jsonb;
