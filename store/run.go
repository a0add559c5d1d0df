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

var _ scoregate.ScheduleRunStore = (*DB)(nil)

// Limits of one listing of due schedules or of runs.
const (
	defaultRuns = 100
	maxRuns     = 1000
)

// A run's counters only ever grow, each by one conditional or additive
// UPDATE, so that replicas claiming and finishing its files at once never
// overwrite one another. Whichever of ListedRun and the last FinishDrop
// commits second sees both the listing and every file done, and ends the
// run (endRun).

// DueSchedules lists up to limit (100 when limit ≤ 0, at most 1000)
// enabled schedules whose NextRun is at or before at, most overdue first.
func (db *DB) DueSchedules(ctx context.Context, at time.Time, limit int) ([]scoregate.Schedule, error) {
	var rows []scheduleRow
	// "enabled" alone, as in the partial index schedules_due, so that
	// SQLite's planner sees the index applies.
	err := db.gorm.WithContext(ctx).Where("enabled AND next_run <= ?", at.UTC()).
		Order("next_run, id").Limit(listLimit(limit)).Find(&rows).Error
	if err != nil {
		return nil, translate("list due schedules", err, nil, nil)
	}
	return schedulesOf(rows), nil
}

// FireSchedule records a run of schedule (ws, id) at run.FireTime, kept at
// the microsecond in UTC. In one transaction it reads the schedule, locked
// on Postgres (on SQLite the immediate transaction excludes other
// writers), calls update on a copy and stores the result with UpdatedAt
// set (ids and CreatedAt stay as stored), inserts the run and calls
// enqueue with the transaction. Of the run the caller sets FireTime and
// Manual; the store fills in ID, WorkspaceID, ScheduleID, EndpointID,
// Status (NotStarted) and CreatedAt, and starts the rest afresh.
//
// An error from update (ErrNotDue) is returned as it is and nothing is
// stored. When a run of the schedule at that FireTime exists already, ok
// is false, run is left as it was, enqueue is not called, and the update
// of the schedule is stored all the same. On any error run is left as it
// was. update may be called again when the transaction loses a race, each
// time on a fresh copy. A schedule that is not the workspace's is
// NotFound (ScheduleNotFound).
func (db *DB) FireSchedule(ctx context.Context, ws, id string, run *scoregate.ScheduleRun,
	update func(*scoregate.Schedule) error, enqueue scoregate.EnqueueRun) (bool, error) {
	op := "fire schedule " + id
	if run.FireTime.IsZero() {
		return false, translate(op, errors.New("no fire time"), nil, nil)
	}
	given := *run
	var inserted bool
	var updateErr error
	err := db.inTx(ctx, func(tx *gorm.DB) error {
		*run, inserted, updateErr = given, false, nil
		stored, err := findSchedule(tx.Clauses(clause.Locking{Strength: "UPDATE"}), ws, id)
		if err != nil {
			return err
		}
		if update != nil {
			s := toSchedule(stored)
			if err := update(&s); err != nil {
				updateErr = err
				return err
			}
			row := fromSchedule(s, stored)
			row.UpdatedAt = now()
			if err := tx.Select("*").Updates(&row).Error; err != nil {
				return err
			}
		}
		*run = scoregate.ScheduleRun{
			ID:          scoregate.NewID(),
			WorkspaceID: stored.WorkspaceID,
			ScheduleID:  stored.ID,
			EndpointID:  stored.EndpointID,
			FireTime:    given.FireTime.UTC().Truncate(time.Microsecond),
			Manual:      given.Manual,
			Status:      scoregate.JobNotStarted,
			CreatedAt:   now(),
		}
		row, err := fromScheduleRun(*run)
		if err != nil {
			return err
		}
		res := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "schedule_id"}, {Name: "fire_time"}},
			DoNothing: true,
		}).Create(&row)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		inserted = true
		if enqueue == nil {
			return nil
		}
		return callEnqueueRun(ctx, tx, enqueue, *run)
	})
	if updateErr != nil {
		*run = given
		return false, updateErr
	}
	if err != nil || !inserted {
		*run = given
		return false, translate(op, err, nil, nil)
	}
	db.log.InfoContext(ctx, "store: schedule run recorded", "run_id", run.ID, "schedule_id", id,
		"fire_time", run.FireTime, "manual", run.Manual)
	return true, nil
}

// ScheduleRun returns a run of workspace ws with its Files, oldest claim
// first (an empty list when it claimed none). A run of another workspace
// is NotFound (RunNotFound), as a missing one is.
func (db *DB) ScheduleRun(ctx context.Context, ws, id string) (*scoregate.ScheduleRun, error) {
	g := db.gorm.WithContext(ctx)
	var row scheduleRunRow
	err := g.Where("workspace_id = ? AND id = ?", ws, id).Take(&row).Error
	if err != nil {
		return nil, translate("find run "+id, err, runNotFound(id), nil)
	}
	var claims []dropClaimRow
	if err := g.Where("run_id = ?", id).Order("claimed_at, object_key").Find(&claims).Error; err != nil {
		return nil, translate("list the files of run "+id, err, nil, nil)
	}
	run, err := runOf(row)
	if err != nil {
		return nil, err
	}
	run.Files = make([]scoregate.DropFile, len(claims))
	for i, c := range claims {
		run.Files[i] = toDropFile(c)
	}
	return run, nil
}

