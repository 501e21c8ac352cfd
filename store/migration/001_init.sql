-- Sources as the project file last named them.
CREATE TABLE sources (
	id        INTEGER PRIMARY KEY,
	name      TEXT NOT NULL UNIQUE,
	kind      TEXT NOT NULL,
	url       TEXT NOT NULL,
	layout    TEXT NOT NULL,
	upstream  TEXT NOT NULL DEFAULT '',
	base      TEXT NOT NULL DEFAULT ''
);

-- One row per fingerprinted commit, shared by every source that contains it:
-- a fingerprint is computed once per commit id.
CREATE TABLE commits (
	id              INTEGER PRIMARY KEY,
	oid             TEXT NOT NULL UNIQUE,
	author_name     TEXT NOT NULL,
	author_email    TEXT NOT NULL,
	author_time     INTEGER NOT NULL,
	author_tz       INTEGER NOT NULL,
	committer_name  TEXT NOT NULL,
	committer_email TEXT NOT NULL,
	commit_time     INTEGER NOT NULL,
	commit_tz       INTEGER NOT NULL,
	subject         TEXT NOT NULL,
	body            TEXT NOT NULL,
	trailers        TEXT NOT NULL DEFAULT '{}', -- change.Trailers as JSON
	patch_id        TEXT NOT NULL DEFAULT '', -- '' when the diff is empty or skipped
	skip            TEXT NOT NULL DEFAULT ''  -- why the diff was not fingerprinted
);
CREATE INDEX commits_patch_id ON commits(patch_id) WHERE patch_id != '';

CREATE TABLE files (
	commit_id INTEGER NOT NULL REFERENCES commits(id) ON DELETE CASCADE,
	seq       INTEGER NOT NULL,
	path      TEXT NOT NULL,
	old_path  TEXT NOT NULL DEFAULT '',
	status    TEXT NOT NULL,
	binary    INTEGER NOT NULL DEFAULT 0,
	patch_id  TEXT NOT NULL DEFAULT '',
	added     INTEGER NOT NULL DEFAULT 0,
	deleted   INTEGER NOT NULL DEFAULT 0,
	plus      BLOB, -- fuzzy signature: little-endian uint64 per normalized added line
	minus     BLOB, -- the same for removed lines
	PRIMARY KEY (commit_id, seq)
) WITHOUT ROWID;

-- Components per layout: the same commit may be classified under two layouts.
CREATE TABLE components (
	commit_id INTEGER NOT NULL REFERENCES commits(id) ON DELETE CASCADE,
	layout    TEXT NOT NULL,
	name      TEXT NOT NULL,
	PRIMARY KEY (commit_id, layout, name)
) WITHOUT ROWID;

-- What the components of a layout were last computed with.
CREATE TABLE component_maps (
	layout TEXT PRIMARY KEY,
	hash   TEXT NOT NULL
);

CREATE TABLE refs (
	id         INTEGER PRIMARY KEY,
	source_id  INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	name       TEXT NOT NULL,
	tip        TEXT NOT NULL DEFAULT '', -- the last completely synced tip; '' before the first
	scope_hash TEXT NOT NULL DEFAULT '',
	synced_at  INTEGER NOT NULL DEFAULT 0,
	UNIQUE (source_id, name)
);

-- Which in-scope commits each ref contains. Written together with refs.tip,
-- in one transaction, so no half-synced ref is ever visible.
CREATE TABLE ref_commits (
	ref_id    INTEGER NOT NULL REFERENCES refs(id) ON DELETE CASCADE,
	commit_id INTEGER NOT NULL REFERENCES commits(id),
	PRIMARY KEY (ref_id, commit_id)
) WITHOUT ROWID;
CREATE INDEX ref_commits_commit ON ref_commits(commit_id);

CREATE TABLE tags (
	source_id  INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	name       TEXT NOT NULL,
	commit_oid TEXT NOT NULL,
	PRIMARY KEY (source_id, name)
) WITHOUT ROWID;

-- The first release tag of a source that contains each in-scope commit.
CREATE TABLE releases (
	source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	commit_id INTEGER NOT NULL REFERENCES commits(id),
	tag       TEXT NOT NULL,
	PRIMARY KEY (source_id, commit_id)
) WITHOUT ROWID;

-- Where a downstream ref starts from on its upstream.
CREATE TABLE bases (
	ref_id          INTEGER PRIMARY KEY REFERENCES refs(id) ON DELETE CASCADE,
	upstream_ref_id INTEGER NOT NULL REFERENCES refs(id) ON DELETE CASCADE,
	oid             TEXT NOT NULL,
	how             TEXT NOT NULL -- "merge-base" or "tag v5.14"
);

-- What a sync could not read or fingerprint, kept visible.
CREATE TABLE skips (
	id      INTEGER PRIMARY KEY,
	source  TEXT NOT NULL,
	oid     TEXT NOT NULL DEFAULT '',
	reason  TEXT NOT NULL,
	at      INTEGER NOT NULL,
	UNIQUE (source, oid, reason)
);

-- One row per sync run.
CREATE TABLE syncs (
	id       INTEGER PRIMARY KEY,
	started  INTEGER NOT NULL,
	finished INTEGER NOT NULL DEFAULT 0,
	status   TEXT NOT NULL, -- running, done, failed, interrupted
	new      INTEGER NOT NULL DEFAULT 0,
	note     TEXT NOT NULL DEFAULT ''
);
