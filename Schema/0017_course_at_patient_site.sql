-- A course belongs to its patient's site: a branch never holds a course of another branch's
-- patient (which would copy the patient's age and sex into that branch's exports). NOT VALID
-- keeps a database that already holds such a course migrating; every new or changed row is checked.
ALTER TABLE treatment_courses
    ADD CONSTRAINT treatment_courses_patient_site_fkey FOREIGN KEY (patient_id, site_id) REFERENCES patients (id, site_id) NOT VALID;