// ScheduleRuns lists the runs of a schedule of workspace ws, newest first:
// 100 unless limit says otherwise, at most 1000, without their Files. A
// schedule without runs, or unknown, has an empty list.
func (db *DB) ScheduleRuns(ctx context.Context, ws, scheduleID string, limit int) ([]scoregate.ScheduleRun, error) {
	var rows []scheduleRunRow
	err := db.gorm.WithContext(ctx).Where("workspace_id = ? AND schedule_id = ?", ws, scheduleID).
		Order("created_at DESC, id DESC").Limit(listLimit(limit)).Find(&rows).Error
	op := "list runs of schedule " + scheduleID
	if err != nil {
		return nil, translate(op, err, nil, nil)
	}
	return convertAll(op, rows, toScheduleRun)
}

// StartRun moves a NotStarted run to Running, with StartedAt, in one
// conditional UPDATE, and returns the run as it is now (without Files),
// whatever its status: of replicas handed one run, the one that moved it
// sees StartedAt it wrote, and all see Running or an ended run. A missing
// run (deleted with its schedule) is NotFound (RunNotFound).
func (db *DB) StartRun(ctx context.Context, id string) (*scoregate.ScheduleRun, error) {
	var row scheduleRunRow
	err := db.inTx(ctx, func(tx *gorm.DB) error {
		t := now()
		err := tx.Model(&scheduleRunRow{}).
			Where("id = ? AND status = ?", id, string(scoregate.JobNotStarted)).
			Updates(map[string]any{"status": string(scoregate.JobRunning), "started_at": t, "updated_at": t}).Error
		if err != nil {
			return err
		}
		row, err = findRun(tx, id)
		return err
	})
	if err != nil {
		return nil, translate("start run "+id, err, nil, nil)
	}
	return runOf(row)
}

// ListedRun records that run id has listed the inbox: Listed, the counts
// of files found and skipped, and the notes (which replace any recorded
// before). With failure non-empty a run not ended yet is Failed, with
// failure as Details; otherwise a Running run whose claimed files are all
// done is Finished. A missing run is NotFound (RunNotFound).
func (db *DB) ListedRun(ctx context.Context, id string, found, skipped int, notes []string, failure string) error {
	op := "record the listing of run " + id
	text, err := encodeNotes(id, notes)
	if err != nil {
		return translate(op, err, nil, nil)
	}
	var status string
	err = db.inTx(ctx, func(tx *gorm.DB) error {
		t := now()
		res := tx.Model(&scheduleRunRow{}).Where("id = ?", id).Updates(map[string]any{
			"listed":        true,
			"files_found":   found,
			"files_skipped": skipped,
			"notes":         text,
			"updated_at":    t,
		})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return runNotFound(id)
		}
		if failure != "" {
			err := tx.Model(&scheduleRunRow{}).
				Where("id = ? AND status IN ?", id, []string{string(scoregate.JobNotStarted), string(scoregate.JobRunning)}).
				Updates(map[string]any{
					"status":      string(scoregate.JobFailed),
					"details":     failure,
					"finished_at": t,
					"updated_at":  t,
				}).Error
			if err != nil {
				return err
			}
		} else if err := endRun(tx, id, t); err != nil {
			return err
		}
		return tx.Model(&scheduleRunRow{}).Select("status").Where("id = ?", id).Scan(&status).Error
	})
	if err != nil {
		return translate(op, err, nil, nil)
	}
	db.log.InfoContext(ctx, "store: schedule run listed", "run_id", id, "files_found", found,
		"files_skipped", skipped, "status", status)
	return nil
}

// endRun ends run id (Finished at t) if it is Running, has listed the
// inbox and every file it claimed is done. It is the last write of the
// transactions that could make this so.
func endRun(tx *gorm.DB, id string, t time.Time) error {
	return tx.Model(&scheduleRunRow{}).
		Where("id = ? AND status = ? AND listed AND files_scored + files_failed >= files_claimed",
			id, string(scoregate.JobRunning)).
		Updates(map[string]any{"status": string(scoregate.JobFinished), "finished_at": t, "updated_at": t}).Error
}

// callEnqueueRun calls enqueue with the *sql.Tx under the GORM transaction
// tx, so that what it writes commits or rolls back with the run's row.
func callEnqueueRun(ctx context.Context, tx *gorm.DB, enqueue scoregate.EnqueueRun, run scoregate.ScheduleRun) error {
	sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
	if !ok {
		return fmt.Errorf("enqueue run %s: the transaction is a %T, not a *sql.Tx", run.ID, tx.Statement.ConnPool)
	}
	if err := enqueue(ctx, sqlTx, &run); err != nil {
		return fmt.Errorf("enqueue run %s: %w", run.ID, err)
	}
	return nil
}

// findRun reads a run of any workspace, for the replica that executes it.
func findRun(tx *gorm.DB, id string) (scheduleRunRow, error) {
	var row scheduleRunRow
	err := tx.Where("id = ?", id).Take(&row).Error
	return row, translate("find run "+id, err, runNotFound(id), nil)
}

// runOf converts a row read from the database.
func runOf(row scheduleRunRow) (*scoregate.ScheduleRun, error) {
	run, err := toScheduleRun(row)
	if err != nil {
		return nil, translate("read run "+row.ID, err, nil, nil)
	}
	return &run, nil
}

// listLimit is the number of rows a listing asked for limit returns.
func listLimit(limit int) int {
	if limit <= 0 {
		return defaultRuns
	}
	return min(limit, maxRuns)
}
