-- What a snapshot was computed from, so that a sync with nothing new
-- copies the previous snapshot instead of computing it again.
ALTER TABLE snapshots ADD COLUMN key TEXT NOT NULL DEFAULT '';
