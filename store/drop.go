package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/scoregate/scoregate"
)

// A claim makes each file dropped in an endpoint's inbox scored once
// across replicas and runs: a file is its key, version and size, and only
// the first INSERT of its claim (ON CONFLICT DO NOTHING) creates a job.
// Claims outlive their runs (a deleted schedule's files are not taken
// again) and go with their endpoint.

// ClaimDrop claims file f (Key, Name, Version, Size) of the endpoint of
// run runID for that run. In one transaction it inserts the claim and,
// only when no claim of that file existed, creates job j as CreateJob does
// with enqueue (j.WorkspaceID and j.EndpointID are the run's, j.RunID is
// runID; enqueue nil leaves it NotStarted), names the job in the claim and
// counts the file in the run's FilesClaimed. ok is false, nothing is
// stored and j is left as it was when the file was claimed before, by
// this run or another; j is left as it was on an error too. A missing run
// is NotFound (RunNotFound); a run whose endpoint was deleted meanwhile is
// NotFound (EndpointNotFound).
func (db *DB) ClaimDrop(ctx context.Context, runID string, f scoregate.DropFile, j *scoregate.Job, enqueue scoregate.Enqueue) (bool, error) {
	given := *j
	claimed := false
	err := db.inTx(ctx, func(tx *gorm.DB) error {
		*j, claimed = given, false
		run, err := findRun(tx, runID)
		if err != nil {
			return err
		}
		j.WorkspaceID, j.EndpointID, j.RunID = run.WorkspaceID, run.EndpointID, runID
		// The job's id is known before its row exists: the claim names it.
		job, err := newJobRow(j, enqueue)
		if err != nil {
			return err
		}
		claim := dropClaimRow{
			EndpointID: run.EndpointID,
			ObjectKey:  f.Key,
			ETag:       f.Version,
			Size:       f.Size,
			Name:       f.Name,
			RunID:      runID,
			ClaimedAt:  now(),
			JobID:      &j.ID,
			Status:     scoregate.DropClaimed,
		}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&claim)
		if errors.Is(res.Error, gorm.ErrForeignKeyViolated) { // deleted meanwhile
			return endpointIDNotFound(run.WorkspaceID, run.EndpointID)
		}
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		if err := insertJob(ctx, tx, job, *j, enqueue); err != nil {
			return err
		}
		claimed = true
		return tx.Model(&scheduleRunRow{}).Where("id = ?", runID).Updates(map[string]any{
			"files_claimed": gorm.Expr("files_claimed + 1"),
			"updated_at":    claim.ClaimedAt,
		}).Error
	})
	if err != nil || !claimed {
		*j = given
		return false, translate("claim dropped file "+f.Key+" for run "+runID, err, nil, nil)
	}
	db.log.InfoContext(ctx, "store: dropped file claimed", "run_id", runID, "key", f.Key,
		"job_id", j.ID, "endpoint_id", j.EndpointID)
	return true, nil
}

// FinishDrop records what became of the file job jobID scored: f's Status
// (DropScored or DropFailed), Output, Moved, RowsRead, RowsFailed and
// Details, with DoneAt. In the same transaction it counts the file in its
// run (FilesScored or FilesFailed, and the rows) and ends the run when it
// has listed the inbox and this was its last file. ok is false, and
// nothing changes, when the job's claim is done already or there is none;
// of replicas finishing one file at once exactly one is ok, since the
// claim moves from DropClaimed in one conditional UPDATE.
func (db *DB) FinishDrop(ctx context.Context, jobID string, f scoregate.DropFile) (bool, error) {
	op := "finish the dropped file of job " + jobID
	if f.Status != scoregate.DropScored && f.Status != scoregate.DropFailed {
		return false, translate(op, fmt.Errorf("%q is not a final status of a dropped file", f.Status), nil, nil)
	}
	done := false
	var runID string
	err := db.inTx(ctx, func(tx *gorm.DB) error {
		done, runID = false, ""
		t := now()
		res := tx.Model(&dropClaimRow{}).Where("job_id = ? AND status = ?", jobID, scoregate.DropClaimed).
			Updates(map[string]any{
				"status":      f.Status,
				"output":      f.Output,
				"moved":       f.Moved,
				"rows_read":   f.RowsRead,
				"rows_failed": f.RowsFailed,
				"details":     f.Details,
				"done_at":     t,
			})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		done = true
		if err := tx.Model(&dropClaimRow{}).Select("run_id").Where("job_id = ?", jobID).Scan(&runID).Error; err != nil {
			return err
		}
		counter := "files_failed"
		if f.Status == scoregate.DropScored {
			counter = "files_scored"
		}
		// A run deleted with its schedule is updated nowhere.
		err := tx.Model(&scheduleRunRow{}).Where("id = ?", runID).Updates(map[string]any{
			counter:       gorm.Expr(counter + " + 1"),
			"rows_read":   gorm.Expr("rows_read + ?", f.RowsRead),
			"rows_failed": gorm.Expr("rows_failed + ?", f.RowsFailed),
			"updated_at":  t,
		}).Error
		if err != nil {
			return err
		}
		return endRun(tx, runID, t)
	})
	if err != nil {
		return false, translate(op, err, nil, nil)
	}
	if done {
		db.log.InfoContext(ctx, "store: dropped file done", "job_id", jobID, "run_id", runID, "status", f.Status)
	}
	return done, nil
}

// DropOfJob returns the claim of the file job jobID scores. A job that
// scores no dropped file is NotFound (JobNotFound).
func (db *DB) DropOfJob(ctx context.Context, jobID string) (*scoregate.DropFile, error) {
	var row dropClaimRow
	err := db.gorm.WithContext(ctx).Where("job_id = ?", jobID).Take(&row).Error
	if err != nil {
		return nil, translate("find the dropped file of job "+jobID, err, jobNotFound(jobID), nil)
	}
	f := toDropFile(row)
	return &f, nil
}

// DropsToFinish lists up to limit (100 when limit ≤ 0, at most 1000) jobs
// that ended (Finished, Failed or Cancelled) before endedBefore while the
// claim on the file they scored is still DropClaimed, oldest end first:
// the replica that ended them stopped before it moved their files.
func (db *DB) DropsToFinish(ctx context.Context, endedBefore time.Time, limit int) ([]scoregate.Job, error) {
	ended := []string{string(scoregate.JobFinished), string(scoregate.JobFailed), string(scoregate.JobCancelled)}
	var rows []jobRow
	err := db.gorm.WithContext(ctx).Select("jobs.*").
		Joins("JOIN drop_claims ON drop_claims.job_id = jobs.id").
		// 'claimed' written out, as in the partial index drop_claims_open,
		// so that SQLite's planner sees the index applies.
		Where("drop_claims.status = 'claimed' AND jobs.status IN ? AND jobs.finished_at < ?",
			ended, endedBefore.UTC()).
		Order("jobs.finished_at, jobs.id").Limit(listLimit(limit)).Find(&rows).Error
	if err != nil {
		return nil, translate("list dropped files to finish", err, nil, nil)
	}
	return convertAll("list dropped files to finish", rows, toJob)
}
