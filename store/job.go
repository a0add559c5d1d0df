package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/scoregate/scoregate"
)

var _ scoregate.JobStore = (*DB)(nil)

// Limits of one listing of jobs.
const (
	defaultJobs = 100
	maxJobs     = 1000
)

// Leases are kept by the Go clock of the replica that writes them (now),
// not the database's, so replicas' clocks must roughly agree: a replica
// whose clock runs ahead by more than a lease could take a job whose
// executor is alive. Times are at the microsecond, as every row's.

// CreateJob stores a new job of endpoint j.EndpointID in workspace
// j.WorkspaceID, filling in j.ID, j.CreatedAt and j.Status; what the store
// keeps track of itself (attempts, owner, lease, progress other than
// BytesTotal, times) starts afresh whatever j holds. With enqueue nil the
// job is NotStarted; otherwise it is Running and enqueue is called in the
// transaction that inserts it, so that the job is stored and queued, or
// neither (and j is left as it was). An endpoint that is not the
// workspace's is NotFound (EndpointNotFound).
func (db *DB) CreateJob(ctx context.Context, j *scoregate.Job, enqueue scoregate.Enqueue) error {
	given := *j
	row, err := newJobRow(j, enqueue)
	if err == nil {
		err = db.inTx(ctx, func(tx *gorm.DB) error { return insertJob(ctx, tx, row, *j, enqueue) })
	}
	if err != nil {
		*j = given
		return translate("create a job on endpoint "+given.EndpointID, err, nil, nil)
	}
	db.log.InfoContext(ctx, "store: job created", "job_id", j.ID, "endpoint_id", j.EndpointID, "status", j.Status)
	return nil
}

// newJobRow fills in what the store sets of a new job (ID, CreatedAt,
// Status, and what it keeps track of itself) and returns the job's row:
// NotStarted with enqueue nil, Running otherwise.
func newJobRow(j *scoregate.Job, enqueue scoregate.Enqueue) (jobRow, error) {
	t := now()
	j.ID, j.CreatedAt, j.Status = scoregate.NewID(), t, scoregate.JobNotStarted
	j.StartedAt, j.FinishedAt, j.LeaseUntil = time.Time{}, time.Time{}, time.Time{}
	j.Attempts, j.CancelRequested, j.Owner = 0, false, ""
	j.Progress = scoregate.JobProgress{BytesTotal: j.Progress.BytesTotal}
	if enqueue != nil {
		j.Status, j.StartedAt = scoregate.JobRunning, t
	}
	return fromJob(*j)
}

// insertJob inserts the row of new job j in tx, once its endpoint is
// found in its workspace, and calls enqueue, when set, with tx.
func insertJob(ctx context.Context, tx *gorm.DB, row jobRow, j scoregate.Job, enqueue scoregate.Enqueue) error {
	if err := endpointOf(tx, j.WorkspaceID, j.EndpointID); err != nil {
		return err
	}
	if err := tx.Create(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrForeignKeyViolated) { // deleted meanwhile
			return endpointIDNotFound(j.WorkspaceID, j.EndpointID)
		}
		return err
	}
	if enqueue == nil {
		return nil
	}
	return callEnqueue(ctx, tx, enqueue, j)
}

// Job returns a job of workspace ws. A job of another workspace is
// NotFound (JobNotFound), as a missing one is.
func (db *DB) Job(ctx context.Context, ws, id string) (*scoregate.Job, error) {
	row, err := findJob(db.gorm.WithContext(ctx), ws, id)
	if err != nil {
		return nil, err
	}
	return jobOf(row)
}

