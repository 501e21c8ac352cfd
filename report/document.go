package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/internal/termtext"
)

// SchemaVersion is the version of the JSON form of a Document that this
// kdelta writes. It changes only when a field's meaning changes or a field
// is removed; added fields keep it. Version 2 made carried one set
// everywhere: the changes upstream lacks, backports no longer among them.
const SchemaVersion = 2

// oldestSchema is the oldest version ReadJSON reads (as a baseline): a
// version 1 document is read as version 2 (see fromV1).
const oldestSchema = 1

// Generator is what a Document written by kdelta has in its generator field.
const Generator = "kdelta"

// Document is a report: the JSON form is the versioned, documented schema
// other tools consume (see the package documentation).
type Document struct {
	SchemaVersion int                 `json:"schema_version"`
	Generator     string              `json:"generator"` // "kdelta"
	Generated     time.Time           `json:"generated"` // injected by the caller
	Downstreams   []analyzer.Overview `json:"downstreams"`
	// Comparisons are the pairs of downstreams the report compares
	// (kdelta report --compare A:B); omitted when none.
	Comparisons []analyzer.Comparison `json:"comparisons,omitempty"`
}

// WriteJSON writes d as indented JSON: fields in a stable order (the
// order of the Go types, map keys sorted), slices and maps never null.
// Strings keep their content; <, > and & are escaped as \u003c, \u003e
// and \u0026 so that the file is safe to embed in HTML.
func WriteJSON(w io.Writer, d *Document) error {
	if d == nil {
		return errors.New("report: no document")
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(filled(d, nil))
}

// ReadJSON reads a Document written by WriteJSON, for use as a baseline;
// name is the file it came from. It refuses a missing or other
// schema_version, malformed JSON and values of the wrong type with a
// one-line error that starts with name (and the line, when there is one).
// Unknown fields are ignored: a newer kdelta may add fields without
// changing the schema version. The slices and maps of the Document it
// returns are never nil.
func ReadJSON(name string, data []byte) (*Document, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return nil, fmt.Errorf("%s:%d: malformed JSON: %s", name, lineAt(data, se.Offset), oneLine(se.Error()))
		case errors.As(err, &te):
			return nil, fmt.Errorf("%s:%d: expected a JSON object (a kdelta report), got %s", name, lineAt(data, te.Offset-1), describeRaw(bytes.TrimSpace(data)))
		}
		return nil, fmt.Errorf("%s: malformed JSON: %s", name, oneLine(err.Error()))
	}
	if top == nil {
		return nil, fmt.Errorf("%s:1: expected a JSON object (a kdelta report), got null", name)
	}
	// The version decides how the rest is read: find it first, and where it is.
	var version []byte
	var versionAt int64
	members(data, 0, func(key string, raw []byte, at int64) {
		if strings.EqualFold(key, "schema_version") {
			version, versionAt = raw, at
		}
	})
	if version == nil || string(version) == "null" {
		return nil, fmt.Errorf("%s: no schema_version: not a kdelta report (this kdelta reads schema_version %s)", name, readable())
	}
	v, err := strconv.Atoi(string(version))
	if err != nil {
		return nil, fmt.Errorf("%s:%d: schema_version: expected an integer, got %s", name, lineAt(data, versionAt), describeRaw(version))
	}
	if v < oldestSchema || v > SchemaVersion {
		return nil, fmt.Errorf("%s: schema_version %d is not supported; this kdelta reads %s", name, v, readable())
	}
	var d Document
	if err := json.Unmarshal(data, &d); err != nil {
		if e := locate(data, 0, reflect.TypeFor[Document](), ""); e != nil {
			return nil, fmt.Errorf("%s:%d: %s: %s", name, lineAt(data, e.at), e.path, e.msg)
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("%s:%d: %s: expected %s, got %s", name, lineAt(data, te.Offset-1), oneLine(te.Field), describeType(te.Type), oneLine(te.Value))
		}
		return nil, fmt.Errorf("%s: %s", name, oneLine(err.Error()))
	}
	if v == 1 {
		fromV1(&d)
	}
	return filled(&d, nil), nil
}

// readable says which schema versions ReadJSON reads.
func readable() string {
	if oldestSchema == SchemaVersion {
		return strconv.Itoa(SchemaVersion)
	}
	return fmt.Sprintf("%d to %d", oldestSchema, SchemaVersion)
}

