-- What a snapshot was computed from, so that a sync with nothing new
-- saves a snapshot that points at the previous one instead of computing
-- (or copying) the same statuses again.
ALTER TABLE snapshots ADD COLUMN key TEXT NOT NULL DEFAULT '';
ALTER TABLE snapshots ADD COLUMN same_as INTEGER REFERENCES snapshots(id);
