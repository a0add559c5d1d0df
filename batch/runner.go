package batch

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/scoregate/scoregate"
)

// Models gives a batch job its endpoint and model.
type Models interface {
	Endpoint(ctx context.Context, ws, id string) (*scoregate.ServingEndpoint, error)
}

// RunnerConfig configures a Runner. DB, Dialect, Store, Blobs and Models
// are required.
type RunnerConfig struct {
	// DB is the store's database: River keeps its tables there, so that a
	// job's row and its queue entry change in one transaction.
	DB      *sql.DB
	Dialect string // DialectSQLite or DialectPostgres
	Store   scoregate.JobStore
	Blobs   scoregate.Blobs
	Models  Models

	// Workers is how many jobs this replica executes at once; 0 means 2.
	// Each job scores its chunks on every core, so a few are enough.
	Workers int
	// Lease is how long a replica's claim on a job holds without a
	// checkpoint; 0 means 30 s. Another replica takes over a job whose
	// lease ran out (its executor died or stalled).
	Lease time.Duration
	// Checkpoint is how often a running job records its progress, renews
	// its lease and looks for a cancel request; 0 means 500 ms.
	Checkpoint time.Duration
	// PollInterval is how often an idle replica looks for queued jobs;
	// 0 means 250 ms.
	PollInterval time.Duration
	// TempDir holds XLSX inputs while they are read (a zip is read from
	// its end); "" is the system's temporary folder.
	TempDir string
	// ID names this replica in the queue and as a job's owner; "" is a
	// random one.
	ID string
	// Logger receives job events; nil discards them.
	Logger *slog.Logger

	// Schedules, when set, has this replica fire due schedules and run
	// them (scheduled file drops); nil runs batch jobs only.
	Schedules ScheduleStores
	// Settle is how long a dropped file the store cannot vouch was
	// written whole (no etag: a file copied into a local folder) must go
	// unchanged before a run takes it; 0 means 10 s.
	Settle time.Duration
	// ScheduleTick is how often the scheduler looks for due schedules;
	// 0 means 1 s.
	ScheduleTick time.Duration
}

// Runner executes batch jobs on River and implements scoregate.Jobs for
// the gateway. Every replica runs one; any of them may execute any job.
type Runner struct {
	cfg    RunnerConfig
	client *river.Client[*sql.Tx]
	log    *slog.Logger

	mu      sync.Mutex
	running map[string]context.CancelCauseFunc // jobs executing here

	stopLoops context.CancelFunc // the reaper's and the scheduler's
	loops     sync.WaitGroup
	observe   func(scoregate.JobStatus, scoregate.JobProgress)
	onDrop    func(status string)
}

var _ scoregate.Jobs = (*Runner)(nil)

// errCancelRequested is the cause of a job's context when a client
// cancelled it.
var errCancelRequested = errors.New("cancelled by request")

