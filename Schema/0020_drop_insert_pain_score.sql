-- Every pain score is now written by add_pain_scores, which takes each score's source: the
-- patient's answers and imported courses no longer take insert_pain_score. The old signature of
-- add_pain_scores goes too, so its file (Schema/functions/add_pain_scores.sql) defines the one
-- function of that name.
DROP FUNCTION IF EXISTS insert_pain_score(uuid, uuid, date, text, integer, integer, integer, text, uuid, text, text);
DROP FUNCTION IF EXISTS add_pain_scores(text[], text[], bytea[], uuid[], uuid[], uuid[], date[], text[], integer[], integer[], integer[],
                                        uuid, text, text);