// Jobs lists the jobs of an endpoint of workspace ws, newest first: 100
// unless limit says otherwise, at most 1000. An endpoint without jobs, or
// unknown, has an empty list.
func (db *DB) Jobs(ctx context.Context, ws, endpointID string, limit int) ([]scoregate.Job, error) {
	if limit <= 0 {
		limit = defaultJobs
	}
	limit = min(limit, maxJobs)
	var rows []jobRow
	err := db.gorm.WithContext(ctx).Where("workspace_id = ? AND endpoint_id = ?", ws, endpointID).
		Order("created_at DESC, id DESC").Limit(limit).Find(&rows).Error
	op := "list jobs of endpoint " + endpointID
	if err != nil {
		return nil, translate(op, err, nil, nil)
	}
	return convertAll(op, rows, toJob)
}

// StaleJobs returns up to limit Running jobs whose executor's lease ended
// before the given time: their replica died or stalled, and the queue
// entry it held may never come back.
func (db *DB) StaleJobs(ctx context.Context, before time.Time, limit int) ([]scoregate.Job, error) {
	var rows []jobRow
	err := db.gorm.WithContext(ctx).
		Where("status = ? AND lease_until IS NOT NULL AND lease_until < ?", string(scoregate.JobRunning), before.UTC()).
		Order("lease_until").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, translate("list stale jobs", err, nil, nil)
	}
	return convertAll("list stale jobs", rows, toJob)
}

// StartJob moves a NotStarted job to Running and calls enqueue in the same
// transaction. A job in any other status is BadUserArgument
// (CannotStartJob). Of concurrent starts of one job exactly one enqueues:
// the move is a conditional UPDATE, which the others find already done.
func (db *DB) StartJob(ctx context.Context, ws, id string, enqueue scoregate.Enqueue) (*scoregate.Job, error) {
	if enqueue == nil {
		return nil, translate("start job "+id, errors.New("no enqueue function"), nil, nil)
	}
	var started jobRow
	err := db.inTx(ctx, func(tx *gorm.DB) error {
		t := now()
		res := tx.Model(&jobRow{}).
			Where("workspace_id = ? AND id = ? AND status = ?", ws, id, string(scoregate.JobNotStarted)).
			Updates(map[string]any{"status": string(scoregate.JobRunning), "started_at": t, "updated_at": t})
		if res.Error != nil {
			return res.Error
		}
		row, err := findJob(tx, ws, id)
		if err != nil {
			return err
		}
		if res.RowsAffected == 0 {
			return scoregate.Errorf(scoregate.BadUserArgument, scoregate.CodeCannotStartJob, "jobId",
				"job %s is %s; only a NotStarted job can be started", id, row.Status)
		}
		j, err := toJob(row)
		if err != nil {
			return err
		}
		started = row
		return callEnqueue(ctx, tx, enqueue, j)
	})
	if err != nil {
		return nil, translate("start job "+id, err, nil, nil)
	}
	db.log.InfoContext(ctx, "store: job started", "job_id", id)
	return jobOf(started)
}

// CancelJob cancels a job of workspace ws and returns it as it is now. A
// job no executor holds (NotStarted, or Running but queued or with a lease
// run out) is Cancelled at once: an executor that claims it later finds it
// ended. A job whose executor holds a live lease gets CancelRequested and
// stays Running until that executor, at its next checkpoint, ends it. A job
// already ended is left as it is.
func (db *DB) CancelJob(ctx context.Context, ws, id string) (*scoregate.Job, error) {
	var row jobRow
	err := db.inTx(ctx, func(tx *gorm.DB) error {
		// Locked, so a claim cannot slip between the read and the write
		// (on SQLite the immediate transaction already excludes it).
		var err error
		row, err = findJob(tx.Clauses(clause.Locking{Strength: "UPDATE"}), ws, id)
		if err != nil {
			return err
		}
		t := now()
		var set map[string]any
		switch {
		case row.Status == string(scoregate.JobNotStarted):
			set = cancelled(t, "cancelled before it started")
		case row.Status != string(scoregate.JobRunning):
			return nil // ended already
		case row.Owner == "" || row.LeaseUntil == nil || row.LeaseUntil.Before(t):
			details := "cancelled before it started"
			if row.Attempts > 0 {
				details = "cancelled while no executor held it"
			}
			set = cancelled(t, details)
		case !row.CancelRequested:
			set = map[string]any{"cancel_requested": true, "updated_at": t}
		default:
			return nil // requested already
		}
		if err := tx.Model(&jobRow{}).Where("id = ?", id).Updates(set).Error; err != nil {
			return err
		}
		row, err = findJob(tx, ws, id)
		return err
	})
	if err != nil {
		return nil, translate("cancel job "+id, err, nil, nil)
	}
	db.log.InfoContext(ctx, "store: job cancel recorded", "job_id", id, "status", row.Status, "cancel_requested", row.CancelRequested)
	return jobOf(row)
}