// NewRunner builds a runner; Start starts executing jobs.
func NewRunner(cfg RunnerConfig) (*Runner, error) {
	if cfg.DB == nil || cfg.Store == nil || cfg.Blobs == nil || cfg.Models == nil {
		return nil, errors.New("batch: RunnerConfig needs DB, Store, Blobs and Models")
	}
	driver, err := driverFor(cfg.DB, cfg.Dialect)
	if err != nil {
		return nil, err
	}
	cfg.Workers = cmp.Or(cfg.Workers, 2)
	cfg.Lease = cmp.Or(cfg.Lease, 30*time.Second)
	cfg.Checkpoint = cmp.Or(cfg.Checkpoint, 500*time.Millisecond)
	cfg.PollInterval = cmp.Or(cfg.PollInterval, 250*time.Millisecond)
	cfg.Settle = cmp.Or(cfg.Settle, 10*time.Second)
	cfg.ScheduleTick = cmp.Or(cfg.ScheduleTick, time.Second)
	if cfg.ID == "" {
		var b [6]byte
		_, _ = rand.Read(b[:])
		host, _ := os.Hostname()
		cfg.ID = cmp.Or(host, "scoregate") + "-" + hex.EncodeToString(b[:])
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	r := &Runner{cfg: cfg, log: cfg.Logger, running: map[string]context.CancelCauseFunc{}}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &worker{r: r}); err != nil {
		return nil, fmt.Errorf("batch: %w", err)
	}
	queues := map[string]river.QueueConfig{queueName: {MaxWorkers: cfg.Workers}}
	if cfg.Schedules != nil {
		if err := river.AddWorkerSafely(workers, &runWorker{r: r}); err != nil {
			return nil, fmt.Errorf("batch: %w", err)
		}
		queues[dropQueue] = river.QueueConfig{MaxWorkers: 2}
	}
	r.client, err = river.NewClient(driver, &river.Config{
		ID:                   cfg.ID,
		Queues:               queues,
		Workers:              workers,
		JobTimeout:           -1, // see worker.Timeout
		RescueStuckJobsAfter: rescueRunsAfter,
		FetchPollInterval:    cfg.PollInterval,
		// A worker that finishes a job fetches the next one at once,
		// not after River's default 100 ms: small files (drop folders)
		// are scored in milliseconds (BENCHMARKS.md).
		FetchCooldown: min(cfg.PollInterval, 10*time.Millisecond),
		PollOnly:      true,
		Logger:        slog.New(warnOnly{cfg.Logger.Handler()}),
	})
	if err != nil {
		return nil, fmt.Errorf("batch: job queue: %w", err)
	}
	return r, nil
}

// Observe has f called with every job that ends on this replica, for
// metrics. Call it before Start.
func (r *Runner) Observe(f func(scoregate.JobStatus, scoregate.JobProgress)) { r.observe = f }

// ObserveDrops has f called with the status (scoregate.DropScored or
// DropFailed) of every dropped file finished on this replica, for
// metrics. Call it before Start.
func (r *Runner) ObserveDrops(f func(status string)) { r.onDrop = f }

// Start starts executing queued jobs until Stop.
func (r *Runner) Start(ctx context.Context) error {
	if err := r.client.Start(ctx); err != nil {
		return fmt.Errorf("batch: start the job queue: %w", err)
	}
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r.stopLoops = cancel
	r.every(rctx, max(r.cfg.Lease/2, 100*time.Millisecond), func(ctx context.Context) {
		if err := r.reap(ctx); err != nil && ctx.Err() == nil {
			r.log.Warn("batch: looking for jobs of dead replicas failed", "err", err)
		}
		if err := r.finishDrops(ctx); err != nil && ctx.Err() == nil {
			r.log.Warn("schedules: finishing dropped files of dead replicas failed", "err", err)
		}
	})
	if r.cfg.Schedules != nil {
		r.every(rctx, r.cfg.ScheduleTick, func(ctx context.Context) {
			if err := r.fireDue(ctx); err != nil && ctx.Err() == nil {
				r.log.Warn("schedules: looking for due schedules failed", "err", err)
			}
		})
	}
	return nil
}

// every calls f at each interval, in a goroutine, until ctx ends; Stop
// waits for it.
func (r *Runner) every(ctx context.Context, interval time.Duration, f func(context.Context)) {
	r.loops.Add(1)
	go func() {
		defer r.loops.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				f(ctx)
			}
		}
	}()
}

// reap queues again the running jobs whose executor has not renewed its
// lease for a whole lease period: it died (a crash, SIGKILL, a lost
// machine) or stalled. River would give the job back only after
// maxExecution. Every replica reaps; the queue keeps one entry per job and
// attempt replaced, and the lease lets one execution claim the job.
func (r *Runner) reap(ctx context.Context) error {
	stale, err := r.cfg.Store.StaleJobs(ctx, time.Now().Add(-r.cfg.Lease), 100)
	if err != nil {
		return err
	}
	for _, j := range stale {
		res, err := r.client.Insert(ctx, scoreArgs{JobID: j.ID, After: j.Attempts}, nil)
		if err != nil {
			return fmt.Errorf("queue job %s again: %w", j.ID, err)
		}
		if !res.UniqueSkippedAsDuplicate {
			r.log.Warn("job's executor stopped renewing its lease; job queued again", "job", j.ID, "executor", j.Owner, "attempts", j.Attempts)
		}
	}
	return nil
}

