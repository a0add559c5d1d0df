package batch

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/scoregate/scoregate"
)

// Scheduled file drops. Every replica's scheduler looks each second for
// schedules whose next run is due and records a run for that firing in
// the store, with the schedule's next run moved past now and the run
// queued, in one transaction: the run is unique on (schedule, fire time),
// so however many replicas see the firing, one run happens, and a
// schedule that missed several firings while no replica ran fires once.
// A run lists the endpoint's inbox and claims each matching file in the
// transaction that creates the file's batch job (store.ClaimDrop): a file
// is claimed once, whichever run sees it. The job is an ordinary batch
// job, executed, checkpointed and taken over like any other; when it
// ends, its executor moves the input to processed/ or failed/ and
// records the file's fate in its run. A job that ended without that (its
// replica died in between) is finished by the reaper.

// ScheduleStores is what the scheduler needs of the store.
type ScheduleStores interface {
	scoregate.ScheduleStore
	scoregate.ScheduleRunStore
}

// dropQueue is the River queue schedule runs go on, apart from the files'
// jobs: a run only lists and claims, and must not wait behind them.
const dropQueue = "drops"

// runArgs is the queue's record of a schedule run. It is unique on the
// schedule and the firing; the run's row in the store holds the rest.
type runArgs struct {
	ScheduleID string    `json:"schedule_id" river:"unique"`
	FireTime   time.Time `json:"fire_time" river:"unique"`
	RunID      string    `json:"run_id"`
}

// Kind names the job kind in River's tables.
func (runArgs) Kind() string { return "scoregate_schedule_run" }

// InsertOpts puts runs on their queue, once per schedule and firing.
func (runArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       dropQueue,
		MaxAttempts: maxAttempts,
		UniqueOpts:  river.UniqueOpts{ByArgs: true},
	}
}

// runWorker is River's handle on Runner.runSchedule.
type runWorker struct {
	river.WorkerDefaults[runArgs]
	r *Runner
}

// Work lists the inbox for one run.
func (w *runWorker) Work(ctx context.Context, rj *river.Job[runArgs]) error {
	err := w.r.runSchedule(ctx, rj.Args.RunID)
	if err != nil && rj.Attempt >= rj.MaxAttempts {
		w.r.failRun(rj.Args.RunID, fmt.Sprintf("the inbox could not be read (%d attempts); last: %v", rj.Attempt, err))
		return nil
	}
	return err
}

// Timeout bounds one listing of an inbox. A run whose replica died while
// it listed is given back by River's rescuer (RescueStuckJobsAfter) and
// lists again; the files it had claimed are claimed already.
func (w *runWorker) Timeout(*river.Job[runArgs]) time.Duration { return runTimeout }

// runTimeout bounds one listing of an inbox; rescueRunsAfter is when
// River gives back a run whose replica died.
const (
	runTimeout      = 5 * time.Minute
	rescueRunsAfter = 2 * runTimeout
)

// maxNotes bounds the notes of one run.
const maxNotes = 50

// fireDue records and queues a run of every schedule that is due. A
// schedule another replica fired meanwhile is ErrNotDue, and skipped.
func (r *Runner) fireDue(ctx context.Context) error {
	now := time.Now()
	due, err := r.cfg.Schedules.DueSchedules(ctx, now, 100)
	if err != nil {
		return err
	}
	for _, sc := range due {
		at := sc.NextRun
		run := &scoregate.ScheduleRun{ScheduleID: sc.ID, FireTime: at}
		var broken error
		ok, err := r.cfg.Schedules.FireSchedule(ctx, sc.WorkspaceID, sc.ID, run, func(s *scoregate.Schedule) error {
			if !s.Enabled || !s.NextRun.Equal(at) {
				return scoregate.ErrNotDue
			}
			// The next firing after now, not after at: firings missed
			// while no replica ran are one run, this one.
			next, err := NextRun(s.Cron, s.TimeZone, now)
			if err != nil { // stored before a check it fails: stop it
				broken, next = err, time.Time{}
			}
			s.NextRun, s.LastRun = next, at
			return nil
		}, r.enqueueRun)
		switch {
		case errors.Is(err, scoregate.ErrNotDue) || scoregate.IsNotFound(err):
			continue
		case err != nil:
			return fmt.Errorf("fire schedule %s: %w", sc.ID, err)
		}
		if broken != nil {
			r.log.Error("schedule has no next run; it stops until changed", "schedule", sc.ID, "err", broken)
		}
		if ok {
			r.log.Info("schedule fired", "schedule", sc.ID, "run", run.ID, "fire_time", at, "late", now.Sub(at).Round(time.Millisecond))
		}
	}
	return nil
}

