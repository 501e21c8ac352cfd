package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// A CI gate fails closed: a baseline that compares nothing (another
// project's report, one naming no downstream, or one under which no check
// runs) is bad input, exit 2 with the reason; it said "no regressions (0
// checks)" and exited 0.
func TestCheckRefusesABaselineThatComparesNothing(t *testing.T) {
	dir, _, do := demoWorld(t)
	own := filepath.Join(dir, "baseline.json")
	if _, errs, code := do("report", "--format", "json", "-o", own); code != exitOK {
		t.Fatalf("report: exit %d: %s", code, errs)
	}
	data, err := os.ReadFile(own)
	if err != nil {
		t.Fatal(err)
	}
	// rewrite writes the report with its downstreams changed by edit.
	rewrite := func(name string, edit func(dss []any) []any) string {
		var doc map[string]any
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		dss, _ := doc["downstreams"].([]any)
		if len(dss) == 0 {
			t.Fatalf("the report has no downstreams: %.200s", data)
		}
		doc["downstreams"] = edit(dss)
		b, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	other := rewrite("other.json", func(dss []any) []any {
		for _, d := range dss {
			m := d.(map[string]any)
			m["downstream"] = "acme-" + m["downstream"].(string)
		}
		return dss
	})
	none := rewrite("none.json", func([]any) []any { return []any{} })
	policy := filepath.Join(dir, "growth-only.toml")
	if err := os.WriteFile(policy, []byte("checks = [\"growth\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	junit := filepath.Join(dir, "check.xml")
	for _, tc := range []struct {
		name string
		args []string
		code int
		says string
	}{
		{"its own report", []string{"--baseline", own}, exitOK, ""},
		{"another project's report", []string{"--baseline", other}, exitBadInput, "shares no downstream with what is checked (it has acme-"},
		{"a report naming no downstream", []string{"--baseline", none}, exitBadInput, "names no downstream"},
		{"no check runs", []string{"--baseline", own, "--policy", policy}, exitBadInput, "no check ran (no growth limit set"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(junit)
			out, errs, code := do(append([]string{"check", "--junit", junit}, tc.args...)...)
			if code != tc.code || !strings.Contains(errs, tc.says) {
				t.Fatalf("exit %d, want %d; stderr %q, want %q; stdout %q", code, tc.code, errs, tc.says, out)
			}
			if tc.code == exitOK {
				return
			}
			if strings.Count(strings.TrimSpace(errs), "\n") != 0 {
				t.Errorf("not one line: %q", errs)
			}
			if strings.Contains(out, "no regressions") {
				t.Errorf("it still says %q", out)
			}
			if _, err := os.Stat(junit); err == nil {
				t.Errorf("a JUnit file of no checks was written")
			}
		})
	}
}

// tui --print on a store whose first screen cannot be drawn (a downstream
// the store has not synced) prints the error and exits 2; it waited
// forever, for a key no one would press.
func TestTUIPrintOnAScreenThatCannotBeDrawn(t *testing.T) {
	dir, _, do := demoWorld(t)
	config := filepath.Join(dir, "kdelta.toml")
	f, err := os.OpenFile(config, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("\n[[source]]\nname = \"later\"\nkind = \"distro\"\nurl = \"rhel.git\"\nrefs = [\"main\"]\nupstream = \"linux\"\n")
	f.Close()
	type result struct {
		out, errs string
		code      int
	}
	done := make(chan result, 1)
	go func() {
		out, errs, code := do("tui", "--print")
		done <- result{out, errs, code}
	}()
	select {
	case r := <-done:
		if r.code != exitBadInput || !strings.Contains(r.errs, "later") || strings.Count(strings.TrimSpace(r.errs), "\n") != 0 {
			t.Errorf("exit %d, want %d; stderr %q, want one line naming the downstream", r.code, exitBadInput, r.errs)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("tui --print still runs after 30 s")
	}
}

// SIGINT or SIGTERM during the TUI ends it within a second, exit 130,
// with the terminal as it was: out of the alternate screen, the cursor
// shown, the line discipline back (echo, canonical mode). It exited 0, or
// not at all (bubbletea's own signal handler could wait forever on a
// program that had stopped).
func TestTUIEndsOnASignal(t *testing.T) {
	dir, _, _ := demoWorld(t)
	config := filepath.Join(dir, "kdelta.toml")
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			master, slave, err := openPTY()
			if err != nil {
				t.Skip("no pseudo-terminal:", err)
			}
			defer master.Close()
			defer slave.Close()
			before, err := termios(slave)
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(os.Args[0], "tui", "--config", config)
			cmd.Env = append(os.Environ(), asKdelta+"=1", "TERM=xterm-256color")
			cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
			cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			var screen strings.Builder
			got := make(chan struct{})
			var once sync.Once
			go func() {
				buf := make([]byte, 4096)
				for {
					n, err := master.Read(buf)
					screen.Write(buf[:n]) // only this goroutine writes it
					// Answer what a terminal is asked (its background
					// colour, the cursor's place), as a terminal does.
					if strings.Contains(string(buf[:n]), "\x1b]11;?") {
						master.WriteString("\x1b]11;rgb:0000/0000/0000\x1b\\")
					}
					if strings.Contains(string(buf[:n]), "\x1b[6n") {
						master.WriteString("\x1b[1;1R")
					}
					if strings.Contains(screen.String(), "overview") {
						once.Do(func() { close(got) })
					}
					if err != nil {
						return
					}
				}
			}()
			select {
			case <-got:
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("the TUI drew no overview in 30 s")
			}
			time.Sleep(200 * time.Millisecond) // into its event loop
			sent := time.Now()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			var werr error
			select {
			case werr = <-exited:
			case <-time.After(5 * time.Second):
				cmd.Process.Kill()
				<-exited
				t.Fatalf("still running 5 s after %s", sig)
			}
			took := time.Since(sent)
			code := 0
			if ee, ok := werr.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
			if code != exitInterrupted {
				t.Errorf("exit %d after %s, want %d", code, sig, exitInterrupted)
			}
			if took > time.Second {
				t.Errorf("took %s to end after %s, want under a second", took.Round(time.Millisecond), sig)
			}
			after, err := termios(slave)
			if err != nil {
				t.Fatal(err)
			}
			if after.Lflag != before.Lflag || after.Iflag != before.Iflag || after.Oflag != before.Oflag {
				t.Errorf("terminal modes not restored: lflag %#x iflag %#x oflag %#x, were %#x %#x %#x",
					after.Lflag, after.Iflag, after.Oflag, before.Lflag, before.Iflag, before.Oflag)
			}
			time.Sleep(100 * time.Millisecond) // what is left to read
			s := screen.String()
			enter := strings.LastIndex(s, "\x1b[?1049h")
			if leave := strings.LastIndex(s, "\x1b[?1049l"); enter < 0 || leave < enter {
				t.Errorf("the alternate screen was not left")
			}
			if show := strings.LastIndex(s, "\x1b[?25h"); show < enter {
				t.Errorf("the cursor was not shown again")
			}
		})
	}
}

// openPTY opens a pseudo-terminal: its master and its slave.
func openPTY() (*os.File, *os.File, error) {
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, nil, err
	}
	var unlock int32
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); errno != 0 {
		master.Close()
		return nil, nil, errno
	}
	var n uint32
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); errno != 0 {
		master.Close()
		return nil, nil, errno
	}
	slave, err := os.OpenFile("/dev/pts/"+strconv.Itoa(int(n)), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		return nil, nil, err
	}
	// A window size, as a terminal has.
	ws := [4]uint16{30, 100, 0, 0}
	syscall.Syscall(syscall.SYS_IOCTL, slave.Fd(), syscall.TIOCSWINSZ, uintptr(unsafe.Pointer(&ws)))
	return master, slave, nil
}

func termios(f *os.File) (syscall.Termios, error) {
	var t syscall.Termios
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), syscall.TCGETS, uintptr(unsafe.Pointer(&t))); errno != 0 {
		return t, errno
	}
	return t, nil
}
