-- What a skip is and where it happened, so that `kdelta skips` can say
-- which ref and which object, and a sync can clear what it reads again.
--   kind 'damaged':    an object the source should have could not be read
--                      (a damaged clone, a truncated archive); the ref is
--                      read again by every sync until it reads whole
--   kind 'unreadable': a message or patch that cannot be decoded
--   kind 'limit':      a diff over the size limits, stored without it
--   kind 'note':       stored, with a remark (a message that was not UTF-8)
--   kind 'stale':      a manual match, annotation or ignore that no longer
--                      applies since its source's url changed
ALTER TABLE skips ADD COLUMN ref TEXT NOT NULL DEFAULT '';
ALTER TABLE skips ADD COLUMN kind TEXT NOT NULL DEFAULT 'note';
ALTER TABLE skips ADD COLUMN object TEXT NOT NULL DEFAULT '';

UPDATE skips SET kind = 'limit' WHERE reason LIKE 'diff not fingerprinted:%';
UPDATE skips SET kind = 'unreadable', object = substr(reason, 9, instr(reason, '>') - 8)
	WHERE reason LIKE 'posting <%>%';
CREATE INDEX skips_ref ON skips(source, ref, kind);

-- A source whose url changed: what its refs held before the change, kept
-- until a sync has read the new url and carried what people entered by
-- hand (overrides, annotations, ignores) over to it, or listed what no
-- longer applies.
CREATE TABLE moved_changes (
	source   TEXT NOT NULL,
	old_url  TEXT NOT NULL,
	oid      TEXT NOT NULL,
	patch_id TEXT NOT NULL,
	path     TEXT NOT NULL,
	subject  TEXT NOT NULL,
	PRIMARY KEY (source, oid, path)
) WITHOUT ROWID;
