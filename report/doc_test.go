package report

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestSchemaDocumented: every field of the JSON form is named in the
// package documentation, so a field added to the analyzer's types is
// documented before it ships.
func TestSchemaDocumented(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(src)
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type, string)
	walk = func(typ reflect.Type, path string) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Map {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || typ == reflect.TypeFor[time.Time]() || seen[typ] {
			return
		}
		seen[typ] = true
		for _, f := range jsonFields(typ) {
			if !regexp.MustCompile(`\b` + regexp.QuoteMeta(f.name) + `\b`).MatchString(doc) {
				t.Errorf("the JSON field %s.%s is not documented in doc.go", strings.TrimPrefix(path, "."), f.name)
			}
			walk(f.typ, path+"."+f.name)
		}
	}
	walk(reflect.TypeFor[Document](), "")
	if len(seen) < 10 {
		t.Errorf("only %d types walked", len(seen))
	}
}
