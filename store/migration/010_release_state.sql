-- What the first releases of a source's commits were computed from: the
-- source's tags and the tips of its configured refs (seen), and the
-- release tags those refs reach (releases). Only tags reachable from the
-- configured refs are releases of the source; a stable branch's tags in
-- an upstream mirror are not. When seen changes the reachable tags are
-- found again, and the first releases are recomputed only when those
-- changed.
CREATE TABLE release_state (
	source_id INTEGER PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
	seen      TEXT NOT NULL,
	releases  TEXT NOT NULL
);
