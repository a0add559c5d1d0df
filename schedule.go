package scoregate

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"time"
)

// Schedule scores every new file of an endpoint's drop folder (inbox/) on
// a cron schedule (DESIGN §1). The cron syntax and time zone are checked
// by package batch, which runs schedules; the store keeps them.
type Schedule struct {
	ID          string // 32 lowercase hex
	WorkspaceID string
	EndpointID  string
	// Cron is a robfig/cron expression: five fields or a descriptor such
	// as "@every 5m" or "@daily".
	Cron string
	// TimeZone is an IANA name; "" is UTC.
	TimeZone string
	Enabled  bool
	// Pattern is a glob matched against file names in inbox/; "" means
	// both *.csv and *.xlsx.
	Pattern string
	// OutputFormat is "same" (or ""), "csv" or "xlsx".
	OutputFormat string
	// ErrorThreshold fails a file when more than this fraction of its rows
	// failed; 0 is no threshold.
	ErrorThreshold float64
	// NextRun is the next firing (zero when disabled); LastRun the last
	// run's start (zero before the first).
	NextRun   time.Time
	LastRun   time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ScheduleStore keeps schedules. Errors are *Error values: NotFound
// (ScheduleNotFound) for a schedule that does not exist in the workspace.
type ScheduleStore interface {
	// CreateSchedule stores s (ID, CreatedAt and UpdatedAt filled in).
	CreateSchedule(ctx context.Context, s *Schedule) error
	Schedule(ctx context.Context, ws, id string) (*Schedule, error)
	// Schedules lists an endpoint's schedules, oldest first.
	Schedules(ctx context.Context, ws, endpointID string) ([]Schedule, error)
	// AllSchedules lists every schedule of every workspace, for the
	// replicas' schedulers.
	AllSchedules(ctx context.Context) ([]Schedule, error)
	// UpdateSchedule applies update to the stored schedule in one
	// transaction and stores the result (UpdatedAt set); an error from
	// update is returned and nothing is stored.
	UpdateSchedule(ctx context.Context, ws, id string, update func(*Schedule) error) (*Schedule, error)
	DeleteSchedule(ctx context.Context, ws, id string) error
}

// DropFolders are the folders of an endpoint's drop area, under
// DropPrefix: files arrive in inbox/, scored files are written to
// outbox/, inputs move to processed/ or failed/.
var DropFolders = []string{"inbox", "outbox", "processed", "failed"}

// DropPrefix returns the blob key prefix of an endpoint's drop area,
// drops/{workspace}/{service}/{endpoint}/.
func DropPrefix(ws, service, endpoint string) string {
	return "drops/" + ws + "/" + service + "/" + endpoint + "/"
}

// BlobInfo describes a stored blob.
type BlobInfo struct {
	Key     string
	Size    int64
	ModTime time.Time
	// ETag identifies the blob's content where the store has one; "" when
	// it does not.
	ETag string
	// Whole is set when the store vouches that the blob was written whole:
	// every object of an object store (an upload shows only once it has
	// finished), a file of a local folder written by PutWhole. A file
	// copied into a local folder may be listed while it is being written.
	Whole bool
}

// BlobStater is implemented by Blobs that describe one blob as List
// does; a missing blob is NotFound.
type BlobStater interface {
	Stat(ctx context.Context, key string) (BlobInfo, error)
}

// WholeWriter is implemented by Blobs that can store a blob so that List
// reports it Whole (drop folders' uploads).
type WholeWriter interface {
	PutWhole(ctx context.Context, key string, r io.Reader) error
}

// BlobLister is implemented by Blobs that can list the blobs under a
// prefix (not recursing past the next "/").
type BlobLister interface {
	List(ctx context.Context, prefix string) ([]BlobInfo, error)
}

// ScheduleSettings are the fields of a schedule a client sets; nil leaves
// a field as it is (PATCH) or at its default (POST).
type ScheduleSettings struct {
	Cron           *string
	TimeZone       *string
	Enabled        *bool
	Pattern        *string
	OutputFormat   *string
	ErrorThreshold *float64
}

// Schedules is the schedule service the gateway offers: the store with
// the checks and the timetable of package batch, wired in cmd.
type Schedules interface {
	CreateSchedule(ctx context.Context, ws, endpointID string, s ScheduleSettings) (*Schedule, error)
	Schedule(ctx context.Context, ws, id string) (*Schedule, error)
	Schedules(ctx context.Context, ws, endpointID string) ([]Schedule, error)
	UpdateSchedule(ctx context.Context, ws, id string, s ScheduleSettings) (*Schedule, error)
	DeleteSchedule(ctx context.Context, ws, id string) error
	// RunSchedule runs a schedule now, enabled or not, and returns the
	// run as queued.
	RunSchedule(ctx context.Context, ws, id string) (*ScheduleRun, error)
	// ScheduleRuns lists a schedule's runs, newest first, without their
	// files; ScheduleRun returns one with its files.
	ScheduleRuns(ctx context.Context, ws, scheduleID string, limit int) ([]ScheduleRun, error)
	ScheduleRun(ctx context.Context, ws, id string) (*ScheduleRun, error)
}

// ScheduleRun is one run of a schedule: a firing (or a run asked for by
// a client) that lists the endpoint's inbox, claims the files it matches
// and scores each through a batch job. A run ends when every file it
// claimed has been scored or has failed.
type ScheduleRun struct {
	ID          string // 32 lowercase hex
	WorkspaceID string
	ScheduleID  string
	EndpointID  string
	// FireTime is the firing the run is for: the cron time, or when a
	// client asked for the run (Manual).
	FireTime time.Time
	Manual   bool
	// Status is NotStarted until a replica takes the run, Running while it
	// lists the inbox and its files' jobs run, then Finished; Failed when
	// the inbox could not be listed (Details says why).
	Status  JobStatus
	Details string
	// Listed is set once the run has listed the inbox and claimed what it
	// could.
	Listed bool
	// FilesFound counts the inbox files the schedule's pattern matched,
	// FilesSkipped those of them left for a later run (still being
	// written, or claimed by another run), FilesClaimed those this run
	// took; each of these is scored (FilesScored) or fails (FilesFailed).
	FilesFound   int
	FilesSkipped int
	FilesClaimed int
	FilesScored  int
	FilesFailed  int
	// RowsRead and RowsFailed add up the rows of the run's files.
	RowsRead   int64
	RowsFailed int64
	// Notes say what the run saw and left alone, a line each.
	Notes []string
	// Files are the files the run claimed, oldest claim first; filled in
	// by ScheduleRunStore.ScheduleRun, not by lists.
	Files      []DropFile
	CreatedAt  time.Time
	StartedAt  time.Time // zero until a replica takes the run
	FinishedAt time.Time // zero until it ends
}

// The states of a dropped file a run claimed.
const (
	DropClaimed = "claimed" // its job is queued or running
	DropScored  = "scored"  // scored into outbox/, input moved to processed/
	DropFailed  = "failed"  // input moved to failed/ with an error report
)

// DropFile is a file of an endpoint's inbox that a run claimed, and what
// became of it.
type DropFile struct {
	// Key is the file's blob key in inbox/, Name its base name.
	Key  string
	Name string
	// Version tells this content of Key from another written there before
	// or after (package batch makes it from the store's etag and the
	// modification time); a claim is unique on (endpoint, Key, Version,
	// Size).
	Version string
	Size    int64
	RunID   string
	JobID   string
	Status  string // DropClaimed, DropScored or DropFailed
	// Output is the scored file's key in outbox/, Moved the input's key in
	// processed/ or failed/, once done.
	Output     string
	Moved      string
	RowsRead   int64
	RowsFailed int64
	// Details says why a file failed.
	Details   string
	ClaimedAt time.Time
	DoneAt    time.Time
}

// EnqueueRun queues a recorded run inside the transaction that records
// it, so that a run is queued exactly when it is stored.
type EnqueueRun func(ctx context.Context, tx *sql.Tx, run *ScheduleRun) error

// ErrNotDue is returned by a FireSchedule update to say the schedule is
// no longer due (another replica fired it, or it was changed): nothing is
// stored.
var ErrNotDue = errors.New("scoregate: the schedule is not due")

// ScheduleRunStore keeps the runs of schedules and the claims on dropped
// files. Errors are *Error values: NotFound (ScheduleNotFound,
// RunNotFound) for what does not exist in the workspace.
type ScheduleRunStore interface {
	// DueSchedules lists up to limit enabled schedules whose NextRun is
	// at or before now, most overdue first.
	DueSchedules(ctx context.Context, now time.Time, limit int) ([]Schedule, error)
	// FireSchedule records a run of schedule (ws, id) at run.FireTime:
	// in one transaction it locks the schedule, calls update on a copy of
	// it and stores the result (an error from update, such as ErrNotDue,
	// is returned and nothing is stored; nil update leaves the schedule as
	// it is), inserts the run (ID, WorkspaceID, EndpointID, Status
	// NotStarted and CreatedAt filled in) and calls enqueue (nil queues
	// nothing: the run stays NotStarted). A run already
	// recorded for the schedule at that FireTime is not recorded again:
	// ok is false, the schedule update is still stored, enqueue is not
	// called.
	FireSchedule(ctx context.Context, ws, id string, run *ScheduleRun, update func(*Schedule) error, enqueue EnqueueRun) (ok bool, err error)
	// ScheduleRun returns a run of workspace ws with its Files.
	ScheduleRun(ctx context.Context, ws, id string) (*ScheduleRun, error)
	// ScheduleRuns lists a schedule's runs, newest first, at most limit
	// (100 when limit ≤ 0), without their Files.
	ScheduleRuns(ctx context.Context, ws, scheduleID string, limit int) ([]ScheduleRun, error)
	// StartRun moves a NotStarted run to Running (StartedAt set) and
	// returns it as it is now, whatever its status; a run that does not
	// exist (deleted with its schedule) is NotFound.
	StartRun(ctx context.Context, id string) (*ScheduleRun, error)
	// ClaimDrop claims file f (Key, Name, Version, Size) of the run's
	// endpoint for run runID: in one transaction it inserts the claim,
	// and only when no claim of that file exists, creates job j as
	// CreateJob does with enqueue (nil: the job is NotStarted), with
	// WorkspaceID, EndpointID and RunID the run's, and counts the file in
	// the run's FilesClaimed. ok is false, and nothing is stored, when the
	// file was claimed before.
	ClaimDrop(ctx context.Context, runID string, f DropFile, j *Job, enqueue Enqueue) (ok bool, err error)
	// ListedRun records that run id has listed the inbox: the counts,
	// the notes and Listed; with failure non-empty the run is Failed with
	// it as Details. A run whose claimed files are all done ends
	// (Finished) here.
	ListedRun(ctx context.Context, id string, found, skipped int, notes []string, failure string) error
	// FinishDrop records what became of the file job jobID scored (f's
	// Status, Output, Moved, RowsRead, RowsFailed, Details), counts it in
	// its run and ends the run when it was the last. ok is false, and
	// nothing changes, when the claim is done already (or there is none).
	FinishDrop(ctx context.Context, jobID string, f DropFile) (ok bool, err error)
	// DropOfJob returns the claim of the file job jobID scores; NotFound
	// when the job scores no dropped file.
	DropOfJob(ctx context.Context, jobID string) (*DropFile, error)
	// DropsToFinish lists up to limit jobs of claimed files that ended
	// before the given time while their claim is still DropClaimed: the
	// replica that ended them stopped before it moved their files.
	DropsToFinish(ctx context.Context, endedBefore time.Time, limit int) ([]Job, error)
}
