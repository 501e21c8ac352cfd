-- Manual match overrides: a downstream commit paired by hand with upstream
-- commits (an empty list: by hand, none). They win over every method.
CREATE TABLE overrides (
	downstream TEXT PRIMARY KEY,       -- 40-hex commit id
	upstream   TEXT NOT NULL,          -- JSON array of 40-hex ids
	created    INTEGER NOT NULL
);

-- The last analysis of each downstream ref, kept whole so that asking
-- again with nothing new is served from here. key names everything the
-- result depends on: both tips, the overrides, the analyzer's version.
CREATE TABLE analyses (
	ref_id  INTEGER PRIMARY KEY REFERENCES refs(id) ON DELETE CASCADE,
	key     TEXT NOT NULL,
	result  BLOB NOT NULL,  -- the analyzer's encoding (gob)
	created INTEGER NOT NULL
);