// RunNow records and queues a run of a schedule at once, whether or not
// it is enabled, and returns it.
func (r *Runner) RunNow(ctx context.Context, ws, id string) (*scoregate.ScheduleRun, error) {
	if r.cfg.Schedules == nil {
		return nil, errors.New("batch: this runner has no schedule store")
	}
	at := time.Now().UTC().Truncate(time.Microsecond)
	run := &scoregate.ScheduleRun{ScheduleID: id, FireTime: at, Manual: true}
	ok, err := r.cfg.Schedules.FireSchedule(ctx, ws, id, run, func(s *scoregate.Schedule) error {
		s.LastRun = at
		return nil
	}, r.enqueueRun)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, scoregate.Errorf(scoregate.Conflict, scoregate.CodeInvalidValue, "",
			"schedule %s was run at this very moment already", id)
	}
	r.log.Info("schedule run requested", "schedule", id, "run", run.ID)
	return run, nil
}

// enqueueRun puts a run on River's queue inside the store's transaction.
func (r *Runner) enqueueRun(ctx context.Context, tx *sql.Tx, run *scoregate.ScheduleRun) error {
	args := runArgs{ScheduleID: run.ScheduleID, FireTime: run.FireTime, RunID: run.ID}
	if _, err := r.client.InsertTx(ctx, tx, args, nil); err != nil {
		return fmt.Errorf("batch: queue run %s: %w", run.ID, err)
	}
	return nil
}

// runSchedule lists the inbox of run id's endpoint and claims every file
// the schedule matches that has settled, each into a batch job. A run
// given again (River rescued it) lists again; what it claimed before is
// claimed already.
func (r *Runner) runSchedule(ctx context.Context, id string) error {
	st := r.cfg.Schedules
	run, err := st.StartRun(ctx, id)
	switch {
	case scoregate.IsNotFound(err):
		return nil // deleted with its schedule
	case err != nil:
		return err
	case run.Listed || run.Status.Done():
		return nil
	}
	log := r.log.With("run", run.ID, "schedule", run.ScheduleID)
	sc, err := st.Schedule(ctx, run.WorkspaceID, run.ScheduleID)
	if scoregate.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	ep, err := r.cfg.Models.Endpoint(ctx, run.WorkspaceID, run.EndpointID)
	if scoregate.IsNotFound(err) {
		return nil // the schedule went with it
	}
	if err != nil {
		return err
	}
	lister, ok := r.cfg.Blobs.(scoregate.BlobLister)
	if !ok {
		return st.ListedRun(ctx, run.ID, 0, 0, nil, "this gateway's blob store cannot list folders")
	}
	prefix := scoregate.DropPrefix(run.WorkspaceID, ep.ServiceName, ep.Endpoint.Name)
	files, err := lister.List(ctx, prefix+"inbox/")
	if err != nil {
		return err
	}
	var found, skipped, claimed int
	var notes []string
	note := func(format string, args ...any) {
		skipped++
		if len(notes) < maxNotes {
			notes = append(notes, fmt.Sprintf(format, args...))
		}
	}
	now := time.Now()
	for _, f := range files {
		name := path.Base(f.Key)
		if !Matches(sc, name) {
			continue
		}
		found++
		if age := now.Sub(f.ModTime); !f.Whole && age < r.cfg.Settle {
			note("%s: changed %s ago; left until it has not changed for %s", name, age.Round(time.Second), r.cfg.Settle)
			continue
		}
		j := dropJob(sc, prefix, name, f)
		ok, err := st.ClaimDrop(ctx, run.ID, scoregate.DropFile{Key: f.Key, Name: name, Version: DropVersion(f), Size: f.Size}, j, r.enqueue)
		if err != nil {
			return fmt.Errorf("claim %s: %w", name, err)
		}
		if !ok {
			note("%s: claimed by an earlier run, whose job is still scoring it", name)
			continue
		}
		claimed++
		log.Info("dropped file claimed", "file", name, "job", j.ID, "bytes", f.Size)
	}
	if skipped > len(notes) {
		notes = append(notes, fmt.Sprintf("… and %d more", skipped-len(notes)))
	}
	log.Info("schedule run listed the inbox", "found", found, "claimed", claimed, "skipped", skipped)
	return st.ListedRun(ctx, run.ID, found, skipped, notes, "")
}

