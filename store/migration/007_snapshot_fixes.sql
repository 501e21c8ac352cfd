-- The missing fixes and the backports of each downstream ref in a
-- snapshot, so that a check against a snapshot can tell which fixes are
-- new and which backports are gone. Snapshots saved before this migration
-- have neither (fixes_saved = 0).
CREATE TABLE snapshot_missing_fixes (
	snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
	ref_id      INTEGER NOT NULL REFERENCES refs(id) ON DELETE CASCADE,
	commit_oid  TEXT NOT NULL,
	subject     TEXT NOT NULL,
	components  TEXT NOT NULL DEFAULT '', -- comma-separated
	PRIMARY KEY (snapshot_id, ref_id, commit_oid)
) WITHOUT ROWID;
CREATE TABLE snapshot_backports (
	snapshot_id  INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
	ref_id       INTEGER NOT NULL REFERENCES refs(id) ON DELETE CASCADE,
	upstream_oid TEXT NOT NULL,
	subject      TEXT NOT NULL,
	carried      TEXT NOT NULL DEFAULT '', -- comma-separated downstream ids
	PRIMARY KEY (snapshot_id, ref_id, upstream_oid)
) WITHOUT ROWID;
ALTER TABLE snapshots ADD COLUMN fixes_saved INTEGER NOT NULL DEFAULT 0;
