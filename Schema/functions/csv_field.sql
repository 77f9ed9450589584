-- A text cell that a spreadsheet would run as a formula (it starts with = + - @, a tab or a
-- carriage return, and is not a number) is written with a leading apostrophe, and quoted:
-- the same rule as the Swift side's CSV.field (OWASP's rule for CSV injection).
CREATE OR REPLACE FUNCTION csv_field(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN value IS NULL THEN ''
            WHEN value ~ '^[=+@\t\r-]' AND value !~ '^[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$'
                THEN '"''' || replace(value, '"', '""') || '"'
            WHEN value ~ '[,"\r\n]' THEN '"' || replace(value, '"', '""') || '"'
            ELSE value END;