// failRun records a run that could not list its inbox.
func (r *Runner) failRun(id, why string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.cfg.Schedules.ListedRun(ctx, id, 0, 0, nil, why); err != nil && !scoregate.IsNotFound(err) {
		r.log.Error("schedules: recording a failed run failed", "run", id, "err", err)
	}
}

// DropVersion tells one content of a dropped file from another, for its
// claim: the store's etag when it has one, and the modification time, so
// that a file dropped again with the same bytes is scored again.
func DropVersion(f scoregate.BlobInfo) string {
	return f.ETag + "@" + f.ModTime.UTC().Format(time.RFC3339Nano)
}

// dropJob is the batch job that scores dropped file name of schedule sc
// into outbox/{stem}.scored.{format}. An .xlsx file is read as a workbook
// (its first sheet), any other as CSV.
func dropJob(sc *scoregate.Schedule, prefix, name string, f scoregate.BlobInfo) *scoregate.Job {
	in := scoregate.FormatCSV
	if strings.EqualFold(path.Ext(name), ".xlsx") {
		in = scoregate.FormatXLSX
	}
	out := in
	if sc.OutputFormat == scoregate.FormatCSV || sc.OutputFormat == scoregate.FormatXLSX {
		out = sc.OutputFormat
	}
	stem := strings.TrimSuffix(name, path.Ext(name))
	return &scoregate.Job{
		WorkspaceID: sc.WorkspaceID,
		EndpointID:  sc.EndpointID,
		Input:       f.Key,
		InputName:   name,
		Output:      prefix + "outbox/" + stem + ".scored." + out,
		Options: scoregate.JobOptions{
			InputFormat:       in,
			OutputFormat:      out,
			MaxFailedFraction: sc.ErrorThreshold,
		},
		Progress: scoregate.JobProgress{BytesTotal: f.Size},
	}
}

// dropArea returns the drop area a drop job's input is in.
func dropArea(j *scoregate.Job) string {
	return strings.TrimSuffix(j.Input, "inbox/"+j.InputName)
}

// finishDrop moves the input of drop job j, which has ended, to
// processed/ (Finished) or failed/ with an error report, and records the
// file's fate in its run. Each step may be done twice (by the job's
// executor and by a reaper after a crash): the copy is overwritten, the
// delete of a missing file does nothing, and the store records the fate
// once.
func (r *Runner) finishDrop(ctx context.Context, j *scoregate.Job) error {
	area := dropArea(j)
	f := scoregate.DropFile{RowsRead: j.Progress.RowsRead, RowsFailed: j.Progress.RowsFailed}
	if j.Status == scoregate.JobFinished {
		f.Status, f.Output, f.Moved = scoregate.DropScored, j.Output, area+"processed/"+j.InputName
	} else {
		f.Status, f.Moved, f.Details = scoregate.DropFailed, area+"failed/"+j.InputName, cmp.Or(j.Details, string(j.Status))
		report := errorReport(j, f.Details)
		if err := r.cfg.Blobs.Put(ctx, f.Moved+".error.txt", strings.NewReader(report)); err != nil {
			return fmt.Errorf("write the error report of %s: %w", j.InputName, err)
		}
	}
	replaced, err := r.replaced(ctx, j)
	if err != nil {
		return err
	}
	if replaced {
		// A new file of the same name, dropped meanwhile, stays for the
		// next run: moving it would lose it unscored.
		f.Moved = ""
		f.Details = strings.TrimPrefix(f.Details+"; ", "; ") + "the file was replaced in inbox/ meanwhile; the new one is left for the next run"
	} else if err := r.move(ctx, j.Input, f.Moved); err != nil {
		return err
	}
	ok, err := r.cfg.Schedules.FinishDrop(ctx, j.ID, f)
	if err != nil {
		return fmt.Errorf("record the end of %s: %w", j.InputName, err)
	}
	if ok && r.onDrop != nil {
		r.onDrop(f.Status)
	}
	if ok {
		r.log.Info("dropped file done", "file", j.InputName, "job", j.ID, "run", j.RunID, "status", f.Status, "moved_to", f.Moved)
	}
	return nil
}

