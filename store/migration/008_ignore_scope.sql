-- An ignore-list entry is for every downstream (scope '') or for one
-- downstream source (scope: its name), and one target may be on the list
-- for several: the key becomes (target, scope). Entries made before are
-- for every downstream, as they were.
CREATE TABLE ignores_scoped (
	target  TEXT NOT NULL, -- a 40-hex upstream commit id, or a path pattern
	kind    TEXT NOT NULL CHECK (kind IN ('id', 'path')),
	scope   TEXT NOT NULL DEFAULT '', -- a downstream source's name; '' for every downstream
	reason  TEXT NOT NULL,
	created INTEGER NOT NULL,
	PRIMARY KEY (target, scope)
);
INSERT INTO ignores_scoped (target, kind, scope, reason, created)
	SELECT target, kind, '', reason, created FROM ignores;
DROP TABLE ignores;
ALTER TABLE ignores_scoped RENAME TO ignores;
