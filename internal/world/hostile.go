package world

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"mime"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// HostileLine is one line of text made to take over a terminal that
// prints it raw: it sets the window title (OSC 0), clears the screen,
// colours what follows, plants a hyperlink (OSC 8), moves the cursor back
// over what was printed (carriage return, backspace), holds DEL, the C1
// controls NEL and CSI, bidi overrides and isolates that show text in
// another order than it is stored, and a tab that breaks a table. It has
// no newline, so it fits in a subject.
const HostileLine = "\x1b]0;pwned\x07\x1b[2J\x1b[31mred\x1b[0m \x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\" +
	" cr\rbs\bdel\x7f c1\u0085\u009b2J bidi \u202eevil\u202c \u2066iso\u2069 tab\tend"

// Hostile is what PlantHostile added to a world.
type Hostile struct {
	// Upstream is an upstream commit: a missing fix (Cc: stable) for an
	// mlx5 commit every downstream has, whose subject, author, trailers,
	// file name and content hold HostileLine.
	Upstream string
	// Downstream is a downstream-only commit of the distro (rhel) with
	// the same kinds of text; it was posted to the mailing list.
	Downstream string
	// Posting is the message-id (hostile too) of the posting of
	// Downstream; Broken is that of a posting whose diff is cut inside a
	// hunk, which a sync records as a skip.
	Posting, Broken string
	// Results is the results file (CSV, relative to the world's
	// directory) of one test, Test, that passes on the distro's
	// second-to-last tested release and fails on its last, with a lab,
	// hardware and message that hold HostileLine.
	Results, Test string
}

// hostileAuthor is the author of the hostile commits and postings.
var hostileAuthor = person{name: "Mallory \x1b]0;pwned\x07\u202eyrollaM\u202c", email: "mallory@evil.example"}

