-- The export's keyed pseudonyms, as the planner can inline them: `convert_to` is STABLE, so an
-- IMMUTABLE function calling it ran as a separate SQL-function call for every course; the labels
-- are short ASCII constants of the code (no backslash), whose bytes `::bytea` gives unchanged.
-- `export_shift` names its argument once, so the inlined MAC is computed once, not four times.
-- Same values as before (the export tests compare them with the application's own).
CREATE OR REPLACE FUNCTION export_mac(inner_pad bytea, outer_pad bytea, label text, id uuid) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN sha256(outer_pad || sha256(inner_pad || label::bytea || uuid_send(id)));

CREATE OR REPLACE FUNCTION export_shift(mac bytea) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN (('x' || encode(substr(mac, 1, 4), 'hex'))::bit(32)::bigint % 361)::int - 180;
