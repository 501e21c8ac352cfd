-- Interop test results (kdelta results import).

-- One row per imported results file, by content: the same file is imported
-- once, however it is named.
CREATE TABLE result_files (
	id       INTEGER PRIMARY KEY,
	digest   TEXT NOT NULL UNIQUE, -- sha256 of the file's bytes
	name     TEXT NOT NULL,
	format   TEXT NOT NULL,        -- junit, kcidb or csv
	imported INTEGER NOT NULL,
	cases    INTEGER NOT NULL      -- results stored from it (duplicates of earlier files are not)
);

-- What results ran on: a source at a commit, named as the user or the file
-- named it (a tag, a ref or a commit id). Targets of one source are ordered
-- by their commit's committer time.
CREATE TABLE test_targets (
	id          INTEGER PRIMARY KEY,
	source      TEXT NOT NULL,
	label       TEXT NOT NULL,
	commit_oid  TEXT NOT NULL, -- '' for a source without commits (a series or a snapshot)
	commit_time INTEGER NOT NULL,
	UNIQUE (source, commit_oid, label)
);

CREATE TABLE test_results (
	id          INTEGER PRIMARY KEY,
	file_id     INTEGER NOT NULL REFERENCES result_files(id) ON DELETE CASCADE,
	target_id   INTEGER NOT NULL REFERENCES test_targets(id),
	lab         TEXT NOT NULL,
	hardware    TEXT NOT NULL,
	suite       TEXT NOT NULL,
	path        TEXT NOT NULL,
	status      TEXT NOT NULL, -- FAIL, ERROR, MISS, PASS, DONE, SKIP
	started     INTEGER NOT NULL, -- unix seconds; 0 when unknown
	duration_ms INTEGER NOT NULL,
	log_url     TEXT NOT NULL,
	message     TEXT NOT NULL,
	properties  TEXT NOT NULL DEFAULT '{}',
	UNIQUE (target_id, lab, hardware, path, started)
);
CREATE INDEX test_results_path ON test_results(path);
