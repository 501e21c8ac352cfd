package tui

// Placeholder until the deltalist page lands; the helper writing it deletes this file.
func NewDeltaList(c *Common, target, component string) Page { return nil }
