package results

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// writeJUnit writes a JUnit file of n cases in suites of 1,000, each
// suite's properties after its cases (as some tools write them), every
// 100th case a failure with a message and its own property.
func writeJUnit(t *testing.T, path string, n int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString("\ufeff<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"iol\">\n<properties><property name=\"lab\" value=\"unh-iol\"/></properties>\n")
	for i := 0; i < n; i++ {
		if i%1000 == 0 {
			fmt.Fprintf(w, "<testsuite name=\"suite%d\" timestamp=\"2024-05-01T12:00:00Z\">\n", i/1000)
		}
		comp := [...]string{"ipoib", "mlx5", "rdma_cm", "roce", "core"}[i%5]
		if i%100 == 7 {
			fmt.Fprintf(w, "<testcase classname=\"%s.group\" name=\"case%d\" time=\"0.5\"><properties><property name=\"seed\" value=\"%d\"/></properties><failure message=\"boom %d\">trace</failure></testcase>\n", comp, i, i, i)
		} else {
			fmt.Fprintf(w, "<testcase classname=\"%s.group\" name=\"case%d\" time=\"0.25\"/>\n", comp, i)
		}
		if i%1000 == 999 || i == n-1 {
			fmt.Fprintf(w, "<properties><property name=\"hardware\" value=\"ConnectX-%d\"/></properties>\n</testsuite>\n", i/1000)
		}
	}
	w.WriteString("</testsuites>\n")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// A stream reads the same cases, with the same digest, as the whole file
// parsed at once: properties that follow a suite's cases included.
func TestStreamReadsWhatParseReads(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "r.csv")
	os.WriteFile(csvPath, []byte("test,status,lab,extra\nipoib.ping,PASS,iol,x\n,,,\nmlx5.reset,failed,iol,\n"), 0o644)
	junitPath := filepath.Join(dir, "r.xml")
	writeJUnit(t, junitPath, 2500)
	fixtures := []string{"testdata/unh-iol.junit.xml", "testdata/iol.csv", "testdata/cki.kcidb.json"}
	for _, path := range append([]string{csvPath, junitPath}, fixtures...) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			whole, err := Parse(path, data, "")
			if err != nil {
				t.Fatal(err)
			}
			s, err := Open(path, "")
			if err != nil {
				t.Fatal(err)
			}
			if s.Format() != whole.Format || s.Digest() != whole.Digest || s.Count() != len(whole.Cases) {
				t.Errorf("stream %s %s %d, parse %s %s %d", s.Format(), s.Digest(), s.Count(), whole.Format, whole.Digest, len(whole.Cases))
			}
			for round := 0; round < 2; round++ { // Each may be called again
				var got []Case
				if err := s.Each(7, func(cs []Case) error {
					if len(cs) > 7 {
						t.Fatalf("a batch of %d, want at most 7", len(cs))
					}
					got = append(got, cs...)
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, whole.Cases) && !(len(got) == 0 && len(whole.Cases) == 0) {
					t.Fatalf("round %d: %d cases differ from Parse's %d (first: %+v vs %+v)", round, len(got), len(whole.Cases), first(got), first(whole.Cases))
				}
			}
		})
	}
}

func first(cs []Case) any {
	if len(cs) == 0 {
		return nil
	}
	return cs[0]
}

// Reading a JUnit file case by case holds what a batch holds, not what
// the file holds: the live heap while reading a file of 200,000 cases is
// about that of one of 20,000 (it was every case, and the file, at once:
// 1.2 GB for a million cases).
func TestStreamMemoryDoesNotGrowWithTheFile(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and reads 220,000 cases")
	}
	dir := t.TempDir()
	peak := func(n int) uint64 {
		path := filepath.Join(dir, fmt.Sprintf("r%d.xml", n))
		writeJUnit(t, path, n)
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		s, err := Open(path, "")
		if err != nil {
			t.Fatal(err)
		}
		var most uint64
		batches := 0
		err = s.Each(1000, func(cs []Case) error {
			batches++
			if batches%20 == 0 {
				runtime.GC()
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				if m.HeapAlloc > base.HeapAlloc {
					most = max(most, m.HeapAlloc-base.HeapAlloc)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if s.Count() != n {
			t.Fatalf("%d cases, want %d", s.Count(), n)
		}
		return most
	}
	small, large := peak(20000), peak(200000)
	t.Logf("live heap while reading: %d KiB for 20,000 cases, %d KiB for 200,000", small>>10, large>>10)
	if large > 16<<20 {
		t.Errorf("%d MiB live while reading 200,000 cases, want under 16 MiB", large>>20)
	}
	if large > 3*small+(1<<20) {
		t.Errorf("the live heap grows with the file: %d KiB for 20,000 cases, %d KiB for 200,000", small>>10, large>>10)
	}
}

// A file that changes between Open's check and a read is refused: what
// was checked is not what would be stored.
func TestStreamRefusesAFileThatChanged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.csv")
	os.WriteFile(path, []byte("test,status\nipoib.ping,PASS\n"), 0o644)
	s, err := Open(path, "")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, []byte("test,status\nipoib.ping,FAIL\n"), 0o644)
	err = s.Each(10, func([]Case) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "changed while it was read") || !strings.Contains(err.Error(), path) {
		t.Errorf("err = %v, want the file named as changed", err)
	}
}

// Open checks the whole file before a case is used: a bad case at the end
// refuses the file before Each is called (whose caller stores them).
func TestOpenChecksTheWholeFileFirst(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.xml")
	writeJUnit(t, path, 3000)
	data, _ := os.ReadFile(path)
	bad := strings.Replace(string(data), `name="case2999" time="0.25"`, `name="case2999" time="soon"`, 1)
	os.WriteFile(path, []byte(bad), 0o644)
	_, err := Open(path, "")
	if err == nil || !strings.Contains(err.Error(), `time "soon"`) {
		t.Fatalf("err = %v, want the bad time of the last case", err)
	}
}
