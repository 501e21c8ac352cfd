package ingest

import (
	"context"

	"github.com/kdelta/kdelta/project"
)

// ofedFormat reads an OFED or MLNX_OFED tree: its backports/ patches, read
// as a series is (syncSeries), carried on top of the upstream commit its
// LINUX_BASE_BRANCH names.
type ofedFormat struct{}

func (ofedFormat) Rules() project.FormatRules { return builtin(project.FormatOFED) }

func (ofedFormat) Prepare(context.Context, *syncer, []project.Source) error { return nil }

func (ofedFormat) Sync(ctx context.Context, s *syncer, src project.Source) ([]RefReport, error) {
	ref, rep, err := s.oneRef(ctx, src)
	if err != nil {
		return nil, err
	}
	err = s.syncSeries(ctx, src, ref, &rep)
	return []RefReport{rep}, err
}

func (ofedFormat) Refresh(ctx context.Context, s *syncer, src project.Source) error {
	return s.refreshSeries(ctx, src)
}
