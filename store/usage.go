package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/scoregate/scoregate"
)

var _ scoregate.UsageStore = (*DB)(nil)

// PutUsage inserts or replaces the rows of (endpoint, hour, replica): the
// counters are the replica's totals for the hour so far, never increments.
// Hour is moved to the start of its hour in UTC. Within one call the last
// row of a key wins; rows of endpoints that no longer exist are dropped, and
// WorkspaceID is taken from the endpoint.
func (db *DB) PutUsage(ctx context.Context, usage []scoregate.UsageHour) error {
	if len(usage) == 0 {
		return nil
	}
	type key struct {
		endpoint, replica string
		hour              time.Time
	}
	rows := make([]usageRow, 0, len(usage))
	at := make(map[key]int, len(usage))
	ids := make([]string, 0, len(usage))
	for _, u := range usage {
		r, err := fromUsage(u)
		if err != nil {
			return translate("record usage", err, nil, nil)
		}
		// Postgres refuses an upsert that touches one row twice.
		k := key{r.EndpointID, r.Replica, r.Hour}
		if i, ok := at[k]; ok {
			rows[i] = r
			continue
		}
		at[k] = len(rows)
		rows = append(rows, r)
		ids = append(ids, r.EndpointID)
	}
	upsert := clause.OnConflict{
		Columns:   []clause.Column{{Name: "endpoint_id"}, {Name: "hour"}, {Name: "replica"}},
		DoUpdates: clause.AssignmentColumns([]string{"workspace_id", "calls", "errors", "throttled", "rows", "latency"}),
	}
	err := db.inTx(ctx, func(tx *gorm.DB) error {
		live, err := liveEndpoints(tx, ids)
		if err != nil {
			return err
		}
		kept := make([]usageRow, 0, len(rows))
		for _, r := range rows {
			if ws, ok := live[r.EndpointID]; ok {
				r.WorkspaceID = ws
				kept = append(kept, r)
			}
		}
		if len(kept) == 0 {
			return nil
		}
		return tx.Clauses(upsert).CreateInBatches(&kept, batchSize).Error
	})
	return translate("record usage", err, nil, nil)
}

// Usage returns the rows of an endpoint with from <= Hour < to, every
// replica's, ordered by hour and replica.
func (db *DB) Usage(ctx context.Context, endpointID string, from, to time.Time) ([]scoregate.UsageHour, error) {
	op := fmt.Sprintf("read usage of endpoint %s", endpointID)
	var rows []usageRow
	err := db.gorm.WithContext(ctx).
		Where("endpoint_id = ? AND hour >= ? AND hour < ?", endpointID, from.UTC(), to.UTC()).
		Order("hour, replica").Find(&rows).Error
	if err != nil {
		return nil, translate(op, err, nil, nil)
	}
	return convertAll(op, rows, toUsage)
}

// DeleteUsageBefore deletes the rows of hours before before.
func (db *DB) DeleteUsageBefore(ctx context.Context, before time.Time) error {
	err := db.gorm.WithContext(ctx).Where("hour < ?", before.UTC()).Delete(&usageRow{}).Error
	return translate("delete usage", err, nil, nil)
}
