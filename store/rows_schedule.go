package store

import (
	"time"

	"github.com/scoregate/scoregate"
)

// The rows of schedules, their runs and the claims on dropped files, and
// their converters.

// scheduleRow is a schedule of an endpoint's drop folder; NextRun and
// LastRun are nil while zero.
type scheduleRow struct {
	ID             string `gorm:"primaryKey"`
	WorkspaceID    string
	EndpointID     string
	Cron           string
	TimeZone       string
	Enabled        bool
	Pattern        string
	OutputFormat   string
	ErrorThreshold float64
	NextRun        *time.Time
	LastRun        *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (scheduleRow) TableName() string { return "schedules" }

// scheduleRunRow is a run of a schedule. Notes is a JSON array of strings;
// StartedAt and FinishedAt are nil until what they mark happens.
type scheduleRunRow struct {
	ID           string `gorm:"primaryKey"`
	WorkspaceID  string
	ScheduleID   string
	EndpointID   string
	FireTime     time.Time
	Manual       bool
	Status       string
	Details      string
	Listed       bool
	FilesFound   int
	FilesSkipped int
	FilesClaimed int
	FilesScored  int
	FilesFailed  int
	RowsRead     int64
	RowsFailed   int64
	Notes        string
	CreatedAt    time.Time
	StartedAt    *time.Time
	FinishedAt   *time.Time
	UpdatedAt    time.Time
}

func (scheduleRunRow) TableName() string { return "schedule_runs" }

// dropClaimRow is the claim on one dropped file (an object at a key, with
// a version kept in etag, and a size). JobID is nil only in claims made
// before runs were recorded, RunID "" in those; DoneAt is nil until the
// file is scored or failed.
type dropClaimRow struct {
	EndpointID string `gorm:"primaryKey"`
	ObjectKey  string `gorm:"primaryKey"`
	ETag       string `gorm:"primaryKey;column:etag"`
	Size       int64  `gorm:"primaryKey"`
	Name       string
	RunID      string
	ClaimedAt  time.Time
	JobID      *string
	Status     string
	Output     string
	Moved      string
	RowsRead   int64
	RowsFailed int64
	Details    string
	DoneAt     *time.Time
}

func (dropClaimRow) TableName() string { return "drop_claims" }

func toSchedule(r scheduleRow) scoregate.Schedule {
	return scoregate.Schedule{
		ID:             r.ID,
		WorkspaceID:    r.WorkspaceID,
		EndpointID:     r.EndpointID,
		Cron:           r.Cron,
		TimeZone:       r.TimeZone,
		Enabled:        r.Enabled,
		Pattern:        r.Pattern,
		OutputFormat:   r.OutputFormat,
		ErrorThreshold: r.ErrorThreshold,
		NextRun:        utcOrZero(r.NextRun),
		LastRun:        utcOrZero(r.LastRun),
		CreatedAt:      r.CreatedAt.UTC(),
		UpdatedAt:      r.UpdatedAt.UTC(),
	}
}

// fromSchedule converts the settable part of s onto its row r, which keeps
// the schedule's identity (ids, CreatedAt) whatever s says.
func fromSchedule(s scoregate.Schedule, r scheduleRow) scheduleRow {
	r.Cron = s.Cron
	r.TimeZone = s.TimeZone
	r.Enabled = s.Enabled
	r.Pattern = s.Pattern
	r.OutputFormat = s.OutputFormat
	r.ErrorThreshold = s.ErrorThreshold
	r.NextRun = nilIfZero(s.NextRun)
	r.LastRun = nilIfZero(s.LastRun)
	return r
}

// toScheduleRun converts a row, without the run's Files. No notes are
// nil, as a new run's are.
func toScheduleRun(r scheduleRunRow) (scoregate.ScheduleRun, error) {
	run := scoregate.ScheduleRun{
		ID:           r.ID,
		WorkspaceID:  r.WorkspaceID,
		ScheduleID:   r.ScheduleID,
		EndpointID:   r.EndpointID,
		FireTime:     r.FireTime.UTC(),
		Manual:       r.Manual,
		Status:       scoregate.JobStatus(r.Status),
		Details:      r.Details,
		Listed:       r.Listed,
		FilesFound:   r.FilesFound,
		FilesSkipped: r.FilesSkipped,
		FilesClaimed: r.FilesClaimed,
		FilesScored:  r.FilesScored,
		FilesFailed:  r.FilesFailed,
		RowsRead:     r.RowsRead,
		RowsFailed:   r.RowsFailed,
		CreatedAt:    r.CreatedAt.UTC(),
		StartedAt:    utcOrZero(r.StartedAt),
		FinishedAt:   utcOrZero(r.FinishedAt),
	}
	err := decode("notes of run "+r.ID, r.Notes, &run.Notes)
	if len(run.Notes) == 0 {
		run.Notes = nil
	}
	return run, err
}

// fromScheduleRun converts a new run to its row.
func fromScheduleRun(run scoregate.ScheduleRun) (scheduleRunRow, error) {
	r := scheduleRunRow{
		ID:           run.ID,
		WorkspaceID:  run.WorkspaceID,
		ScheduleID:   run.ScheduleID,
		EndpointID:   run.EndpointID,
		FireTime:     run.FireTime,
		Manual:       run.Manual,
		Status:       string(run.Status),
		Details:      run.Details,
		Listed:       run.Listed,
		FilesFound:   run.FilesFound,
		FilesSkipped: run.FilesSkipped,
		FilesClaimed: run.FilesClaimed,
		FilesScored:  run.FilesScored,
		FilesFailed:  run.FilesFailed,
		RowsRead:     run.RowsRead,
		RowsFailed:   run.RowsFailed,
		CreatedAt:    run.CreatedAt,
		StartedAt:    nilIfZero(run.StartedAt),
		FinishedAt:   nilIfZero(run.FinishedAt),
		UpdatedAt:    run.CreatedAt,
	}
	var err error
	r.Notes, err = encodeNotes(run.ID, run.Notes)
	return r, err
}

// encodeNotes writes the notes column: no notes are an empty array.
func encodeNotes(runID string, notes []string) (string, error) {
	if notes == nil {
		notes = []string{}
	}
	return encode("notes of run "+runID, notes)
}

func toDropFile(r dropClaimRow) scoregate.DropFile {
	f := scoregate.DropFile{
		Key:        r.ObjectKey,
		Name:       r.Name,
		Version:    r.ETag,
		Size:       r.Size,
		RunID:      r.RunID,
		Status:     r.Status,
		Output:     r.Output,
		Moved:      r.Moved,
		RowsRead:   r.RowsRead,
		RowsFailed: r.RowsFailed,
		Details:    r.Details,
		ClaimedAt:  r.ClaimedAt.UTC(),
		DoneAt:     utcOrZero(r.DoneAt),
	}
	if r.JobID != nil {
		f.JobID = *r.JobID
	}
	return f
}