// fromV1 reads a version 1 document as version 2: its carried lists held
// the backports too (as mainline, counted in by_status); they go, and
// their counts with them.
func fromV1(d *Document) {
	d.SchemaVersion = SchemaVersion
	for i := range d.Downstreams {
		o := &d.Downstreams[i]
		backport := map[string]bool{}
		for _, b := range o.Backports {
			for _, c := range b.Carried {
				backport[c] = true
			}
		}
		byComp := map[string]*analyzer.ComponentSummary{}
		for j := range o.Components {
			byComp[o.Components[j].Component] = &o.Components[j]
		}
		uncount := func(comp, st string) {
			if cs := byComp[comp]; cs != nil && cs.ByStatus[st] > 0 {
				cs.ByStatus[st]--
				if cs.ByStatus[st] == 0 {
					delete(cs.ByStatus, st)
				}
			}
		}
		var keep []analyzer.Carried
		for _, c := range o.Carried {
			if !backport[c.ID] {
				keep = append(keep, c)
				continue
			}
			uncount("", c.Status.Status)
			for _, comp := range c.Components {
				uncount(comp, c.Status.Status)
			}
		}
		o.Carried = keep
	}
}

// lineAt is the line of the byte at offset off of data, from 1.
func lineAt(data []byte, off int64) int {
	off = max(0, min(off, int64(len(data))))
	return 1 + bytes.Count(data[:off], []byte("\n"))
}

// oneLine is a message from the input for a one-line error: shown as every
// one-line error shows text it did not write (fileerr.OneLine, that is
// termtext.Safe: controls, line breaks and bidi controls escaped), then cut
// to 120 characters, "…" last, never inside an escape.
func oneLine(s string) string { return termtext.Truncate(s, 120) }

// decodeError is a value that cannot be decoded into its field.
type decodeError struct {
	path string
	at   int64 // offset of the value
	msg  string
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// locate walks the JSON value raw (which starts at offset at of the file)
// as a value of type t at path, and returns the first value that cannot be
// decoded into its field, or nil. raw is syntactically valid JSON.
func locate(raw []byte, at int64, t reflect.Type, path string) *decodeError {
	trimmed := bytes.TrimLeft(raw, " \t\r\n")
	at += int64(len(raw) - len(trimmed))
	raw = bytes.TrimRight(trimmed, " \t\r\n")
	if len(raw) == 0 {
		return nil
	}
	mismatch := func(detail string) *decodeError {
		msg := fmt.Sprintf("expected %s, got %s", describeType(t), describeRaw(raw))
		if detail != "" {
			msg += ": " + oneLine(detail)
		}
		return &decodeError{path: strings.TrimPrefix(path, "."), at: at, msg: msg}
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		if err := reflect.New(t).Interface().(json.Unmarshaler).UnmarshalJSON(raw); err != nil {
			return mismatch(err.Error())
		}
		return nil
	}
	if raw[0] == 'n' { // null leaves any field as it is
		return nil
	}
	var found *decodeError
	switch t.Kind() {
	case reflect.Pointer:
		return locate(raw, at, t.Elem(), path)
	case reflect.Interface:
		return nil
	case reflect.Struct:
		if raw[0] != '{' {
			return mismatch("")
		}
		fields := jsonFields(t)
		members(raw, at, func(key string, v []byte, vat int64) {
			if found != nil {
				return
			}
			if f, ok := lookupField(fields, key); ok {
				found = locate(v, vat, f.typ, path+"."+f.name)
			}
		})
	case reflect.Map:
		if raw[0] != '{' {
			return mismatch("")
		}
		members(raw, at, func(key string, v []byte, vat int64) {
			if found == nil {
				found = locate(v, vat, t.Elem(), path+"."+pathKey(key))
			}
		})
	case reflect.Slice, reflect.Array:
		if raw[0] != '[' {
			return mismatch("")
		}
		elements(raw, at, func(i int, v []byte, vat int64) {
			if found == nil {
				found = locate(v, vat, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
			}
		})
	case reflect.String:
		if raw[0] != '"' {
			return mismatch("")
		}
	case reflect.Bool:
		if raw[0] != 't' && raw[0] != 'f' {
			return mismatch("")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if _, err := strconv.ParseInt(string(raw), 10, t.Bits()); err != nil {
			return mismatch("")
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if _, err := strconv.ParseUint(string(raw), 10, t.Bits()); err != nil {
			return mismatch("")
		}
	case reflect.Float32, reflect.Float64:
		if _, err := strconv.ParseFloat(string(raw), t.Bits()); err != nil {
			return mismatch("")
		}
	}
	return found
}

// members calls fn for each member of the JSON object raw (at offset at),
// with the offset of its value; it does nothing when raw is no object.
func members(raw []byte, at int64, fn func(key string, v []byte, vat int64)) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return
		}
		fn(key, v, at+dec.InputOffset()-int64(len(v)))
	}
}

// elements calls fn for each element of the JSON array raw (at offset at).
func elements(raw []byte, at int64, fn func(i int, v []byte, vat int64)) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return
	}
	for i := 0; dec.More(); i++ {
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return
		}
		fn(i, v, at+dec.InputOffset()-int64(len(v)))
	}
}

