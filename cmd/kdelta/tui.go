package main

import (
	"context"
	"fmt"
	"io"
	"os"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/kdelta/kdelta/tui"
)

func runTUI(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "tui")
	config := configFlag(fs)
	print := fs.Bool("print", false, "draw the first screen (the matrix) once as plain text and exit, for scripts and timing")
	width := fs.Int("width", 100, "with --print: the screen width")
	height := fs.Int("height", 30, "with --print: the screen height")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("tui takes no arguments")
	}
	f := newFactory(e, *config)
	defer func() {
		if ctx.Err() != nil {
			// Interrupted: a read in flight ends with the process, which
			// must not wait for it (the terminal is restored already).
			go f.Close()
			return
		}
		f.Close()
	}()
	svc, err := f.Service(ctx)
	if err != nil {
		return err
	}
	// The screen goes to the terminal itself: the TUI keeps every text it
	// did not write off it (tui.App.View), and draws with escape sequences
	// of its own. What --print draws goes through the guarded stdout.
	out := e.rawStdout
	if out == nil || *print {
		out = e.stdout
	}
	renderer := lipgloss.NewRenderer(out)
	if *print || os.Getenv("NO_COLOR") != "" {
		renderer.SetColorProfile(termenv.Ascii)
	}
	c := tui.NewCommon(ctx, svc, tui.NewStyles(renderer), e.now)
	first := tui.NewOverview(c)
	app := tui.NewApp(c, first)
	// Signals are kdelta's (ctx), not the TUI's own: bubbletea's handler
	// could block sending to a program that had already stopped, and its
	// shutdown wait for it forever.
	if *print {
		first.QuitWhenLoaded = true
		app.QuitOnError = true // no one reads the status line: an error ends it
		p := tea.NewProgram(app, tea.WithContext(ctx), tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithoutRenderer(),
			tea.WithoutSignalHandler())
		go p.Send(tea.WindowSizeMsg{Width: *width, Height: *height})
		m, err := p.Run()
		if err != nil {
			return tuiEnded(ctx, err)
		}
		if err := app.Err(); err != nil {
			return badInputf("the first screen cannot be drawn: %v", err)
		}
		fmt.Fprintln(out, m.View())
		return nil
	}
	if !e.isTerminal {
		return badInputf("kdelta tui needs a terminal (use --print to draw the first screen as text)")
	}
	p := tea.NewProgram(app, tea.WithContext(ctx), tea.WithAltScreen(), tea.WithOutput(out), tea.WithoutSignalHandler())
	_, err = p.Run()
	return tuiEnded(ctx, err)
}

// tuiEnded is what a TUI program's end means: SIGINT or SIGTERM (ctx
// done) is an interruption (exit 130), the terminal restored by then.
func tuiEnded(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("tui: %w", err)
	}
	return nil
}