// Stop stops taking jobs and interrupts the ones executing here: each
// gives its lease up and goes back on the queue, to start again from the
// beginning of its file on whichever replica takes it.
func (r *Runner) Stop(ctx context.Context) error {
	if r.stopLoops != nil {
		r.stopLoops()
		r.loops.Wait()
	}
	return r.client.StopAndCancel(ctx)
}

// Submit stores a new job; with start it is queued in the same
// transaction.
func (r *Runner) Submit(ctx context.Context, j *scoregate.Job, start bool) error {
	if j.Progress.BytesTotal == 0 {
		if s, ok := r.cfg.Blobs.(scoregate.BlobSizer); ok {
			n, err := s.Size(ctx, j.Input)
			if err != nil {
				return err
			}
			j.Progress.BytesTotal = n
		}
	}
	var enqueue scoregate.Enqueue
	if start {
		enqueue = r.enqueue
	}
	return r.cfg.Store.CreateJob(ctx, j, enqueue)
}

// StartJob queues a NotStarted job.
func (r *Runner) StartJob(ctx context.Context, ws, id string) (*scoregate.Job, error) {
	return r.cfg.Store.StartJob(ctx, ws, id, r.enqueue)
}

// Job returns a job of workspace ws.
func (r *Runner) Job(ctx context.Context, ws, id string) (*scoregate.Job, error) {
	return r.cfg.Store.Job(ctx, ws, id)
}

// Jobs lists an endpoint's most recent jobs.
func (r *Runner) Jobs(ctx context.Context, ws, endpointID string, limit int) ([]scoregate.Job, error) {
	return r.cfg.Store.Jobs(ctx, ws, endpointID, limit)
}

// Cancel cancels a job. One executing on this replica stops at once; on
// another replica, at its next checkpoint.
func (r *Runner) Cancel(ctx context.Context, ws, id string) (*scoregate.Job, error) {
	j, err := r.cfg.Store.CancelJob(ctx, ws, id)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	cancel := r.running[id]
	r.mu.Unlock()
	if cancel != nil {
		cancel(errCancelRequested)
	}
	return j, nil
}

// enqueue puts a job on River's queue inside the store's transaction.
func (r *Runner) enqueue(ctx context.Context, tx *sql.Tx, j *scoregate.Job) error {
	if _, err := r.client.InsertTx(ctx, tx, scoreArgs{JobID: j.ID}, nil); err != nil {
		return fmt.Errorf("batch: queue job %s: %w", j.ID, err)
	}
	return nil
}

// worker is River's handle on Runner.execute.
type worker struct {
	river.WorkerDefaults[scoreArgs]
	r *Runner
}

// Work executes one queued job.
func (w *worker) Work(ctx context.Context, rj *river.Job[scoreArgs]) error {
	return w.r.execute(ctx, rj.Args.JobID, rj.Attempt, rj.MaxAttempts)
}

// Timeout is long: a file takes as long as it takes, and the job's lease,
// not a deadline, tells a stalled executor from a busy one. River rescues
// a job only after its timeout, so a dead replica's job is queued again by
// the reaper (Runner.reap), and River's own entry for it is cleared a day
// later (the execution it then starts finds the job ended and stops).
func (w *worker) Timeout(*river.Job[scoreArgs]) time.Duration { return maxExecution }

// maxExecution bounds one execution of a job.
const maxExecution = 24 * time.Hour