// PlantHostile adds hostile text to the world at dir, where kdelta reads
// it: a commit on the upstream branch and on the distro's branch (as
// loose objects), two postings at the end of the mailing-list archive and
// a results file. truth.json is left as it was: the hostile commits are
// not part of the ground truth a matcher is scored against.
func PlantHostile(dir string) (*Hostile, error) {
	truth, err := LoadTruth(filepath.Join(dir, "truth.json"))
	if err != nil {
		return nil, fmt.Errorf("plant hostile: %w", err)
	}
	h := &Hostile{}
	up, err := git.PlainOpen(filepath.Join(dir, truth.Upstream.Source+".git"))
	if err != nil {
		return nil, fmt.Errorf("plant hostile: %s: %w", truth.Upstream.Source, err)
	}
	fixed, err := mlx5Before(up, "v5.14")
	if err != nil {
		return nil, fmt.Errorf("plant hostile: %w", err)
	}
	upMsg := "RDMA/mlx5: " + HostileLine + "\n\n" +
		"A body with the same text, \x1b[2J\x1b[H on a line of its own,\r\n" +
		HostileLine + "\n\n" +
		fmt.Sprintf("Fixes: %.12s (\"%s\")\n", fixed.Hash, HostileLine) +
		"Cc: stable@vger.kernel.org\n" +
		"Link: https://evil.example/\x1b]8;;https://evil.example/x\x1b\\p\x1b]8;;\x1b\\\n" +
		sob(hostileAuthor)
	upPath := "drivers/infiniband/hw/mlx5/\x1b]0;pwned\x07\u202eh.c"
	upLines := []string{"/* " + HostileLine + " */", "static int hostile\r = 1;", "\x1b[2J\x1b[3J"}
	h.Upstream, err = appendHostile(up, truth.Upstream.Branch, upPath, upLines, upMsg)
	if err != nil {
		return nil, fmt.Errorf("plant hostile: %s: %w", truth.Upstream.Source, err)
	}

	ds := truth.Downstream(distroName)
	if ds == nil {
		return nil, fmt.Errorf("plant hostile: truth.json has no downstream %q", distroName)
	}
	down, err := git.PlainOpen(filepath.Join(dir, ds.Source+".git"))
	if err != nil {
		return nil, fmt.Errorf("plant hostile: %s: %w", ds.Source, err)
	}
	subject := "IB/mlx5: carry " + HostileLine
	downPath := "drivers/infiniband/hw/mlx5/hostile_notes.h"
	// No carriage return in the file: a mail archive may fold it into the
	// line end, and the posting must carry the same diff.
	downLines := []string{"/* \x1b]0;pwned\x07 \x1b[2J \u202eevil\u202c */", "#define HOSTILE_NOTES 1"}
	body := "Shown raw, \x1b]8;;https://evil.example/\x1b\\this\x1b]8;;\x1b\\ is a link and \u202ethis\u202c reads backwards.\n\n" +
		sob(hostileAuthor)
	h.Downstream, err = appendHostile(down, ds.Branch, downPath, downLines, subject+"\n\n"+body)
	if err != nil {
		return nil, fmt.Errorf("plant hostile: %s: %w", ds.Source, err)
	}

	h.Posting = "20240101120000.1-hostile-\x1b]0;pwned\x07@evil.example"
	h.Broken = "20240101120000.2-hostile-\x1b[2J@evil.example"
	var mb bytes.Buffer
	writeHostilePosting(&mb, h.Posting, subject, body, newFileDiff(downPath, downLines), time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC))
	cut := newFileDiff("drivers/infiniband/hw/mlx5/\x1b]0;pwned\x07.c", []string{"int a;", "int b;", "int c;"})
	cut = cut[:strings.LastIndex(cut, "+int b;")] // the hunk says 3 lines, 1 follows
	writeHostilePosting(&mb, h.Broken, "IB/mlx5: cut "+HostileLine, body, cut, time.Date(2024, 1, 1, 12, 5, 0, 0, time.UTC))
	if err := appendFile(filepath.Join(dir, "linux-rdma.mbox"), mb.Bytes()); err != nil {
		return nil, fmt.Errorf("plant hostile: %w", err)
	}

	// The test rules' * does not match a /: the test belongs to ipoib and
	// mlx5 without the hyperlink's slashes.
	h.Test = "ipoib.mlx5." + strings.ReplaceAll(HostileLine, "/", "-")
	h.Results = filepath.Join("results", "hostile.csv")
	if err := writeHostileResults(filepath.Join(dir, h.Results), truth, h.Test); err != nil {
		return nil, fmt.Errorf("plant hostile: %w", err)
	}
	return h, nil
}

// mlx5Before returns the newest non-merge commit before the tag whose
// subject names mlx5: one every downstream based on the tag or later has.
func mlx5Before(repo *git.Repository, tag string) (*object.Commit, error) {
	ref, err := repo.Tag(tag)
	if err != nil {
		return nil, fmt.Errorf("tag %s: %w", tag, err)
	}
	h := ref.Hash()
	if t, err := repo.TagObject(h); err == nil {
		h = t.Target
	}
	it, err := repo.Log(&git.LogOptions{From: h})
	if err != nil {
		return nil, err
	}
	defer it.Close()
	for {
		c, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("no mlx5 commit before %s: %w", tag, err)
		}
		if c.NumParents() == 1 && strings.Contains(strings.SplitN(c.Message, "\n", 2)[0], "mlx5") {
			return c, nil
		}
	}
}

