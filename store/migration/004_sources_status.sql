-- Sources that are not git repositories: patch series, OFED trees, release
-- snapshots and mailing-list archives.
ALTER TABLE sources ADD COLUMN format TEXT NOT NULL DEFAULT 'git';

-- Where each patch of a series or OFED source sits: its file and its place
-- in apply order. The patch's fingerprint is keyed by its content, so a
-- patch kept unchanged across releases keeps its id.
CREATE TABLE patch_files (
	ref_id    INTEGER NOT NULL REFERENCES refs(id) ON DELETE CASCADE,
	path      TEXT NOT NULL,
	seq       INTEGER NOT NULL,
	commit_id INTEGER NOT NULL REFERENCES commits(id),
	PRIMARY KEY (ref_id, path)
) WITHOUT ROWID;
CREATE INDEX patch_files_commit ON patch_files(commit_id);

-- The messages of a list source that post a patch (or a cover letter).
CREATE TABLE postings (
	source_id  INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	message_id TEXT NOT NULL,
	commit_id  INTEGER REFERENCES commits(id), -- the posted patch; NULL for a cover letter
	date       INTEGER NOT NULL,
	sender     TEXT NOT NULL,
	subject    TEXT NOT NULL,
	version    INTEGER NOT NULL,
	idx        INTEGER NOT NULL,
	total      INTEGER NOT NULL,
	series     TEXT NOT NULL,              -- the series id: its cover letter's message-id, or its first patch's
	previous   TEXT NOT NULL DEFAULT '',   -- the series id of the previous version
	state      TEXT NOT NULL DEFAULT '',   -- the Patchwork state, when a Patchwork source said
	PRIMARY KEY (source_id, message_id)
) WITHOUT ROWID;
CREATE INDEX postings_commit ON postings(commit_id);

-- The regular files of a snapshot source, by git blob id.
CREATE TABLE snapshot_files (
	ref_id INTEGER NOT NULL REFERENCES refs(id) ON DELETE CASCADE,
	path   TEXT NOT NULL,
	blob   TEXT NOT NULL,
	size   INTEGER NOT NULL,
	mode   INTEGER NOT NULL,
	PRIMARY KEY (ref_id, path)
) WITHOUT ROWID;

-- A snapshot is one saved analysis of every downstream: statuses and counts
-- with a history. Written whole in one transaction, so a half-written one is
-- never visible.
CREATE TABLE snapshots (
	id      INTEGER PRIMARY KEY,
	sync_id INTEGER REFERENCES syncs(id),
	created INTEGER NOT NULL
);

-- The status of each carried change of a downstream ref in a snapshot.
CREATE TABLE snapshot_statuses (
	snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
	ref_id      INTEGER NOT NULL REFERENCES refs(id) ON DELETE CASCADE,
	change      TEXT NOT NULL,              -- 40-hex id of the commit or patch
	path        TEXT NOT NULL DEFAULT '',   -- a patch's file
	subject     TEXT NOT NULL,
	status      TEXT NOT NULL,
	detail      TEXT NOT NULL DEFAULT '{}', -- the status with its evidence, as JSON
	PRIMARY KEY (snapshot_id, ref_id, change)
) WITHOUT ROWID;
CREATE INDEX snapshot_statuses_change ON snapshot_statuses(change);
CREATE INDEX snapshot_statuses_path ON snapshot_statuses(path) WHERE path != '';

-- The delta counts of each component of a downstream ref in a snapshot.
CREATE TABLE snapshot_counts (
	snapshot_id   INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
	ref_id        INTEGER NOT NULL REFERENCES refs(id) ON DELETE CASCADE,
	component     TEXT NOT NULL,
	backported    INTEGER NOT NULL,
	missing       INTEGER NOT NULL,
	missing_fixes INTEGER NOT NULL,
	carried       INTEGER NOT NULL,
	PRIMARY KEY (snapshot_id, ref_id, component)
) WITHOUT ROWID;

-- Manual statuses of carried changes; they survive resyncs and win over
-- every other evidence.
CREATE TABLE annotations (
	change  TEXT PRIMARY KEY, -- 40-hex id of the commit or patch
	status  TEXT NOT NULL,
	reason  TEXT NOT NULL,
	detail  TEXT NOT NULL DEFAULT '', -- e.g. the message-id of a submission
	created INTEGER NOT NULL
);

-- Known non-issues kept out of the missing lists, as SUSE's blacklist.conf.
CREATE TABLE ignores (
	target  TEXT PRIMARY KEY, -- a 40-hex upstream commit id, or a path pattern
	kind    TEXT NOT NULL CHECK (kind IN ('id', 'path')),
	reason  TEXT NOT NULL,
	created INTEGER NOT NULL
);
