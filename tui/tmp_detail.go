package tui

// Placeholder until the detail page lands; the helper writing it deletes this file.
func NewDetail(c *Common, target, id string) Page { return nil }
