-- The DPoP key an exchange was bound to (RFC 9449 §6.1 `cnf.jkt`, an RFC 7638 thumbprint), on
-- its audit row: the owner of a PAT, and the actor's, can see which key holds each JWT.
ALTER TABLE audit_events ADD COLUMN dpop_jkt text;
