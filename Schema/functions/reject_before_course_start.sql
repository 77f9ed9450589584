-- Nothing clinical may be dated before its course started. The rule spans two tables, so a
-- trigger carries it; it raises a check_violation named like a constraint so the application
-- maps it the same way as any other CHECK.
CREATE OR REPLACE FUNCTION reject_before_course_start() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    course_start date;
    record_date date;
BEGIN
    SELECT started_on INTO course_start FROM treatment_courses WHERE id = NEW.course_id;
    -- The trigger's argument names the record's date column; blocks carry an instant instead.
    record_date := CASE WHEN TG_ARGV[0] = 'performed_at'
        THEN ((to_jsonb(NEW) ->> 'performed_at')::timestamptz AT TIME ZONE 'UTC')::date
        ELSE (to_jsonb(NEW) ->> TG_ARGV[0])::date
    END;
    IF record_date < course_start THEN
        RAISE EXCEPTION '% dated % is before its course started', TG_TABLE_NAME, record_date
            USING ERRCODE = 'check_violation', CONSTRAINT = TG_TABLE_NAME || '_not_before_course_start';
    END IF;
    RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER treatment_sessions_not_before_course_start BEFORE INSERT OR UPDATE ON treatment_sessions
    FOR EACH ROW EXECUTE FUNCTION reject_before_course_start('session_on');

CREATE OR REPLACE TRIGGER diagnostic_blocks_not_before_course_start BEFORE INSERT OR UPDATE ON diagnostic_blocks
    FOR EACH ROW EXECUTE FUNCTION reject_before_course_start('performed_at');

CREATE OR REPLACE TRIGGER course_events_not_before_course_start BEFORE INSERT OR UPDATE ON course_events
    FOR EACH ROW EXECUTE FUNCTION reject_before_course_start('occurred_on');

CREATE OR REPLACE TRIGGER screening_findings_not_before_course_start BEFORE INSERT OR UPDATE ON screening_findings
    FOR EACH ROW EXECUTE FUNCTION reject_before_course_start('recorded_on');

CREATE OR REPLACE TRIGGER examination_findings_not_before_course_start BEFORE INSERT OR UPDATE ON examination_findings
    FOR EACH ROW EXECUTE FUNCTION reject_before_course_start('recorded_on');

CREATE OR REPLACE TRIGGER ultrasound_findings_not_before_course_start BEFORE INSERT OR UPDATE ON ultrasound_findings
    FOR EACH ROW EXECUTE FUNCTION reject_before_course_start('recorded_on');

CREATE OR REPLACE TRIGGER pain_scores_not_before_course_start BEFORE INSERT OR UPDATE ON pain_scores FOR EACH ROW
    WHEN (current_setting('registry.course_dates_checked', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION reject_before_course_start('recorded_on');
