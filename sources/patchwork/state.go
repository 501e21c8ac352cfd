package patchwork

import (
	"fmt"
	"strings"
)

// State is the review state Patchwork gives a patch, as the REST API names
// it: the slug of the state's name ("under-review" for "Under Review").
type State string

// The states a Patchwork server has out of the box
// (patchwork/fixtures/default_states.xml), in Patchwork's own order.
const (
	StateNew              State = "new"
	StateUnderReview      State = "under-review"
	StateAccepted         State = "accepted"
	StateRejected         State = "rejected"
	StateRFC              State = "rfc"
	StateNotApplicable    State = "not-applicable"
	StateChangesRequested State = "changes-requested"
	StateAwaitingUpstream State = "awaiting-upstream"
	StateSuperseded       State = "superseded"
	StateDeferred         State = "deferred"
)

// States returns every known state in Patchwork's order (New first).
func States() []State {
	return []State{
		StateNew, StateUnderReview, StateAccepted, StateRejected, StateRFC,
		StateNotApplicable, StateChangesRequested, StateAwaitingUpstream,
		StateSuperseded, StateDeferred,
	}
}

// ParseState returns the State for an API slug such as "changes-requested".
// The match is exact (the API writes slugs in lower case); a slug that is not
// one of the known states is an error that lists the known ones.
func ParseState(slug string) (State, error) {
	if s := State(slug); s.known() {
		return s, nil
	}
	return "", fmt.Errorf("state %q is not a Patchwork state; expected one of %s", slug, stateList())
}

// String returns the state's display name ("Changes Requested"), or the slug
// itself for a State that is not one of the known ones.
func (s State) String() string {
	switch s {
	case StateNew:
		return "New"
	case StateUnderReview:
		return "Under Review"
	case StateAccepted:
		return "Accepted"
	case StateRejected:
		return "Rejected"
	case StateRFC:
		return "RFC"
	case StateNotApplicable:
		return "Not Applicable"
	case StateChangesRequested:
		return "Changes Requested"
	case StateAwaitingUpstream:
		return "Awaiting Upstream"
	case StateSuperseded:
		return "Superseded"
	case StateDeferred:
		return "Deferred"
	}
	return string(s)
}

// known reports whether s is one of the known states.
func (s State) known() bool {
	return s.String() != string(s)
}

// stateList is the known slugs joined for error messages.
func stateList() string {
	var b strings.Builder
	for i, s := range States() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(s))
	}
	return b.String()
}