// execute claims job id, scores its file and records how it ended. What it
// returns is River's: nil when the job is done with (whatever its status),
// an error to have River try again later, a snooze to look again when
// another replica's lease runs out.
func (r *Runner) execute(ctx context.Context, id string, attempt, maxAttempts int) error {
	st := r.cfg.Store
	j, ok, err := st.ClaimJob(ctx, id, r.cfg.ID, r.cfg.Lease)
	switch {
	case scoregate.IsNotFound(err):
		return nil // deleted with its endpoint
	case err != nil:
		return err
	case !ok && j.Status != scoregate.JobRunning:
		return nil // cancelled, or ended by an earlier execution
	case !ok:
		// Another replica holds it: River rescued a job that is alive.
		return river.JobSnooze(max(time.Until(j.LeaseUntil), 0) + time.Second)
	}
	log := r.log.With("job", j.ID, "endpoint", j.EndpointID, "attempt", attempt)
	if j.CancelRequested {
		return r.end(j, scoregate.JobCancelled, "", "cancelled by request", j.Progress, log)
	}
	jctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	r.mu.Lock()
	r.running[j.ID] = cancel
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		delete(r.running, j.ID)
		r.mu.Unlock()
	}()
	log.Info("job started", "input", j.Input)
	began := time.Now()
	prog, err := r.run(jctx, j)
	switch {
	case err == nil:
		log.Info("job finished", "rows", prog.RowsRead, "failed", prog.RowsFailed, "seconds", time.Since(began).Seconds())
		return r.end(j, scoregate.JobFinished, j.Output, "", prog, log)
	case errors.Is(err, scoregate.ErrLeaseLost):
		log.Warn("job taken over by another replica; this execution stops")
		return nil
	case errors.Is(err, errCancelRequested) || errors.Is(context.Cause(jctx), errCancelRequested):
		log.Info("job cancelled")
		return r.end(j, scoregate.JobCancelled, "", "cancelled by request", prog, log)
	case ctx.Err() != nil:
		// This replica is stopping: give the job back for another to take
		// at once, without counting the attempt.
		r.release(j, prog)
		return river.JobSnooze(0)
	case isFileError(err):
		log.Info("job failed", "reason", err)
		return r.end(j, scoregate.JobFailed, "", err.Error(), prog, log)
	case attempt >= maxAttempts:
		log.Error("job failed, no attempts left", "err", err)
		return r.end(j, scoregate.JobFailed, "", "the job failed "+fmt.Sprint(attempt)+" times; last: "+err.Error(), prog, log)
	default:
		log.Warn("job attempt failed; it will be retried", "err", err)
		r.release(j, prog)
		return err
	}
}

// end records a job's final status. A job whose lease passed to another
// replica is left to that one.
func (r *Runner) end(j *scoregate.Job, status scoregate.JobStatus, output, details string, p scoregate.JobProgress, log *slog.Logger) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := r.cfg.Store.EndJob(ctx, j.ID, r.cfg.ID, status, output, details, p)
	if errors.Is(err, scoregate.ErrLeaseLost) {
		log.Warn("job ended elsewhere meanwhile", "status", status)
		return nil
	}
	if err != nil {
		return err
	}
	if r.observe != nil {
		r.observe(status, p)
	}
	if j.RunID != "" && r.cfg.Schedules != nil {
		ended := *j
		ended.Status, ended.Output, ended.Details, ended.Progress = status, output, details, p
		ended.FinishedAt = time.Now()
		if err := r.finishDrop(ctx, &ended); err != nil {
			// The reaper finishes it later (finishDrops).
			log.Warn("moving a dropped file failed; it is tried again later", "err", err)
		}
	}
	return nil
}

// release gives up this replica's lease on a job it stops executing, so
// that another replica may claim it at once.
func (r *Runner) release(j *scoregate.Job, p scoregate.JobProgress) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _ = r.cfg.Store.CheckpointJob(ctx, j.ID, r.cfg.ID, p, -time.Second)
}

// warnOnly passes on River's warnings and errors and drops its
// informational chatter.
type warnOnly struct{ slog.Handler }

func (h warnOnly) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && h.Handler.Enabled(ctx, l)
}

func (h warnOnly) WithAttrs(as []slog.Attr) slog.Handler { return warnOnly{h.Handler.WithAttrs(as)} }
func (h warnOnly) WithGroup(g string) slog.Handler       { return warnOnly{h.Handler.WithGroup(g)} }
