-- Research exports never read patient_identities. The two facts researchers need from it, age at
-- course start and sex, are copied onto the course when it is created (by the database, so every
-- path does it), with age in whole years.

ALTER TABLE treatment_courses ADD COLUMN patient_age_at_start integer CHECK (patient_age_at_start BETWEEN 0 AND 130);
ALTER TABLE treatment_courses ADD COLUMN patient_sex text CHECK (patient_sex IN ('female', 'male', 'other', 'unknown'));

UPDATE treatment_courses c
   SET patient_age_at_start = date_part('year', age(c.started_on, i.date_of_birth))::int, patient_sex = i.sex
  FROM patient_identities i WHERE i.patient_id = c.patient_id;

CREATE FUNCTION copy_patient_facts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT date_part('year', age(NEW.started_on, i.date_of_birth))::int, i.sex
      INTO NEW.patient_age_at_start, NEW.patient_sex
      FROM patient_identities i WHERE i.patient_id = NEW.patient_id;
    RETURN NEW;
END
$$;

CREATE TRIGGER treatment_courses_copy_patient_facts BEFORE INSERT OR UPDATE OF patient_id, started_on ON treatment_courses
    FOR EACH ROW EXECUTE FUNCTION copy_patient_facts();
