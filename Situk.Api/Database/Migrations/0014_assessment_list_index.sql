-- An asesor's assessments by date (GET /me/assessments): found by asesor and assessment time, in that order.
CREATE INDEX registrations_asesor_assessment_idx ON registrations (asesor_id, assessment_at) WHERE assessment_at IS NOT NULL;
