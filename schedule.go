package scoregate

import (
	"context"
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
}
