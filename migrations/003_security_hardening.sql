-- Why each PAT was revoked, so that who may restore it is decided by a kind, not by parsing
-- free text (DESIGN.md "Who may undo a revocation"). Rows revoked before this migration get
-- the kind their recorded reason implies.
ALTER TABLE pats ADD COLUMN revocation_kind text
  CHECK (revocation_kind IN ('owner', 'admin', 'leak', 'inactivity', 'rotation', 'user_deleted'));

UPDATE pats SET revocation_kind = CASE
    WHEN revoked_reason = 'rotated' THEN 'rotation'
    WHEN revoked_reason = 'reported leaked' THEN 'leak'
    WHEN revoked_reason = 'user deleted' THEN 'user_deleted'
    WHEN revoked_reason LIKE 'inactive%' THEN 'inactivity'
    WHEN revoked_reason = 'revoked by admin' OR revoked_reason LIKE 'admin: %' THEN 'admin'
    ELSE 'owner'
  END
  WHERE revoked_at IS NOT NULL;

-- Failed credential presentations per client address, in one-minute windows, shared by every
-- instance on this database (DESIGN.md: the failed-credential limit's counters are shared).
-- One row per address; stale rows are swept by the instances.
CREATE TABLE failed_credentials (
  address      text PRIMARY KEY,
  window_start timestamptz NOT NULL,
  failures     integer NOT NULL
);
CREATE INDEX failed_credentials_window ON failed_credentials (window_start);
