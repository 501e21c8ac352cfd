package main

import (
	"context"
	"fmt"
	"os"

	"github.com/kdelta/kdelta/project"
)

type initOptions struct {
	config string
	force  bool
}

func runInit(ctx context.Context, e *env, args []string) error {
	fs := flags(e, "init")
	var o initOptions
	fs.StringVar(&o.config, "config", "kdelta.toml", "the project file to write")
	fs.BoolVar(&o.force, "force", false, "overwrite an existing file")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("init takes no arguments")
	}
	return writeStarter(e, o)
}

func writeStarter(e *env, o initOptions) error {
	flag := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if o.force {
		flag = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(o.config, flag, 0o644)
	if os.IsExist(err) {
		return badInputf("%s already exists; use --force to overwrite it", o.config)
	}
	if err != nil {
		return err
	}
	if _, err := f.WriteString(project.Starter); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s: its sources are examples, commented out; uncomment and edit them (a local clone's path as url keeps 'kdelta sync' off the network), then run 'kdelta sync'\n", o.config)
	return nil
}
