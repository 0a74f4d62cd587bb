-- Delegation (RFC 8693 §1.1, §4.1, §4.4): who may act with a PAT, and who acted in each exchange.

-- [{"user_id": "<uuid>", "scopes": [...]?} | {"trust_policy_id": "<uuid>", "scopes": [...]?}, ...];
-- NULL: nobody may act with this PAT.
ALTER TABLE pats ADD COLUMN may_act jsonb;

-- The `act` claim of the exchange (current actor first, earlier ones nested), or what was known
-- of the actor when it was refused.
ALTER TABLE audit_events ADD COLUMN actor_chain jsonb;
-- The actor's PAT, so an exchange appears on the actor's trail as well as the subject's.
ALTER TABLE audit_events ADD COLUMN actor_pat_id uuid;
CREATE INDEX audit_events_actor_pat ON audit_events (actor_pat_id, id DESC) WHERE actor_pat_id IS NOT NULL;
