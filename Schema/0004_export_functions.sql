-- De-identification inside PostgreSQL, so exports stream rows formatted by the server (as
-- COPY does) instead of decoding and re-encoding every value in the application.
--
-- HMAC-SHA-256 is built from the built-in sha256() (no extension needed): the caller passes the
-- key already XORed with the inner and outer pads. The application computes the same values in
-- Swift (Deidentifier), and a test checks that both agree.

CREATE FUNCTION export_mac(inner_pad bytea, outer_pad bytea, label text, id uuid) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN sha256(outer_pad || sha256(inner_pad || convert_to(label, 'UTF8') || uuid_send(id)));

-- A one-letter kind, a hyphen, and the MAC's bytes 2–9 in hex (64 bits: collisions are
-- negligible even among millions of rows).
CREATE FUNCTION export_pseudonym(kind text, mac bytea) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN kind || '-' || encode(substr(mac, 2, 8), 'hex');

-- The per-patient date shift, −180 to +180 days, from the MAC's first four bytes.
CREATE FUNCTION export_shift(mac bytea) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN (((get_byte(mac, 0)::bigint << 24) | (get_byte(mac, 1)::bigint << 16) | (get_byte(mac, 2)::bigint << 8) | get_byte(mac, 3)::bigint) % 361)::int - 180;

-- RFC 4180 quoting of one field; NULL becomes the empty field.
CREATE FUNCTION csv_field(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN value IS NULL THEN ''
            WHEN value ~ '[,"\r\n]' THEN '"' || replace(value, '"', '""') || '"'
            ELSE value END;