// cancelled is the update that ends a job no executor holds.
func cancelled(t time.Time, details string) map[string]any {
	return map[string]any{
		"status":      string(scoregate.JobCancelled),
		"details":     details,
		"finished_at": t,
		"owner":       "",
		"lease_until": nil,
		"updated_at":  t,
	}
}

// ClaimJob makes owner the executor of job id until now+lease, in one
// conditional UPDATE: the job must be Running and unowned, owned by owner
// already (a redelivery to the same replica), or held by a lease that ran
// out. A claim counts an attempt and zeroes the progress, except
// BytesTotal, since the executor starts from the beginning of the file;
// CancelRequested is kept. ok is false, with the job as it is, when the
// claim is refused; a missing job is NotFound (JobNotFound).
func (db *DB) ClaimJob(ctx context.Context, id, owner string, lease time.Duration) (*scoregate.Job, bool, error) {
	if owner == "" {
		return nil, false, translate("claim job "+id, errors.New("empty owner"), nil, nil)
	}
	var row jobRow
	claimed := false
	err := db.inTx(ctx, func(tx *gorm.DB) error {
		t := now()
		res := tx.Model(&jobRow{}).
			Where("id = ? AND status = ? AND (owner = '' OR owner = ? OR lease_until IS NULL OR lease_until < ?)",
				id, string(scoregate.JobRunning), owner, t).
			Updates(map[string]any{
				"owner":       owner,
				"lease_until": leaseEnd(t, lease),
				"attempts":    gorm.Expr("attempts + 1"),
				"rows_read":   0,
				"rows_scored": 0,
				"rows_failed": 0,
				"bytes_read":  0,
				"updated_at":  t,
			})
		if res.Error != nil {
			return res.Error
		}
		claimed = res.RowsAffected > 0
		var err error
		row, err = findJobByID(tx, id)
		return err
	})
	if err != nil {
		return nil, false, translate("claim job "+id, err, nil, nil)
	}
	j, err := jobOf(row)
	return j, claimed && err == nil, err
}

// CheckpointJob records the progress of a job owner holds and renews its
// lease to now+lease. A p.BytesTotal of 0 keeps the stored total. It
// returns whether a cancel was requested, and ErrLeaseLost when owner no
// longer holds the job: another replica claimed it, or it ended.
func (db *DB) CheckpointJob(ctx context.Context, id, owner string, p scoregate.JobProgress, lease time.Duration) (bool, error) {
	var cancel bool
	err := db.inTx(ctx, func(tx *gorm.DB) error {
		t := now()
		set := progress(p)
		set["lease_until"], set["updated_at"] = leaseEnd(t, lease), t
		if err := holdingUpdate(tx, id, owner, set); err != nil {
			return err
		}
		return tx.Model(&jobRow{}).Select("cancel_requested").Where("id = ?", id).Scan(&cancel).Error
	})
	if err != nil {
		return false, translate("checkpoint job "+id, err, nil, nil)
	}
	return cancel, nil
}

