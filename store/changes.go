package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/scoregate/scoregate"
)

var _ scoregate.ChangeFeed = (*DB)(nil)

// maxChanges caps one read of the change feed.
const maxChanges = 1000

// changeLock is the Postgres advisory lock a transaction holds from the
// moment it appends a change until it ends ("changes!" in ASCII).
//
// A replica reads the changes after the last seq it saw. Without the lock,
// two transactions could draw seq 10 and 11 and commit 11 first: a replica
// reading in between would see 11, move its cursor past 10 and never drop
// what 10 invalidates, such as a rotated key. Holding the lock to the end
// of the transaction makes changes commit in seq order. The writers it
// serialises are management calls, and each takes the lock as its last step,
// when it holds every row lock it needs, so it never waits while holding it.
// SQLite transactions run one at a time already.
const changeLock int64 = 0x6368616e67657321

// appendChange adds a change to the feed in tx. An empty endpoint names
// every endpoint of web service svc; an empty svc every endpoint of the
// workspace. It must be the last write of tx (see changeLock).
func (db *DB) appendChange(tx *gorm.DB, ws, svc, endpoint string) error {
	if db.dialect == DialectPostgres {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", changeLock).Error; err != nil {
			return fmt.Errorf("lock the change feed: %w", err)
		}
	}
	row := changeRow{WorkspaceID: ws, WebServiceID: svc, EndpointID: endpoint, At: now()}
	if err := tx.Create(&row).Error; err != nil {
		return fmt.Errorf("append a change: %w", err)
	}
	return nil
}

// LastChange returns the seq of the latest change, 0 when there is none
// (never written, or every change pruned). A replica starting up reads it
// once and then follows ChangesAfter: what it loads afterwards is current.
func (db *DB) LastChange(ctx context.Context) (int64, error) {
	var seq int64
	err := db.gorm.WithContext(ctx).Model(&changeRow{}).Select("COALESCE(MAX(seq), 0)").Scan(&seq).Error
	return seq, translate("read the last change", err, nil, nil)
}

// ChangesAfter returns up to limit changes with Seq > after, oldest first.
// limit is capped at 1000; zero or less means the cap.
func (db *DB) ChangesAfter(ctx context.Context, after int64, limit int) ([]scoregate.Change, error) {
	if limit <= 0 || limit > maxChanges {
		limit = maxChanges
	}
	var rows []changeRow
	err := db.gorm.WithContext(ctx).Where("seq > ?", after).Order("seq").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, translate(fmt.Sprintf("read changes after %d", after), err, nil, nil)
	}
	list := make([]scoregate.Change, len(rows))
	for i, r := range rows {
		list[i] = toChange(r)
	}
	return list, nil
}

// PruneChanges deletes changes older than before. Seqs are never reused,
// so a replica whose cursor points at a pruned change still reads every
// later one.
func (db *DB) PruneChanges(ctx context.Context, before time.Time) error {
	res := db.gorm.WithContext(ctx).Where("at < ?", before.UTC()).Delete(&changeRow{})
	if res.Error != nil {
		return translate("prune changes", res.Error, nil, nil)
	}
	db.log.DebugContext(ctx, "store: changes pruned", "deleted", res.RowsAffected)
	return nil
}
