-- A single pain score is written as a batch of one by `add_pain_scores` (Schema/0012), so the
-- rules of a clinician's score live in one function; the one-score `add_pain_score` (0009) goes.
DROP FUNCTION add_pain_score(text, text, bytea, uuid[], uuid, uuid, date, text, integer, integer, integer, uuid, text, text);
