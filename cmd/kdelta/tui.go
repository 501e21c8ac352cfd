package main

import (
	"context"
	"errors"
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
	cfg, err := loadConfig(*config)
	if err != nil {
		return err
	}
	db, err := openExisting(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
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
	c, err := tui.NewCommon(ctx, db, cfg, tui.NewStyles(renderer), e.now)
	if err != nil {
		return err
	}
	first := tui.NewOverview(c)
	app := tui.NewApp(c, first)
	if *print {
		first.QuitWhenLoaded = true
		p := tea.NewProgram(app, tea.WithContext(ctx), tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithoutRenderer())
		go p.Send(tea.WindowSizeMsg{Width: *width, Height: *height})
		m, err := p.Run()
		if err != nil {
			return err
		}
		fmt.Fprintln(out, m.View())
		return nil
	}
	if !e.isTerminal {
		return badInputf("kdelta tui needs a terminal (use --print to draw the first screen as text)")
	}
	p := tea.NewProgram(app, tea.WithContext(ctx), tea.WithAltScreen(), tea.WithOutput(out))
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		return err
	}
	return nil
}
