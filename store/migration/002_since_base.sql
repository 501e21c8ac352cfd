-- For each downstream ref: the in-scope commits after its base, on both
-- sides: 'downstream' (the ref's own changes since the base) and
-- 'upstream' (what upstream did since the base). The analyzer measures
-- these against each other. upstream_tip says which upstream state the
-- 'upstream' side was computed from.
CREATE TABLE since_base (
	ref_id    INTEGER NOT NULL REFERENCES refs(id) ON DELETE CASCADE,
	side      TEXT NOT NULL CHECK (side IN ('downstream', 'upstream')),
	commit_id INTEGER NOT NULL REFERENCES commits(id),
	PRIMARY KEY (ref_id, side, commit_id)
) WITHOUT ROWID;

ALTER TABLE bases ADD COLUMN upstream_tip TEXT NOT NULL DEFAULT '';
ALTER TABLE bases ADD COLUMN tip TEXT NOT NULL DEFAULT '';
