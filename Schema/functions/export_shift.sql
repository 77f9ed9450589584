-- A patient's date shift, -180 to +180 days, from the first four bytes of their keyed MAC. It names
-- its argument once, so the inlined MAC is computed once.
CREATE OR REPLACE FUNCTION export_shift(mac bytea) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN (('x' || encode(substr(mac, 1, 4), 'hex'))::bit(32)::bigint % 361)::int - 180;
