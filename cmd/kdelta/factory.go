package main

import (
	"context"

	"github.com/kdelta/kdelta/analyzer"
	"github.com/kdelta/kdelta/project"
	"github.com/kdelta/kdelta/store"
)

// factory is what a command works on, made in one place (as gh's
// cmdutil.Factory): the project file named by --config, the store it
// names and the service over that store, each made on first use and once.
// A command makes one, asks for what it needs in the order its errors
// should come (the config first, then the store) and closes it.
type factory struct {
	e      *env
	config string // the project file, as --config names it

	cfg *project.Config
	db  *store.DB
	svc *analyzer.Service
}

func newFactory(e *env, config string) *factory {
	return &factory{e: e, config: config}
}

// Config reads the project file (with a hint when there is none).
func (f *factory) Config() (*project.Config, error) {
	if f.cfg == nil {
		cfg, err := loadConfig(f.config)
		if err != nil {
			return nil, err
		}
		f.cfg = cfg
	}
	return f.cfg, nil
}

// Store opens the store the project names; it must exist (a sync made
// it). What is entered through it by hand records who entered it.
func (f *factory) Store(ctx context.Context) (*store.DB, error) {
	if f.db == nil {
		cfg, err := f.Config()
		if err != nil {
			return nil, err
		}
		db, err := openExisting(ctx, f.e, cfg)
		if err != nil {
			return nil, err
		}
		f.db = db
	}
	return f.db, nil
}

// Service is the service layer over the project's store.
func (f *factory) Service(ctx context.Context) (*analyzer.Service, error) {
	if f.svc == nil {
		db, err := f.Store(ctx)
		if err != nil {
			return nil, err
		}
		svc, err := analyzer.NewService(db, f.cfg)
		if err != nil {
			return nil, err
		}
		f.svc = svc
	}
	return f.svc, nil
}

// Close closes the store if it was opened.
func (f *factory) Close() error {
	if f.db == nil {
		return nil
	}
	err := f.db.Close()
	f.db, f.svc = nil, nil
	return err
}
