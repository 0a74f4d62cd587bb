-- A PAT's trail is read newest first by time: exchange rows are written in batches, so their
-- ids can be later than those of lifecycle rows that happened after them.
CREATE INDEX audit_events_pat_time ON audit_events (pat_id, occurred_at DESC, id DESC) WHERE pat_id IS NOT NULL;
DROP INDEX audit_events_pat;
