import Foundation
import PostgresNIO
import RegistryCore
import RegistryStore

/// Synthetic volume for `registry bench`: N courses with 4 sessions, 1 block, 1 ultrasound and 15
/// pain scores each (100,000 courses: 400,000 sessions, 1,500,000 scores), generated inside PostgreSQL so
/// the client's memory stays out of the measurement. Deterministic (`setseed`). The trajectories
/// mix responders after 1–6 sessions, recurrences and non-responders.
public enum BenchmarkData {
    public static func generate(courses: Int, into database: RegistryDatabase) async throws {
        let logger = database.logger
        let statements: [PostgresQuery] = [
            // Bulk generation runs longer than any request may: lift the per-session timeout here only.
            "SET statement_timeout = 0",
            "SELECT setseed(0.42)",
            "INSERT INTO sites (code, name) VALUES ('BENCH-A', 'Benchmark A'), ('BENCH-B', 'Benchmark B')",
            "INSERT INTO users (username, display_name, role) VALUES ('bench.clinician', 'Bench', 'clinician')",
            """
            CREATE TEMP TABLE plan AS
            SELECT gen_random_uuid() AS course_id, gen_random_uuid() AS patient_id,
                   DATE '2023-01-02' + (random() * 700)::int AS started, 6 + (random() * 4)::int AS baseline,
                   (random() * 6)::int AS responds_at, 3 + (random() * 14)::int AS recurs_after, g AS n,
                   20 + (random() * 700)::int AS symptom_days, 25 + (random() * 60)::int AS age
            FROM generate_series(1, \(courses)) g
            """,
            // One course in ten at site A, so `bench` can compare memory at N/10 and N courses.
            """
            INSERT INTO patients (id, site_id)
            SELECT patient_id, (SELECT id FROM sites WHERE code = CASE WHEN n % 10 = 0 THEN 'BENCH-A' ELSE 'BENCH-B' END) FROM plan
            """,
            """
            INSERT INTO treatment_courses (id, patient_id, site_id, clinician_id, side, icd10, started_on, symptom_onset)
            SELECT course_id, patient_id, (SELECT site_id FROM patients WHERE id = patient_id),
                   (SELECT id FROM users WHERE username = 'bench.clinician'),
                   CASE WHEN n % 3 = 0 THEN 'right' ELSE 'left' END, 'G57.82', started, started - symptom_days FROM plan
            """,
            // Benchmark patients have no identity row for the insert trigger to copy an age from.
            "UPDATE treatment_courses c SET patient_age_at_start = p.age FROM plan p WHERE p.course_id = c.id",
            // The work-up the "who needs more sessions?" analysis reads: one ultrasound per course.
            """
            INSERT INTO ultrasound_findings (course_id, recorded_on, nerve_csa_mm2, flattening, restricted_gliding, fascia_thickness_mm,
                                             fascia_adhesion, tunnel_narrowing)
            SELECT course_id, started, round((2 + random() * 3)::numeric, 2), random() < 0.5, random() < 0.4,
                   round((0.8 + random() * 1.2)::numeric, 1), random() < 0.4, random() < 0.3 FROM plan
            """,
            """
            INSERT INTO diagnostic_blocks (course_id, performed_at, side, agent, volume_ml, nrs_before, nrs_after, assessed_minutes_after)
            SELECT course_id, started + time '09:00', 'left', 'lidocaine', 5, baseline, (random() * 5)::int, 15 FROM plan
            """,
            """
            INSERT INTO treatment_sessions (id, course_id, session_on, clinician_id)
            SELECT gen_random_uuid(), course_id, started + 21 * k, (SELECT id FROM users WHERE username = 'bench.clinician')
            FROM plan, generate_series(0, 3) k
            """,
            """
            INSERT INTO procedures (session_id, position, kind, injectate, volume_ml)
            SELECT id, 1, 'hydrodissection', CASE WHEN random() < 0.7 THEN 'd5w' ELSE 'prp' END, 10 FROM treatment_sessions
            """,
            "INSERT INTO pain_scores (course_id, recorded_on, timepoint, nrs) SELECT course_id, started, 'baseline', baseline FROM plan",
            """
            INSERT INTO pain_scores (course_id, recorded_on, timepoint, nrs)
            SELECT course_id, started + 14 + 21 * k, 'follow_up',
                   CASE WHEN k < responds_at THEN baseline - 1
                        WHEN k >= responds_at + recurs_after THEN baseline
                        ELSE baseline / 3 END
            FROM plan, generate_series(0, 13) k
            """,
            "ANALYZE",
        ]
        // One connection throughout: the plan is a temporary table.
        try await database.withConnection { connection in
            for statement in statements { try await connection.query(statement, logger: logger) }
        }
    }
}