// appendHostile commits a new file (path, lines) with message on top of
// branch, by hostileAuthor an hour after the tip, and moves the branch.
func appendHostile(repo *git.Repository, branch, path string, lines []string, message string) (string, error) {
	refName := plumbing.NewBranchReferenceName(branch)
	ref, err := repo.Reference(refName, true)
	if err != nil {
		return "", fmt.Errorf("%s: %w", refName, err)
	}
	tip, err := repo.CommitObject(ref.Hash())
	if err != nil {
		return "", err
	}
	tree, err := tip.Tree()
	if err != nil {
		return "", err
	}
	root, err := loadTree(repo, tree)
	if err != nil {
		return "", err
	}
	res, ok := applyChange(root, &changeSet{Files: []fileChange{{Op: opCreate, Path: path, Lines: lines, Mode: modeFile}}}, true)
	if !ok {
		return "", fmt.Errorf("%s already exists", path)
	}
	lw := looseWriter{repo.Storer}
	t, err := lw.putTree(res.root)
	if err != nil {
		return "", err
	}
	when := tip.Committer.When.Unix() + 3600
	obj := commitObj{tree: t, parents: []oid{oid(tip.Hash)}, author: hostileAuthor, authorTime: when,
		committer: hostileAuthor, commitTime: when, message: message}
	id, err := lw.put(objCommit, obj.encode())
	if err != nil {
		return "", err
	}
	if err := repo.Storer.SetReference(plumbing.NewHashReference(refName, plumbing.Hash(id))); err != nil {
		return "", err
	}
	return id.String(), nil
}

// newFileDiff is the diff of a commit that creates path with lines.
func newFileDiff(path string, lines []string) string {
	blob := hashObject(objBlob, []byte(strings.Join(lines, "\n")+"\n"))
	var b strings.Builder
	fmt.Fprintf(&b, "diff --git a/%s b/%s\nnew file mode 100644\nindex 0000000..%.7s\n--- /dev/null\n+++ b/%s\n@@ -0,0 +1,%d @@\n",
		path, path, blob.String(), path, len(lines))
	for _, l := range lines {
		b.WriteString("+" + l + "\n")
	}
	return b.String()
}

// writeHostilePosting writes a patch posting in mbox form: the subject
// and the sender's name as RFC 2047 encoded-words, as a mail client would
// send them, the message-id raw.
func writeHostilePosting(b *bytes.Buffer, msgID, subject, body, diff string, at time.Time) {
	fmt.Fprintf(b, "From %s %s\n", hostileAuthor.email, at.Format("Mon Jan _2 15:04:05 2006"))
	fmt.Fprintf(b, "From: %s <%s>\n", mime.QEncoding.Encode("UTF-8", hostileAuthor.name), hostileAuthor.email)
	b.WriteString("To: linux-rdma@vger.kernel.org\n")
	fmt.Fprintf(b, "Subject: [PATCH] %s\n", mime.QEncoding.Encode("UTF-8", subject))
	fmt.Fprintf(b, "Date: %s\n", at.Format(time.RFC1123Z))
	fmt.Fprintf(b, "Message-ID: <%s>\n", msgID)
	b.WriteString("MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n")
	b.WriteString(body)
	b.WriteString("---\n" + diff + "-- \n2.43.0\n\n")
}

func appendFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeHostileResults writes a CSV results file: test passes on the
// second-to-last release of the distro the world's results test and fails
// on the last, in a lab and on hardware whose names hold HostileLine.
func writeHostileResults(path string, truth *Truth, test string) error {
	var targets []string
	if truth.Results != nil {
		for _, f := range truth.Results.Files {
			if f.Source == distroName && f.Target != "" {
				targets = append(targets, f.Target)
			}
		}
	}
	if len(targets) < 2 {
		return fmt.Errorf("the world's results test fewer than two releases of %s", distroName)
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"test", "status", "suite", "lab", "hardware", "target", "start", "duration", "log_url", "message"})
	for i, st := range []string{"PASS", "FAIL"} {
		target := targets[len(targets)-2+i]
		msg := ""
		if st == "FAIL" {
			msg = "timeout " + HostileLine
		}
		w.Write([]string{test, st, "ipoib", "lab " + HostileLine, "hw \u202eevil\u202c", target,
			fmt.Sprintf("2025-06-0%dT10:00:00Z", i+1), "1.5", "https://evil.example/\x1b]8;;x\x1b\\log", msg})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
