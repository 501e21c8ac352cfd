package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/kdelta/kdelta/internal/fileerr"
)

// kcidbFile is the top object. Its arrays are decoded element by element so
// that errors can name the element ("tests[3]").
type kcidbFile struct {
	Version   json.RawMessage   `json:"version"`
	Checkouts []json.RawMessage `json:"checkouts"`
	Builds    []json.RawMessage `json:"builds"`
	Tests     []json.RawMessage `json:"tests"`
}

type kcidbVersion struct {
	Major *int `json:"major"`
	Minor int  `json:"minor"`
}

type kcidbCheckout struct {
	ID                  string `json:"id"`
	Origin              string `json:"origin"`
	TreeName            string `json:"tree_name"`
	GitRepositoryURL    string `json:"git_repository_url"`
	GitCommitHash       string `json:"git_commit_hash"`
	GitRepositoryBranch string `json:"git_repository_branch"`
	GitCommitName       string `json:"git_commit_name"`
}

type kcidbBuild struct {
	ID           string `json:"id"`
	CheckoutID   string `json:"checkout_id"`
	Origin       string `json:"origin"`
	Architecture string `json:"architecture"`
}

type kcidbTest struct {
	ID          string   `json:"id"`
	BuildID     string   `json:"build_id"`
	Origin      string   `json:"origin"`
	Path        *string  `json:"path"`
	Status      *string  `json:"status"`
	StartTime   *string  `json:"start_time"`
	Duration    *float64 `json:"duration"`
	LogURL      string   `json:"log_url"`
	LogExcerpt  string   `json:"log_excerpt"`
	Waived      bool     `json:"waived"`
	Environment *struct {
		Comment string `json:"comment"`
	} `json:"environment"`
	Misc map[string]json.RawMessage `json:"misc"`
}

func parseKCIDB(data []byte) ([]Case, *fileerr.Error) {
	body := bytes.TrimLeft(data, " \t\r\n")
	if len(body) == 0 {
		return nil, errAt("", "empty file; want a kcidb JSON object")
	}
	var top kcidbFile
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, jsonError(data, "", err)
	}
	if body[0] != '{' {
		at := len(data) - len(body)
		return nil, errAt(lineWhere(lineAt(data, int64(at+1))), "top level is null; want a kcidb JSON object")
	}
	if len(top.Version) > 0 && string(top.Version) != "null" {
		var v kcidbVersion
		if err := json.Unmarshal(top.Version, &v); err != nil {
			return nil, jsonError(nil, "version", err)
		}
		switch {
		case v.Major == nil:
			return nil, errAt("version", "has no major; want {\"major\": 4 or 5, \"minor\": N}")
		case *v.Major != 4 && *v.Major != 5:
			return nil, errAt("version", fmt.Sprintf("schema %d.%d is not supported; want kcidb schema v4 or v5", *v.Major, v.Minor))
		}
	}

	checkouts := make(map[string]*kcidbCheckout, len(top.Checkouts))
	for i, raw := range top.Checkouts {
		where := "checkouts[" + strconv.Itoa(i) + "]"
		var co kcidbCheckout
		if err := json.Unmarshal(raw, &co); err != nil {
			return nil, jsonError(nil, where, err)
		}
		if _, dup := checkouts[co.ID]; !dup && co.ID != "" {
			checkouts[co.ID] = &co
		}
	}
	builds := make(map[string]*kcidbBuild, len(top.Builds))
	for i, raw := range top.Builds {
		where := "builds[" + strconv.Itoa(i) + "]"
		var b kcidbBuild
		if err := json.Unmarshal(raw, &b); err != nil {
			return nil, jsonError(nil, where, err)
		}
		if _, dup := builds[b.ID]; !dup && b.ID != "" {
			builds[b.ID] = &b
		}
	}

	cases := make([]Case, 0, len(top.Tests))
	for i, raw := range top.Tests {
		where := "tests[" + strconv.Itoa(i) + "]"
		var t kcidbTest
		if err := json.Unmarshal(raw, &t); err != nil {
			return nil, jsonError(nil, where, err)
		}
		c, err := kcidbCase(&t, builds, checkouts)
		if err != nil {
			err.Where = where
			return nil, err
		}
		c.Where = where
		cases = append(cases, c)
	}
	return cases, nil
}

