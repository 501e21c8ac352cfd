package results

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestKCIDBFixture(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "cki.kcidb.json"))
	if err != nil {
		t.Fatal(err)
	}
	f := mustParse(t, "cki.kcidb.json", string(data), "")
	if f.Format != FormatKCIDB {
		t.Errorf("format %q", f.Format)
	}
	rhel := Target{Source: "rhel-9.4", Ref: "kernel-5.14.0-427.el9", Commit: "0123456789abcdef0123456789abcdef01234567",
		RepoURL: "https://gitlab.com/redhat/centos-stream/src/kernel/centos-stream-9.git"}
	checkCases(t, f.Cases, []Case{
		{Path: "ipoib.connected_mode.ping", Suite: "ipoib", Status: StatusPass, Start: utc("2024-05-01T10:00:00.5Z"),
			Duration: 1500 * time.Millisecond, LogURL: "https://logs.example/t1.log", Lab: "unh-iol",
			Hardware: "x86_64 ConnectX-6 Dx", Target: rhel,
			Properties: map[string]string{"rerun": "2", "fabric": "ib-hdr", "tags": `["a","b"]`, "driver.name": "mlx5",
				"driver.fw": "22.39", "note": "", "flaky": "false"},
			Where: "tests[0]"},
		{Path: "rdma_cm.connect", Suite: "rdma_cm", Status: StatusFail, Message: "connect timed out", Lab: "cki",
			Hardware: "aarch64", Target: Target{Source: "rdma", Ref: "for-next"},
			Properties: map[string]string{"kcidb.waived": "true"}, Where: "tests[1]"},
		{Path: "srp.login", Suite: "srp", Status: StatusMiss, Lab: "unh", Where: "tests[2]"},
		{Path: "perf.ib_write_bw", Suite: "perf", Status: StatusDone, Lab: "unh", Hardware: "x86_64", Target: rhel, Where: "tests[3]"},
	})
}

// kcidbGood are KCIDB files that parse, with what they hold.
func kcidbGood() []goodCase {
	return []goodCase{
		{"empty object", `{}`, nil},
		{"no tests", `{"version":{"major":5,"minor":3},"checkouts":[{"id":"a:1","origin":"a"}],"tests":[]}`, nil},
		{"null arrays", `{"version":null,"checkouts":null,"tests":null}`, nil},
		{"bom, crlf, v5 fields, lower-case status, test without build",
			"\xef\xbb\xbf{\r\n\"version\":{\"major\":5},\r\n\"issues\":[{\"id\":\"x:1\"}],\r\n\"tests\":[{\"id\":\"a:t\",\"origin\":\"a\",\"path\":\"mlx5.probe\",\"status\":\"skip\",\"number\":{\"value\":3},\"environment\":{\"comment\":\"cx7\",\"compatible\":[\"x\"]}}]}",
			[]Case{{Path: "mlx5.probe", Suite: "mlx5", Status: StatusSkip, Lab: "a", Hardware: "cx7", Where: "tests[0]"}}},
		{"build without checkout in file: architecture only",
			`{"builds":[{"id":"a:b","checkout_id":"a:gone","origin":"a","architecture":"ppc64le"}],
			  "tests":[{"id":"a:t","build_id":"a:b","origin":"a","path":"core","status":"ERROR","duration":2.5}]}`,
			[]Case{{Path: "core", Suite: "core", Status: StatusError, Duration: 2500 * time.Millisecond, Lab: "a", Hardware: "ppc64le", Where: "tests[0]"}}},
		{"checkout with hash only; empty misc is nil properties",
			`{"checkouts":[{"id":"a:c","origin":"o","git_commit_hash":"abc"}],
			  "builds":[{"id":"a:b","checkout_id":"a:c","origin":"a"}],
			  "tests":[{"id":"a:t","build_id":"a:b","path":"x.y","status":"PASS","misc":{}}]}`,
			[]Case{{Path: "x.y", Suite: "x", Status: StatusPass, Lab: "o", Target: Target{Commit: "abc"}, Where: "tests[0]"}}},
	}
}

func TestKCIDBGood(t *testing.T) {
	runGood(t, FormatKCIDB, kcidbGood())
}

