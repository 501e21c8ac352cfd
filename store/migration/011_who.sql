-- Who entered each manual match, annotation and ignore-list entry, as the
-- user who ran kdelta named themselves (KDELTA_USER, git config, $USER);
-- '' for entries made before, or by nobody known. When is their created.
ALTER TABLE overrides ADD COLUMN who TEXT NOT NULL DEFAULT '';
ALTER TABLE annotations ADD COLUMN who TEXT NOT NULL DEFAULT '';
ALTER TABLE ignores ADD COLUMN who TEXT NOT NULL DEFAULT '';