func kcidbCase(t *kcidbTest, builds map[string]*kcidbBuild, checkouts map[string]*kcidbCheckout) (Case, *fileerr.Error) {
	var c Case
	if t.Path == nil || strings.TrimSpace(*t.Path) == "" {
		return c, errAt("", "path missing; want a dot-separated test path such as \"ipoib.connected_mode.ping\"")
	}
	c.Path = strings.TrimSpace(*t.Path)
	c.Suite = firstElement(c.Path)
	if t.Status == nil {
		return c, errAt("", "status missing; want "+statusList+" (kcidb allows none, but a result without one cannot be judged)")
	}
	st, ok := kcidbStatus(*t.Status)
	if !ok {
		return c, errAt("", "status "+strconv.Quote(*t.Status)+" is not one of "+statusList)
	}
	c.Status = st
	if t.StartTime != nil && strings.TrimSpace(*t.StartTime) != "" {
		tm, ok := parseTime(*t.StartTime)
		if !ok {
			return c, errAt("", "start_time "+strconv.Quote(*t.StartTime)+" is not RFC 3339; want e.g. 2024-05-01T12:00:00Z")
		}
		c.Start = tm
	}
	if t.Duration != nil {
		d, ok := secondsDuration(*t.Duration)
		if !ok {
			return c, errAt("", "duration "+strconv.FormatFloat(*t.Duration, 'g', -1, 64)+" is not a number of seconds; want a non-negative number such as 1.25")
		}
		c.Duration = d
	}
	c.LogURL = strings.TrimSpace(t.LogURL)
	c.Message = firstLine(t.LogExcerpt)
	c.Lab = strings.TrimSpace(t.Origin)

	var hw []string
	b := builds[t.BuildID]
	if b == nil && t.BuildID != "" {
		return c, errAt("", "build_id "+strconv.Quote(t.BuildID)+" names no build in this file; import a submission whole (its checkouts, builds and tests together)")
	}
	if b != nil {
		if a := strings.TrimSpace(b.Architecture); a != "" {
			hw = append(hw, a)
		}
		if co := checkouts[b.CheckoutID]; co != nil {
			if c.Lab == "" {
				c.Lab = strings.TrimSpace(co.Origin)
			}
			c.Target = Target{
				Source:  strings.TrimSpace(co.TreeName),
				Ref:     strings.TrimSpace(co.GitCommitName),
				Commit:  strings.TrimSpace(co.GitCommitHash),
				RepoURL: strings.TrimSpace(co.GitRepositoryURL),
			}
			if c.Target.Ref == "" {
				c.Target.Ref = strings.TrimSpace(co.GitRepositoryBranch)
			}
		}
	}
	if t.Environment != nil {
		if ec := strings.TrimSpace(t.Environment.Comment); ec != "" {
			hw = append(hw, ec)
		}
	}
	c.Hardware = strings.Join(hw, " ")

	if len(t.Misc) > 0 || t.Waived {
		props := map[string]string{}
		for _, k := range slices.Sorted(maps.Keys(t.Misc)) {
			flatten(k, t.Misc[k], props, 1)
		}
		if t.Waived {
			props["kcidb.waived"] = "true"
		}
		if len(props) > 0 {
			c.Properties = props
		}
	}
	return c, nil
}

// maxMiscDepth is how many parts a flattened misc key may have; objects
// deeper down are kept as JSON text, so that a deep object cannot make keys whose
// total length grows with the square of its depth.
const maxMiscDepth = 8

// flatten adds a misc value at depth to props: a string as is, a number,
// boolean or array as its JSON text, null as "", and an object's members
// under key + "." + member (below maxMiscDepth, an object as JSON text).
func flatten(key string, raw json.RawMessage, props map[string]string, depth int) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			props[key] = s
			return
		}
	case 'n':
		props[key] = ""
		return
	case '{':
		var m map[string]json.RawMessage
		if depth < maxMiscDepth && json.Unmarshal(raw, &m) == nil {
			// Sorted, so that when "a.b" and {"a": {"b"}} collide
			// the same one wins every time.
			for _, k := range slices.Sorted(maps.Keys(m)) {
				flatten(key+"."+k, m[k], props, depth+1)
			}
			return
		}
		fallthrough
	case '[':
		var buf bytes.Buffer
		if json.Compact(&buf, raw) == nil {
			props[key] = buf.String()
			return
		}
	}
	props[key] = string(raw)
}

// jsonError turns a decoding error into an *fileerr.Error. data is the whole
// file when err comes from decoding it, nil when from decoding an element
// named by where. A syntax error names the line; a type error names the
// field, and the line or element.
func jsonError(data []byte, where string, err error) *fileerr.Error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se) && data != nil:
		return errAt(lineWhere(lineAt(data, se.Offset)), "malformed JSON: "+se.Error())
	case errors.As(err, &te):
		got := jsonValue(te.Value)
		want := jsonKind(te.Type)
		if kind, num, ok := strings.Cut(te.Value, " "); ok && kind == "number" {
			// A number that does not fit the type, like 1e999 or 4.5 for
			// an integer.
			got, want = num, want+" in range"
		}
		if data != nil {
			where = lineWhere(lineAt(data, te.Offset))
		}
		if te.Field == "" {
			if data != nil {
				return errAt(where, "top level is "+got+"; want a kcidb JSON object")
			}
			return errAt(where, "is "+got+"; want "+want)
		}
		return errAt(where, strconv.Quote(te.Field)+" is "+got+"; want "+want)
	}
	return errAt(where, "malformed JSON: "+err.Error())
}

// jsonValue names the kind of JSON value a type error reports.
func jsonValue(v string) string {
	switch v {
	case "string", "number":
		return "a " + v
	case "object", "array":
		return "an " + v
	case "bool":
		return "true or false"
	case "":
		return "a value of another type"
	}
	return v
}

// jsonKind names a Go type as the JSON value it decodes.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return t.String()
}

// lineAt is the 1-based line of the byte before offset (the one a JSON
// error is reported after).
func lineAt(data []byte, offset int64) int {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	if offset > 0 {
		offset--
	}
	if offset < 0 {
		offset = 0
	}
	return 1 + bytes.Count(data[:offset], []byte{'\n'})
}