// kcidbBad are KCIDB files that must be refused.
func kcidbBad() []badCase {
	return []badCase{
		{"empty", "  \n", "", "empty file; want a kcidb JSON object"},
		{"syntax error", "{\n\"tests\": [\n{\"path\": \"a\",,}\n]}", "line 3", "malformed JSON: invalid character ','"},
		{"truncated", "{\n\"tests\": [\n", "line 2", "malformed JSON: unexpected end of JSON input"},
		{"trailing garbage", "{}\n{}", "line 2", "malformed JSON: invalid character '{' after top-level value"},
		{"array at top", "\n[]", "line 2", "top level is an array; want a kcidb JSON object"},
		{"null at top", "\n\nnull", "line 3", "top level is null; want a kcidb JSON object"},
		{"tests not an array", "{\n\"tests\": {}}", "line 2", `"tests" is an object; want an array`},
		{"version 3", `{"version":{"major":3,"minor":0},"revisions":[]}`, "version", "schema 3.0 is not supported; want kcidb schema v4 or v5"},
		{"version without major", `{"version":{"minor":1}}`, "version", "has no major"},
		{"version wrong type", `{"version":{"major":"4"}}`, "version", `"major" is a string; want an integer`},
		{"test not an object", `{"tests":[{"path":"a","status":"PASS"},"x"]}`, "tests[1]", "is a string; want an object"},
		{"path missing", `{"tests":[{"id":"a:1","status":"PASS"}]}`, "tests[0]", "path missing"},
		{"path empty", `{"tests":[{"path":"a","status":"PASS"},{"path":"","status":"PASS"}]}`, "tests[1]", "path missing"},
		{"status missing", `{"tests":[{"path":"a.b"}]}`, "tests[0]", "status missing; want FAIL, ERROR, MISS, PASS, DONE or SKIP (kcidb allows none"},
		{"status unknown", `{"tests":[{"path":"a.b","status":"passed"}]}`, "tests[0]", `status "passed" is not one of FAIL, ERROR, MISS, PASS, DONE or SKIP`},
		{"status wrong type", `{"tests":[{"path":"a.b","status":1}]}`, "tests[0]", `"status" is a number; want a string`},
		{"bad start_time", `{"tests":[{"path":"a.b","status":"PASS","start_time":"yesterday"}]}`, "tests[0]", `start_time "yesterday" is not RFC 3339`},
		{"negative duration", `{"tests":[{"path":"a.b","status":"PASS","duration":-1}]}`, "tests[0]", "duration -1 is not a number of seconds"},
		{"duration as string", `{"tests":[{"path":"a.b","status":"PASS","duration":"1"}]}`, "tests[0]", `"duration" is a string; want a number`},
		{"huge duration", `{"tests":[{"path":"a.b","status":"PASS","duration":1e999}]}`, "tests[0]", `"duration" is 1e999; want a number in range`},
		{"fractional major", `{"version":{"major":4.5}}`, "version", `"major" is 4.5; want an integer in range`},
		{"nested type error", `{"tests":[{"path":"a.b","status":"PASS","environment":{"comment":5}}]}`, "tests[0]", `"environment.comment" is a number; want a string`},
		{"misc not an object", `{"tests":[{"path":"a.b","status":"PASS","misc":[1]}]}`, "tests[0]", `"misc" is an array; want an object`},
		{"bad checkout", `{"checkouts":[{"id":"a:1"},{"id":7}]}`, "checkouts[1]", `"id" is a number; want a string`},
		{"bad build", `{"builds":[[]]}`, "builds[0]", "is an array; want an object"},
		{"build nowhere", `{"tests":[{"path":"a.b","status":"PASS","build_id":"lab:b9"}]}`, "tests[0]", `build_id "lab:b9" names no build in this file`},
	}
}

func TestKCIDBBad(t *testing.T) {
	runBad(t, FormatKCIDB, kcidbBad())
}

func TestKCIDBMiscFlatten(t *testing.T) {
	deep := `{"l2":{"l3":{"l4":{"l5":{"l6":{"l7":{"l8":{"l9":1}}}}}}}}`
	data := `{"tests":[{"path":"a","status":"PASS","misc":{"a.b":1,"a":{"b":2},"deep":` + deep + `,"s":"x"}}]}`
	for i := 0; i < 20 && !t.Failed(); i++ {
		f := mustParse(t, "m.json", data, FormatKCIDB)
		want := map[string]string{
			"a.b":                       "1",        // "a.b" sorts after "a", so it wins the collision every time
			"deep.l2.l3.l4.l5.l6.l7.l8": `{"l9":1}`, // keys of at most 8 parts

			"s": "x",
		}
		checkCases(t, f.Cases, []Case{{Path: "a", Suite: "a", Status: StatusPass, Properties: want, Where: "tests[0]"}})
	}
}
