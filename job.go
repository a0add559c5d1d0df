package scoregate

import (
	"context"
	"database/sql"
	"time"
)

// JobStatus is where a batch job is, as the classic Batch Execution Service
// named it.
type JobStatus string

// The statuses of a batch job. A job is NotStarted until it is started,
// then Running (queued or executing) until it ends in one of the other
// three.
const (
	JobNotStarted JobStatus = "NotStarted"
	JobRunning    JobStatus = "Running"
	JobFailed     JobStatus = "Failed"
	JobCancelled  JobStatus = "Cancelled"
	JobFinished   JobStatus = "Finished"
)

// Done reports whether the status is final.
func (s JobStatus) Done() bool {
	return s == JobFailed || s == JobCancelled || s == JobFinished
}

// File formats of batch inputs and outputs.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// Job is one input file scored through one endpoint into one output file.
// Its row in the store is the truth about its status and progress; the
// queue only decides which replica executes it, and when.
type Job struct {
	ID          string // 32 lowercase hex
	WorkspaceID string
	EndpointID  string
	Status      JobStatus
	// Input is the blob key of the file to score, InputName the name the
	// client gave it (for the output's name).
	Input     string
	InputName string
	// Output is the blob key the scored file is written to; it exists
	// only once the job has finished.
	Output  string
	Options JobOptions
	// RunID names the schedule run that claimed the job's input in a drop
	// folder; "" for a job a client submitted.
	RunID string
	// Progress is checkpointed while the job runs.
	Progress JobProgress
	// Details says why a job failed or was cancelled.
	Details string
	// Attempts counts the executions started (a crash or a lost lease
	// starts another, from the beginning of the file).
	Attempts int
	// CancelRequested is set by a cancel of a running job; the replica
	// executing it sees it at its next checkpoint and stops.
	CancelRequested bool
	// Owner and LeaseUntil say which replica executes the job and until
	// when its claim holds unless renewed. Once the job has ended, Owner
	// names the replica that ended it.
	Owner      string
	LeaseUntil time.Time

	CreatedAt  time.Time
	StartedAt  time.Time // zero until the job is started
	FinishedAt time.Time // zero until it ends
}

// JobOptions say how a job reads and writes its file.
type JobOptions struct {
	InputFormat  string `json:",omitempty"` // FormatCSV or FormatXLSX
	OutputFormat string `json:",omitempty"` // FormatCSV or FormatXLSX
	// Sheet names the XLSX sheet (or table) to read; empty is the first.
	Sheet string `json:",omitempty"`
	// HeaderRow is the XLSX sheet row holding the header; 0 is the first
	// row that is not empty.
	HeaderRow int `json:",omitempty"`
	// Delimiter of a CSV input; empty is sniffed.
	Delimiter string `json:",omitempty"`
	// MaxFailedFraction fails the job when more than this fraction of its
	// rows failed; 0 is no threshold.
	MaxFailedFraction float64 `json:",omitempty"`
}

// JobProgress counts what a job has done.
type JobProgress struct {
	RowsRead   int64
	RowsScored int64
	RowsFailed int64
	BytesRead  int64
	BytesTotal int64
}

// Percent is how far through its input the job is, 0 to 100.
func (p JobProgress) Percent() float64 {
	if p.BytesTotal <= 0 {
		return 0
	}
	return min(100, 100*float64(p.BytesRead)/float64(p.BytesTotal))
}

// Enqueue puts a started job on the queue inside the transaction that
// records the start, so a job is queued exactly when its row says it is.
// The store calls it with its own transaction.
type Enqueue func(ctx context.Context, tx *sql.Tx, job *Job) error

// JobStore keeps batch jobs. Errors are *Error values: NotFound for a job
// that does not exist in the workspace, BadUserArgument (CannotStartJob)
// for a start of a job that is not NotStarted.
type JobStore interface {
	// CreateJob stores a new job (ID, CreatedAt and Status filled in).
	// With enqueue set the job is started at once: Running, StartedAt set,
	// and enqueue called in the same transaction.
	CreateJob(ctx context.Context, j *Job, enqueue Enqueue) error
	Job(ctx context.Context, ws, id string) (*Job, error)
	// Jobs lists an endpoint's jobs, newest first, at most limit.
	Jobs(ctx context.Context, ws, endpointID string, limit int) ([]Job, error)
	// StartJob moves a NotStarted job to Running and calls enqueue in the
	// same transaction.
	StartJob(ctx context.Context, ws, id string, enqueue Enqueue) (*Job, error)
	// CancelJob cancels a job: one not yet executing is Cancelled at once,
	// a running one gets CancelRequested and its executor stops it. A job
	// already ended is left as it is. It returns the job as it is now.
	CancelJob(ctx context.Context, ws, id string) (*Job, error)

	// ClaimJob makes owner the job's executor until now+lease when the job
	// is Running and no other owner's lease is live; it counts an attempt
	// and resets the progress. ok is false, with the job as it is, when
	// the job is not Running or another lease holds.
	ClaimJob(ctx context.Context, id, owner string, lease time.Duration) (j *Job, ok bool, err error)
	// CheckpointJob records progress and renews owner's lease. It returns
	// whether a cancel was requested; ErrLeaseLost when owner no longer
	// holds the job.
	CheckpointJob(ctx context.Context, id, owner string, p JobProgress, lease time.Duration) (cancel bool, err error)
	// StaleJobs lists up to limit Running jobs whose executor's lease
	// ended before the given time.
	StaleJobs(ctx context.Context, before time.Time, limit int) ([]Job, error)
	// EndJob records the final status of a job owner holds: Finished with
	// its output key, Failed or Cancelled with details. ErrLeaseLost when
	// owner no longer holds it.
	EndJob(ctx context.Context, id, owner string, status JobStatus, output, details string, p JobProgress) error
}

// ErrLeaseLost is returned to an executor whose claim on a job has passed
// to another (its lease ran out) or whose job was ended elsewhere.
var ErrLeaseLost = Errorf(Conflict, CodeLeaseLost, "", "the job is no longer held by this executor")

// Jobs is the batch service the gateway offers: it wraps a JobStore with
// the queue. cmd wires package batch's Runner in.
type Jobs interface {
	// Submit creates a job on an endpoint; start queues it at once.
	Submit(ctx context.Context, j *Job, start bool) error
	StartJob(ctx context.Context, ws, id string) (*Job, error)
	Job(ctx context.Context, ws, id string) (*Job, error)
	Jobs(ctx context.Context, ws, endpointID string, limit int) ([]Job, error)
	Cancel(ctx context.Context, ws, id string) (*Job, error)
}

// BlobSizer is implemented by Blobs that can tell a blob's size without
// reading it.
type BlobSizer interface {
	Size(ctx context.Context, key string) (int64, error)
}