// EndJob records the final status of a job owner holds, with its output
// key and details, its progress (a p.BytesTotal of 0 keeps the stored
// total) and FinishedAt, and releases it; Owner stays, naming the replica
// that ended the job. status must be Finished, Failed or Cancelled.
// ErrLeaseLost when owner no longer holds the job.
func (db *DB) EndJob(ctx context.Context, id, owner string, status scoregate.JobStatus, output, details string, p scoregate.JobProgress) error {
	if !status.Done() {
		return translate("end job "+id, fmt.Errorf("%q is not a final status", status), nil, nil)
	}
	err := db.inTx(ctx, func(tx *gorm.DB) error {
		t := now()
		set := progress(p)
		set["status"], set["output"], set["details"] = string(status), output, details
		set["finished_at"], set["lease_until"], set["updated_at"] = t, nil, t
		return holdingUpdate(tx, id, owner, set)
	})
	if err != nil {
		return translate("end job "+id, err, nil, nil)
	}
	db.log.InfoContext(ctx, "store: job ended", "job_id", id, "status", status)
	return nil
}

// holdingUpdate applies set to job id if owner holds it, and is
// ErrLeaseLost otherwise. A lease that ran out still holds until another
// replica claims the job or a cancel ends it.
func holdingUpdate(tx *gorm.DB, id, owner string, set map[string]any) error {
	if owner == "" {
		return scoregate.ErrLeaseLost
	}
	res := tx.Model(&jobRow{}).
		Where("id = ? AND owner = ? AND status = ?", id, owner, string(scoregate.JobRunning)).Updates(set)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return scoregate.ErrLeaseLost
	}
	return nil
}

// progress is the update that records p.
func progress(p scoregate.JobProgress) map[string]any {
	set := map[string]any{
		"rows_read":   p.RowsRead,
		"rows_scored": p.RowsScored,
		"rows_failed": p.RowsFailed,
		"bytes_read":  p.BytesRead,
	}
	if p.BytesTotal > 0 {
		set["bytes_total"] = p.BytesTotal
	}
	return set
}

// leaseEnd is when a lease of length lease taken at t runs out.
func leaseEnd(t time.Time, lease time.Duration) time.Time {
	return t.Add(lease).Truncate(time.Microsecond)
}

// callEnqueue calls enqueue with the *sql.Tx under the GORM transaction
// tx, so that what it writes commits or rolls back with the job's row.
func callEnqueue(ctx context.Context, tx *gorm.DB, enqueue scoregate.Enqueue, j scoregate.Job) error {
	sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
	if !ok {
		return fmt.Errorf("enqueue job %s: the transaction is a %T, not a *sql.Tx", j.ID, tx.Statement.ConnPool)
	}
	if err := enqueue(ctx, sqlTx, &j); err != nil {
		return fmt.Errorf("enqueue job %s: %w", j.ID, err)
	}
	return nil
}

// endpointOf checks that endpoint id belongs to workspace ws.
func endpointOf(tx *gorm.DB, ws, id string) error {
	var n int64
	if err := tx.Model(&endpointRow{}).Where("workspace_id = ? AND id = ?", ws, id).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return endpointIDNotFound(ws, id)
	}
	return nil
}

// findJob reads a job of workspace ws.
func findJob(tx *gorm.DB, ws, id string) (jobRow, error) {
	var row jobRow
	err := tx.Where("workspace_id = ? AND id = ?", ws, id).Take(&row).Error
	return row, translate("find job "+id, err, jobNotFound(id), nil)
}

// findJobByID reads a job of any workspace, for its executor.
func findJobByID(tx *gorm.DB, id string) (jobRow, error) {
	var row jobRow
	err := tx.Where("id = ?", id).Take(&row).Error
	return row, translate("find job "+id, err, jobNotFound(id), nil)
}

// jobOf converts a row read from the database.
func jobOf(row jobRow) (*scoregate.Job, error) {
	j, err := toJob(row)
	if err != nil {
		return nil, translate("read job "+row.ID, err, nil, nil)
	}
	return &j, nil
}
