-- What the refs of a source reached when its release tags were last
-- found (reached): a line "ref NAME ID" for each configured ref's tip and
-- a line "tag NAME ID" for each release tag they reached, in version
-- order. When every ref only moved forward the next sync walks just the
-- new commits to find the tags they add, instead of the whole history
-- (a million commits at kernel size); '' makes the next sync walk all.
ALTER TABLE release_state ADD COLUMN reached TEXT NOT NULL DEFAULT '';
