-- Research exports never read patient_identities. The two facts researchers need from it, age at
-- course start (whole years) and sex, are copied onto the course when it is created or moved to
-- another patient or start date, by the database, so every path does it.
CREATE OR REPLACE FUNCTION copy_patient_facts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT date_part('year', age(NEW.started_on, i.date_of_birth))::int, i.sex
      INTO NEW.patient_age_at_start, NEW.patient_sex
      FROM patient_identities i WHERE i.patient_id = NEW.patient_id;
    RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER treatment_courses_copy_patient_facts BEFORE INSERT OR UPDATE OF patient_id, started_on ON treatment_courses
    FOR EACH ROW EXECUTE FUNCTION copy_patient_facts();
