-- Up Migration

-- One row per metadata pair of a submission, so that a metadata.KEY=VALUE filter reads its page
-- in order from one index, however common or rare the value (the GIN index on metadata cannot
-- give rows newest first, and a common value made it read every match before sorting).
CREATE TABLE judgekit_submission_labels (
  id text NOT NULL REFERENCES judgekit_submissions (id) ON DELETE CASCADE,
  key text NOT NULL,
  tenant text NOT NULL,
  value text NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (id, key)
);
CREATE INDEX judgekit_submission_labels_listing ON judgekit_submission_labels (tenant, key, value, created_at DESC, id DESC);

INSERT INTO judgekit_submission_labels (id, key, tenant, value, created_at)
SELECT s.id, m.key, s.tenant, m.value, s.created_at
FROM judgekit_submissions s, jsonb_each_text(s.metadata) m
WHERE s.metadata IS NOT NULL;

-- The process that last wrote an unfinished submission ("host/pid/start"): after a crash, a
-- restarted single-process server re-runs what a dead process on its host left unfinished.
ALTER TABLE judgekit_submissions ADD COLUMN owner text;

-- Down Migration
ALTER TABLE judgekit_submissions DROP COLUMN owner;
DROP TABLE judgekit_submission_labels;
