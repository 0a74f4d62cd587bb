-- Per-address request counters of the unauthenticated console routes (/console/sign-in,
-- /console/sso, /console/callback), shared by all instances like failed_credentials (003):
-- one row per route and address, reset when its one-minute window ends.
CREATE TABLE address_limits (
  route text NOT NULL,
  address text NOT NULL,
  window_start timestamptz NOT NULL,
  hits integer NOT NULL,
  PRIMARY KEY (route, address)
);
CREATE INDEX address_limits_window ON address_limits (window_start);

-- Pending SSO sign-ins remember the address that started them, so each address holds a few.
ALTER TABLE console_sign_ins ADD COLUMN address text;
CREATE INDEX console_sign_ins_address ON console_sign_ins (address, created_at);
