package batch

import (
	"context"
	"path"
	"strings"
	"time"

	"github.com/scoregate/scoregate"
)

// ScheduleService implements scoregate.Schedules over a ScheduleStore: it
// checks a schedule's settings (cron syntax, time zone, glob, output
// format, threshold) and keeps its next run current.
type ScheduleService struct {
	Store ScheduleStores
	// Runner runs schedules now (RunSchedule); nil refuses that.
	Runner *Runner
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

var _ scoregate.Schedules = (*ScheduleService)(nil)

func (s *ScheduleService) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// CreateSchedule checks and stores a new schedule: Cron is required;
// TimeZone defaults to UTC, Enabled to true, Pattern to *.csv and *.xlsx,
// OutputFormat to the input's.
func (s *ScheduleService) CreateSchedule(ctx context.Context, ws, endpointID string, set scoregate.ScheduleSettings) (*scoregate.Schedule, error) {
	if set.Cron == nil {
		return nil, scoregate.Errorf(scoregate.BadArgument, scoregate.CodeMissingRequestInput, "Cron",
			"a schedule needs a Cron expression, such as \"@every 5m\" or \"0 2 * * *\"")
	}
	sc := &scoregate.Schedule{WorkspaceID: ws, EndpointID: endpointID, Enabled: true, OutputFormat: "same"}
	if err := s.apply(sc, set); err != nil {
		return nil, err
	}
	if err := s.Store.CreateSchedule(ctx, sc); err != nil {
		return nil, err
	}
	return sc, nil
}

// Schedule returns a schedule of workspace ws.
func (s *ScheduleService) Schedule(ctx context.Context, ws, id string) (*scoregate.Schedule, error) {
	return s.Store.Schedule(ctx, ws, id)
}

// Schedules lists an endpoint's schedules.
func (s *ScheduleService) Schedules(ctx context.Context, ws, endpointID string) ([]scoregate.Schedule, error) {
	return s.Store.Schedules(ctx, ws, endpointID)
}

// UpdateSchedule applies the given settings, checked, and recomputes the
// next run.
func (s *ScheduleService) UpdateSchedule(ctx context.Context, ws, id string, set scoregate.ScheduleSettings) (*scoregate.Schedule, error) {
	return s.Store.UpdateSchedule(ctx, ws, id, func(sc *scoregate.Schedule) error { return s.apply(sc, set) })
}

// DeleteSchedule deletes a schedule.
func (s *ScheduleService) DeleteSchedule(ctx context.Context, ws, id string) error {
	return s.Store.DeleteSchedule(ctx, ws, id)
}

// RunSchedule runs a schedule now, through the runner.
func (s *ScheduleService) RunSchedule(ctx context.Context, ws, id string) (*scoregate.ScheduleRun, error) {
	if s.Runner == nil {
		return nil, scoregate.Errorf(scoregate.ServiceUnavailable, scoregate.CodeInternal, "",
			"this gateway does not run schedules")
	}
	return s.Runner.RunNow(ctx, ws, id)
}

// ScheduleRuns lists a schedule's runs, newest first.
func (s *ScheduleService) ScheduleRuns(ctx context.Context, ws, scheduleID string, limit int) ([]scoregate.ScheduleRun, error) {
	return s.Store.ScheduleRuns(ctx, ws, scheduleID, limit)
}

// ScheduleRun returns a run with its files.
func (s *ScheduleService) ScheduleRun(ctx context.Context, ws, id string) (*scoregate.ScheduleRun, error) {
	return s.Store.ScheduleRun(ctx, ws, id)
}

// apply checks set and applies it to sc, then sets sc.NextRun.
func (s *ScheduleService) apply(sc *scoregate.Schedule, set scoregate.ScheduleSettings) error {
	next := *sc
	if set.Cron != nil {
		next.Cron = strings.TrimSpace(*set.Cron)
	}
	if set.TimeZone != nil {
		next.TimeZone = strings.TrimSpace(*set.TimeZone)
		if next.TimeZone == "UTC" {
			next.TimeZone = ""
		}
	}
	if set.Enabled != nil {
		next.Enabled = *set.Enabled
	}
	if set.Pattern != nil {
		p := strings.TrimSpace(*set.Pattern)
		if _, err := path.Match(p, "x"); err != nil || strings.Contains(p, "/") {
			return scoregate.Errorf(scoregate.BadArgument, scoregate.CodeInvalidValue, "Pattern",
				"%q is not a file name pattern such as *.csv or sales-*.xlsx", p)
		}
		next.Pattern = p
	}
	if set.OutputFormat != nil {
		switch f := strings.ToLower(strings.TrimSpace(*set.OutputFormat)); f {
		case "", "same":
			next.OutputFormat = "same"
		case scoregate.FormatCSV, scoregate.FormatXLSX:
			next.OutputFormat = f
		default:
			return scoregate.Errorf(scoregate.BadArgument, scoregate.CodeInvalidValue, "OutputFormat",
				"OutputFormat is same, csv or xlsx, not %q", *set.OutputFormat)
		}
	}
	if set.ErrorThreshold != nil {
		if f := *set.ErrorThreshold; !(f >= 0 && f <= 1) {
			return scoregate.Errorf(scoregate.BadArgument, scoregate.CodeInvalidValue, "ErrorThreshold",
				"ErrorThreshold is the fraction of a file's rows that may fail, from 0 (no threshold) to 1")
		}
		next.ErrorThreshold = *set.ErrorThreshold
	}
	next.NextRun = time.Time{}
	if next.Enabled {
		at, err := NextRun(next.Cron, next.TimeZone, s.now())
		if err != nil {
			return err
		}
		next.NextRun = at
	} else if _, _, err := ParseCron(next.Cron, next.TimeZone); err != nil {
		return err
	}
	*sc = next
	return nil
}

// Matches reports whether a file name is one a schedule scores: its
// Pattern, or by default any .csv or .xlsx file (without regard to case).
func Matches(sc *scoregate.Schedule, name string) bool {
	if sc.Pattern == "" {
		ext := strings.ToLower(path.Ext(name))
		return ext == ".csv" || ext == ".xlsx"
	}
	ok, _ := path.Match(sc.Pattern, name)
	return ok
}
