-- 0004 — grades and skills (S-GRADES). The rules for averages are in docs/grades.md.

-- A devoir / évaluation of one enseignement in one period.
CREATE TABLE assessment (
    id {{ID}},
    teaching_id BIGINT NOT NULL REFERENCES teaching(id),
    period_id BIGINT NOT NULL REFERENCES period(id),
    title TEXT NOT NULL,
    on_date TEXT NOT NULL,
    scale INTEGER NOT NULL CHECK (scale BETWEEN 0 AND 100),          -- marked out of scale; 0: skills only
    coefficient INTEGER NOT NULL DEFAULT 100 CHECK (coefficient BETWEEN 0 AND 2000), -- hundredths: 0.5 = 50
    bonus INTEGER NOT NULL DEFAULT 0,      -- only the points above mid-scale count
    optional INTEGER NOT NULL DEFAULT 0,   -- counts only if it raises the average
    author_id BIGINT NOT NULL REFERENCES person(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    published_at BIGINT,                   -- NULL: a draft families do not see
    CHECK (bonus = 0 OR optional = 0)
);
CREATE INDEX assessment_teaching ON assessment(teaching_id, on_date);

-- One pupil's mark: a value in hundredths of a point, or a special mark.
CREATE TABLE mark (
    assessment_id BIGINT NOT NULL REFERENCES assessment(id),
    pupil_id BIGINT NOT NULL REFERENCES person(id),
    value INTEGER CHECK (value >= 0),
    special TEXT CHECK (special IN ('absent', 'exempt', 'not_handed_in', 'not_graded', 'absent_zero')),
    entered_at BIGINT NOT NULL,
    visible_at BIGINT,                     -- when families see it (the assessment's publication); NULL: not yet
    PRIMARY KEY (assessment_id, pupil_id),
    CHECK ((value IS NULL) <> (special IS NULL))
);
-- A pupil's latest visible marks, newest first, without reading the others.
CREATE INDEX mark_pupil_visible ON mark(pupil_id, visible_at, assessment_id);

-- A skill of an establishment's referential, attached to one of the eight
-- components of the socle commun (D1.1 … D5).
CREATE TABLE skill (
    id {{ID}},
    establishment_id BIGINT NOT NULL REFERENCES establishment(id),
    component TEXT NOT NULL CHECK (component IN ('D1.1', 'D1.2', 'D1.3', 'D1.4', 'D2', 'D3', 'D4', 'D5')),
    label TEXT NOT NULL,
    UNIQUE (establishment_id, component, label)
);

-- The skills an assessment evaluates.
CREATE TABLE assessment_skill (
    assessment_id BIGINT NOT NULL REFERENCES assessment(id),
    skill_id BIGINT NOT NULL REFERENCES skill(id),
    PRIMARY KEY (assessment_id, skill_id)
);

-- One pupil's level on one skill in one assessment (LSU: 1 insuffisante,
-- 2 fragile, 3 satisfaisante, 4 très bonne).
CREATE TABLE skill_result (
    assessment_id BIGINT NOT NULL REFERENCES assessment(id),
    skill_id BIGINT NOT NULL REFERENCES skill(id),
    pupil_id BIGINT NOT NULL REFERENCES person(id),
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
    entered_at BIGINT NOT NULL,
    PRIMARY KEY (assessment_id, skill_id, pupil_id)
);
CREATE INDEX skill_result_pupil ON skill_result(pupil_id);
