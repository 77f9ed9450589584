-- De-identification inside PostgreSQL, so exports stream rows formatted by the server (as COPY
-- does) instead of decoding and re-encoding every value in the application. HMAC-SHA-256 is built
-- from the built-in sha256() (no extension needed): the caller passes the key already XORed with
-- the inner and outer pads. The application computes the same values in Swift (Deidentifier), and
-- a test checks that both agree.
--
-- Written so the planner can inline it: no STABLE call such as `convert_to` inside (the labels are
-- short ASCII constants of the code, whose bytes `::bytea` gives unchanged).
CREATE OR REPLACE FUNCTION export_mac(inner_pad bytea, outer_pad bytea, label text, id uuid) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN sha256(outer_pad || sha256(inner_pad || label::bytea || uuid_send(id)));
