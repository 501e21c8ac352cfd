package patchwork

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// Patch is one patch as a Patchwork patch list describes it.
type Patch struct {
	ID        int
	URL       string // the patch's API URL
	WebURL    string // the patch's page; "" from API 1.0
	MessageID string // the Message-ID without its angle brackets
	Name      string // the subject as Patchwork cleaned it, "[v2,3/7] RDMA/mlx5: ..."
	Date      time.Time
	State     State
	Hash      string // Patchwork's hash of the diff (see Hash); "" when it has none (a pull request)
	Submitter string // "Name <email>", or the email alone when Patchwork has no name
	Series    []SeriesRef
	Archived  bool
}

// SeriesRef is a series a patch belongs to.
type SeriesRef struct {
	ID      int
	Name    string // "" when the series has no name
	Version int    // the v2 of "[PATCH v2 ...]"; 1 when the subject has none
}

// apiPatch is one element of the API's patch list, as far as kdelta reads
// it. Pointer fields tell a missing or null field from a zero one.
type apiPatch struct {
	ID        *int       `json:"id"`
	URL       string     `json:"url"`
	WebURL    string     `json:"web_url"`
	MsgID     *string    `json:"msgid"`
	Date      *string    `json:"date"`
	Name      string     `json:"name"`
	State     *string    `json:"state"`
	Archived  bool       `json:"archived"`
	Hash      *string    `json:"hash"`
	Submitter *apiPerson `json:"submitter"`
	Series    []struct {
		ID      *int   `json:"id"`
		Name    string `json:"name"`
		Version int    `json:"version"`
	} `json:"series"`
}

// apiPerson is the API's embedded person.
type apiPerson struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// apiPage is the paginated-object shape of a list (Django REST framework's
// default): the documented Patchwork shape is a bare array with a Link header.
type apiPage struct {
	Next    *string            `json:"next"`
	Results *[]json.RawMessage `json:"results"`
	Detail  string             `json:"detail"`
}

// decodePatchList decodes one page of a patch list: a JSON array of
// patches, or an object with "results" (and "next", returned as next).
// Every patch must have an id, a msgid, a date and a known state.
func decodePatchList(data []byte) (patches []Patch, next string, err error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, "", errors.New("empty body; expected a JSON array of patches")
	}
	var items []json.RawMessage
	switch data[0] {
	case '[':
		if err := json.Unmarshal(data, &items); err != nil {
			return nil, "", jsonError(err, "the body", "a JSON array of patches")
		}
	case '{':
		var page apiPage
		if err := json.Unmarshal(data, &page); err != nil {
			return nil, "", jsonError(err, "the body", "a JSON array of patches")
		}
		if page.Results == nil {
			if page.Detail != "" {
				return nil, "", fmt.Errorf("got an object with detail %q; expected a JSON array of patches", page.Detail)
			}
			return nil, "", errors.New(`got an object without "results"; expected a JSON array of patches`)
		}
		items = *page.Results
		if page.Next != nil {
			next = *page.Next
		}
	default:
		return nil, "", fmt.Errorf("body starts with %q; expected a JSON array of patches", excerpt(data, 40))
	}

	patches = make([]Patch, 0, len(items))
	for i, raw := range items {
		p, err := decodePatch(raw)
		if err != nil {
			return nil, "", fmt.Errorf("patch %d of the list: %w", i+1, err)
		}
		patches = append(patches, p)
	}
	return patches, next, nil
}

// decodePatch decodes and checks one patch of a list.
func decodePatch(raw json.RawMessage) (Patch, error) {
	var a apiPatch
	if err := json.Unmarshal(raw, &a); err != nil {
		return Patch{}, jsonError(err, "the patch", "a patch object")
	}
	if a.ID == nil || *a.ID <= 0 {
		return Patch{}, errors.New(`no "id"; expected a positive patch id`)
	}
	id := *a.ID
	fail := func(format string, args ...any) (Patch, error) {
		return Patch{}, fmt.Errorf("id %d: "+format, append([]any{id}, args...)...)
	}
	if a.MsgID == nil {
		return fail(`no "msgid"; expected the patch's Message-ID`)
	}
	msgid := trimMessageID(*a.MsgID)
	if msgid == "" {
		return fail(`msgid %q; expected a Message-ID like <x@y>`, *a.MsgID)
	}
	if a.State == nil {
		return fail(`no "state"; expected one of %s`, stateList())
	}
	state, err := ParseState(*a.State)
	if err != nil {
		return fail("%v", err)
	}
	if a.Date == nil {
		return fail(`no "date"; expected a date like 2024-05-02T10:11:12`)
	}
	date, err := parseDate(*a.Date)
	if err != nil {
		return fail("%v", err)
	}
	p := Patch{
		ID:        id,
		URL:       a.URL,
		WebURL:    a.WebURL,
		MessageID: msgid,
		Name:      a.Name,
		Date:      date,
		State:     state,
		Archived:  a.Archived,
	}
	if a.Hash != nil {
		p.Hash = *a.Hash
	}
	if s := a.Submitter; s != nil {
		switch {
		case s.Name != "" && s.Email != "":
			p.Submitter = s.Name + " <" + s.Email + ">"
		case s.Email != "":
			p.Submitter = s.Email
		default:
			p.Submitter = s.Name
		}
	}
	for j, s := range a.Series {
		if s.ID == nil || *s.ID <= 0 {
			return fail(`series %d has no "id"; expected a positive series id`, j+1)
		}
		p.Series = append(p.Series, SeriesRef{ID: *s.ID, Name: s.Name, Version: s.Version})
	}
	return p, nil
}

// parseDate parses an API date. Patchwork keeps naive UTC times and prints
// them without a zone ("2024-05-02T10:11:12", with microseconds when there
// are some); a date with a zone is accepted too. The result is in UTC.
func parseDate(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	t, err := time.ParseInLocation("2006-01-02T15:04:05", s, time.UTC)
	if err != nil {
		return time.Time{}, fmt.Errorf("date %q; expected a date like 2024-05-02T10:11:12", s)
	}
	return t, nil
}

// trimMessageID returns a Message-ID without surrounding white space and
// angle brackets; "" when what is left is empty or is not one Message-ID
// (white space or angle brackets inside).
func trimMessageID(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "<")
	s = strings.TrimSuffix(s, ">")
	if s == "" || strings.ContainsAny(s, "<> \t\r\n") {
		return ""
	}
	return s
}

// jsonError turns a decoding error into one that says where the body went
// wrong and what was expected.
func jsonError(err error, of, want string) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn) && strings.Contains(syn.Error(), "unexpected end"):
		return fmt.Errorf("JSON cut short after byte %d of %s; expected %s", syn.Offset, of, want)
	case errors.As(err, &syn):
		return fmt.Errorf("invalid JSON at byte %d of %s (%v); expected %s", syn.Offset, of, syn, want)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return fmt.Errorf("got a JSON %s at byte %d of %s; expected %s", typ.Value, typ.Offset, of, want)
		}
		return fmt.Errorf("field %q is a JSON %s at byte %d of %s; expected %s", field, typ.Value, typ.Offset, of, jsonKind(typ.Type))
	}
	return fmt.Errorf("%v; expected %s", err, want)
}

// jsonKind names the JSON kind that a Go type decodes from.
func jsonKind(t reflect.Type) string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return "another JSON type"
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return "an array"
	case reflect.Struct:
		return "an object"
	}
	return "another JSON type"
}

// excerpt returns at most n bytes of b, for error messages.
func excerpt(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}