// jsonField is a field of a struct as encoding/json sees it.
type jsonField struct {
	name string
	typ  reflect.Type
}

// jsonFields lists the fields encoding/json decodes into t, the fields of
// untagged embedded structs flattened after the struct's own.
func jsonFields(t reflect.Type) []jsonField {
	var own, inner []jsonField
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				inner = append(inner, jsonFields(ft)...)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		own = append(own, jsonField{name: name, typ: f.Type})
	}
	return append(own, inner...)
}

// lookupField finds the field a key decodes into as encoding/json does:
// the exact name first, else a case-insensitive match.
func lookupField(fields []jsonField, key string) (jsonField, bool) {
	for _, f := range fields {
		if f.name == key {
			return f, true
		}
	}
	for _, f := range fields {
		if strings.EqualFold(f.name, key) {
			return f, true
		}
	}
	return jsonField{}, false
}

// pathKey is a map key as it is shown in a path: quoted unless plain.
func pathKey(key string) string {
	for _, r := range key {
		if !(r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return oneLine(strconv.Quote(key))
		}
	}
	if key == "" {
		return `""`
	}
	return key
}

// describeType says what JSON a Go type takes.
func describeType(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	if t == reflect.TypeFor[time.Time]() {
		return "an RFC 3339 time string"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return describeType(t.Elem())
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a non-negative integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "a " + t.Kind().String()
}

// describeRaw says what a JSON value is, for an error.
func describeRaw(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			if utf8.RuneCountInString(s) > 40 {
				s = string([]rune(s)[:37]) + "..."
			}
			return "string " + oneLine(strconv.Quote(s))
		}
		return "a string"
	case 't', 'f':
		return "boolean " + string(raw)
	case 'n':
		return "null"
	}
	return "number " + oneLine(string(raw[:min(len(raw), 40)]))
}

// filled returns a deep copy of d whose nil slices and maps are empty
// (so that they are written as [] and {}), with every string passed
// through str when it is not nil.
func filled(d *Document, str func(string) string) *Document {
	out := deepCopy(reflect.ValueOf(d).Elem(), str).Interface().(Document)
	return &out
}

// deepCopy copies v, making nil slices and maps empty and mapping strings
// (not map keys) through str. The unexported fields of a struct
// (time.Time's) are copied as they are.
func deepCopy(v reflect.Value, str func(string) string) reflect.Value {
	switch v.Kind() {
	case reflect.String:
		if str == nil {
			return v
		}
		out := reflect.New(v.Type()).Elem()
		out.SetString(str(v.String()))
		return out
	case reflect.Slice:
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			out.Index(i).Set(deepCopy(v.Index(i), str))
		}
		return out
	case reflect.Map:
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		it := v.MapRange()
		for it.Next() {
			out.SetMapIndex(it.Key(), deepCopy(it.Value(), str))
		}
		return out
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type().Elem())
		out.Elem().Set(deepCopy(v.Elem(), str))
		return out
	case reflect.Struct:
		// Unexported fields (all of time.Time's) are copied as they are,
		// the exported ones deeply.
		t := v.Type()
		out := reflect.New(t).Elem()
		out.Set(v)
		for i := range t.NumField() {
			if t.Field(i).IsExported() {
				out.Field(i).Set(deepCopy(v.Field(i), str))
			}
		}
		return out
	}
	return v
}