// replaced reports whether the inbox file of drop job j is no longer the
// version the job's run claimed: a file of the same name was dropped
// since. A file that is gone (moved already, or deleted) is not replaced.
func (r *Runner) replaced(ctx context.Context, j *scoregate.Job) (bool, error) {
	st, ok := r.cfg.Blobs.(scoregate.BlobStater)
	if !ok {
		return false, nil
	}
	claim, err := r.cfg.Schedules.DropOfJob(ctx, j.ID)
	if err != nil {
		return false, fmt.Errorf("find the claim of %s: %w", j.InputName, err)
	}
	info, err := st.Stat(ctx, j.Input)
	switch {
	case scoregate.IsNotFound(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("look at %s in the inbox: %w", j.InputName, err)
	}
	return DropVersion(info) != claim.Version || info.Size != claim.Size, nil
}

// move moves blob src to dst: a copy, then the delete of src. A src that
// is gone already (moved by another finisher, or deleted by a user)
// leaves dst as it is.
func (r *Runner) move(ctx context.Context, src, dst string) error {
	var err error
	if c, ok := r.cfg.Blobs.(blobCopier); ok {
		err = c.Copy(ctx, dst, src)
	} else {
		var rc io.ReadCloser
		if rc, err = r.cfg.Blobs.Open(ctx, src); err == nil {
			err = r.cfg.Blobs.Put(ctx, dst, rc)
			rc.Close()
		}
	}
	if scoregate.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("move %s to %s: %w", path.Base(src), path.Dir(dst), err)
	}
	if err := r.cfg.Blobs.Delete(ctx, src); err != nil {
		return fmt.Errorf("remove %s from the inbox: %w", path.Base(src), err)
	}
	return nil
}

// blobCopier is implemented by Blobs that copy a blob within the store
// (store.Bucket), without streaming it through the replica.
type blobCopier interface {
	Copy(ctx context.Context, dst, src string) error
}

// errorReport is the text put beside a failed file: what failed and why.
func errorReport(j *scoregate.Job, why string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "scoregate could not score %s.\n\n", j.InputName)
	fmt.Fprintf(&b, "Reason: %s\n\n", why)
	fmt.Fprintf(&b, "File:        %s (%d bytes)\n", j.InputName, j.Progress.BytesTotal)
	fmt.Fprintf(&b, "Rows read:   %d, of which failed: %d\n", j.Progress.RowsRead, j.Progress.RowsFailed)
	fmt.Fprintf(&b, "Batch job:   %s (status %s)\n", j.ID, j.Status)
	fmt.Fprintf(&b, "Run:         %s\n", j.RunID)
	fmt.Fprintf(&b, "Ended at:    %s\n\n", cmp.Or(j.FinishedAt, time.Now()).UTC().Format(time.RFC3339))
	b.WriteString("Fix the file and drop it into inbox/ again; it is scored by the next run.\n")
	return b.String()
}

// finishDrops finishes the drop jobs that ended at least a lease ago
// without their files being moved: their executor stopped in between.
func (r *Runner) finishDrops(ctx context.Context) error {
	if r.cfg.Schedules == nil {
		return nil
	}
	jobs, err := r.cfg.Schedules.DropsToFinish(ctx, time.Now().Add(-r.cfg.Lease), 100)
	if err != nil {
		return err
	}
	for i := range jobs {
		if err := r.finishDrop(ctx, &jobs[i]); err != nil {
			return err
		}
	}
	return nil
}
