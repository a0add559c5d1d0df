package store

import (
	"context"
	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/scoregate/scoregate"
)

var _ scoregate.ScheduleStore = (*DB)(nil)

// Schedule writes append nothing to the change feed: the feed tells
// serving replicas which cached endpoints to drop, and a schedule is no
// part of what they cache. Schedulers read AllSchedules instead.

// CreateSchedule stores a new schedule of endpoint s.EndpointID in
// workspace s.WorkspaceID, filling in s.ID, s.CreatedAt and s.UpdatedAt;
// NextRun and LastRun are kept at the microsecond in UTC, as read back. An
// endpoint that is not the workspace's is NotFound (EndpointNotFound), and
// s is then left as it was.
func (db *DB) CreateSchedule(ctx context.Context, s *scoregate.Schedule) error {
	given, t := *s, now()
	row := fromSchedule(*s, scheduleRow{
		ID:          scoregate.NewID(),
		WorkspaceID: s.WorkspaceID,
		EndpointID:  s.EndpointID,
		CreatedAt:   t,
		UpdatedAt:   t,
	})
	err := db.inTx(ctx, func(tx *gorm.DB) error {
		if err := endpointOf(tx, row.WorkspaceID, row.EndpointID); err != nil {
			return err
		}
		err := tx.Create(&row).Error
		if errors.Is(err, gorm.ErrForeignKeyViolated) { // deleted meanwhile
			return endpointIDNotFound(row.WorkspaceID, row.EndpointID)
		}
		return err
	})
	if err != nil {
		*s = given
		return translate("create a schedule on endpoint "+given.EndpointID, err, nil, nil)
	}
	*s = toSchedule(row)
	db.log.InfoContext(ctx, "store: schedule created", "schedule_id", s.ID, "endpoint_id", s.EndpointID)
	return nil
}

// Schedule returns a schedule of workspace ws. A schedule of another
// workspace is NotFound (ScheduleNotFound), as a missing one is.
func (db *DB) Schedule(ctx context.Context, ws, id string) (*scoregate.Schedule, error) {
	row, err := findSchedule(db.gorm.WithContext(ctx), ws, id)
	if err != nil {
		return nil, err
	}
	s := toSchedule(row)
	return &s, nil
}

// Schedules lists the schedules of an endpoint of workspace ws, oldest
// first. An endpoint without schedules, or unknown, has an empty list.
func (db *DB) Schedules(ctx context.Context, ws, endpointID string) ([]scoregate.Schedule, error) {
	var rows []scheduleRow
	err := db.gorm.WithContext(ctx).Where("workspace_id = ? AND endpoint_id = ?", ws, endpointID).
		Order("created_at, id").Find(&rows).Error
	if err != nil {
		return nil, translate("list schedules of endpoint "+endpointID, err, nil, nil)
	}
	return schedulesOf(rows), nil
}

// AllSchedules lists the schedules of every workspace, oldest first, for
// the replicas' schedulers. It reads them all at once: schedules are a
// few per endpoint, written by hand.
func (db *DB) AllSchedules(ctx context.Context) ([]scoregate.Schedule, error) {
	var rows []scheduleRow
	if err := db.gorm.WithContext(ctx).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, translate("list all schedules", err, nil, nil)
	}
	return schedulesOf(rows), nil
}

// UpdateSchedule reads a schedule of workspace ws, locked on Postgres (on
// SQLite the immediate transaction excludes other writers), calls update
// on a copy and stores the result with UpdatedAt set, all in one
// transaction. ID, WorkspaceID, EndpointID and CreatedAt stay as stored
// whatever update sets. An error from update is returned as it is and
// nothing is stored. update may be called again when the transaction
// loses a race (a deadlock, SQLite busy), each time on a fresh copy.
func (db *DB) UpdateSchedule(ctx context.Context, ws, id string, update func(*scoregate.Schedule) error) (*scoregate.Schedule, error) {
	var row scheduleRow
	var updateErr error
	err := db.inTx(ctx, func(tx *gorm.DB) error {
		updateErr = nil
		stored, err := findSchedule(tx.Clauses(clause.Locking{Strength: "UPDATE"}), ws, id)
		if err != nil {
			return err
		}
		s := toSchedule(stored)
		if err := update(&s); err != nil {
			updateErr = err
			return err
		}
		row = fromSchedule(s, stored)
		row.UpdatedAt = now()
		return tx.Select("*").Updates(&row).Error
	})
	if updateErr != nil {
		return nil, updateErr
	}
	if err != nil {
		return nil, translate("update schedule "+id, err, nil, nil)
	}
	s := toSchedule(row)
	db.log.DebugContext(ctx, "store: schedule updated", "schedule_id", id, "enabled", s.Enabled)
	return &s, nil
}

// DeleteSchedule deletes a schedule of workspace ws; one that does not
// exist there is NotFound (ScheduleNotFound).
func (db *DB) DeleteSchedule(ctx context.Context, ws, id string) error {
	res := db.gorm.WithContext(ctx).Where("workspace_id = ? AND id = ?", ws, id).Delete(&scheduleRow{})
	if res.Error != nil {
		return translate("delete schedule "+id, res.Error, nil, nil)
	}
	if res.RowsAffected == 0 {
		return scheduleNotFound(id)
	}
	db.log.InfoContext(ctx, "store: schedule deleted", "schedule_id", id)
	return nil
}

// findSchedule reads a schedule of workspace ws.
func findSchedule(tx *gorm.DB, ws, id string) (scheduleRow, error) {
	var row scheduleRow
	err := tx.Where("workspace_id = ? AND id = ?", ws, id).Take(&row).Error
	return row, translate("find schedule "+id, err, scheduleNotFound(id), nil)
}

func schedulesOf(rows []scheduleRow) []scoregate.Schedule {
	list := make([]scoregate.Schedule, len(rows))
	for i, r := range rows {
		list[i] = toSchedule(r)
	}
	return list
}
