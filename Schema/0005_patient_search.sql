-- Finding a patient in one step during a clinic day: by MRN or by name, from their first letters.
-- Prefix matches on lower case use these indexes (text_pattern_ops serves LIKE 'abc%' in any
-- collation); "family name then given name" written together is how Chinese names are typed.

CREATE INDEX patient_identities_mrn_prefix_idx ON patient_identities (lower(mrn) text_pattern_ops);
CREATE INDEX patient_identities_family_prefix_idx ON patient_identities (lower(family_name) text_pattern_ops);
CREATE INDEX patient_identities_given_prefix_idx ON patient_identities (lower(given_name) text_pattern_ops);
CREATE INDEX patient_identities_full_name_prefix_idx ON patient_identities (lower(family_name || given_name) text_pattern_ops);
