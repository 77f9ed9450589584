-- A one-letter kind, a hyphen, and the MAC's bytes 2–9 in hex (64 bits: collisions are
-- negligible even among millions of rows).
CREATE OR REPLACE FUNCTION export_pseudonym(kind text, mac bytea) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN kind || '-' || encode(substr(mac, 2, 8), 'hex');
