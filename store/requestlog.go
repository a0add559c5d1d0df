package store

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/scoregate/scoregate"
)

var _ scoregate.RequestLogStore = (*DB)(nil)

// Limits of one read of recorded requests.
const (
	defaultRequestLogs = 100
	maxRequestLogs     = 1000
)

// AppendRequestLogs records a batch of requests in one transaction. Records
// of endpoints that no longer exist are dropped; WorkspaceID is taken from
// the endpoint.
func (db *DB) AppendRequestLogs(ctx context.Context, logs []scoregate.RequestLog) error {
	if len(logs) == 0 {
		return nil
	}
	ids := make([]string, len(logs))
	for i, l := range logs {
		ids[i] = l.EndpointID
	}
	dropped := 0
	err := db.inTx(ctx, func(tx *gorm.DB) error {
		live, err := liveEndpoints(tx, ids)
		if err != nil {
			return err
		}
		rows := make([]requestLogRow, 0, len(logs))
		for _, l := range logs {
			ws, ok := live[l.EndpointID]
			if !ok {
				continue
			}
			r := fromRequestLog(l)
			r.WorkspaceID = ws
			rows = append(rows, r)
		}
		dropped = len(logs) - len(rows)
		return insertRequestLogs(tx, rows, db.logBatch)
	})
	if err != nil {
		return translate("record requests", err, nil, nil)
	}
	if dropped > 0 {
		db.log.DebugContext(ctx, "store: requests of deleted endpoints not recorded", "dropped", dropped)
	}
	return nil
}

// RequestLogs returns recorded requests of q.EndpointID, newest first: 100
// unless q.Limit says otherwise, at most 1000. A q.Status other than 0, a
// class 1 to 9 or a code 100 to 999 is BadUserArgument (InvalidValue).
func (db *DB) RequestLogs(ctx context.Context, q scoregate.RequestLogQuery) ([]scoregate.RequestLog, error) {
	tx := db.gorm.WithContext(ctx).Where("endpoint_id = ?", q.EndpointID)
	switch s := q.Status; {
	case s == 0:
	case s >= 1 && s <= 9:
		tx = tx.Where("status >= ? AND status < ?", s*100, s*100+100)
	case s >= 100 && s <= 999:
		tx = tx.Where("status = ?", s)
	default:
		return nil, scoregate.Errorf(scoregate.BadUserArgument, scoregate.CodeInvalidValue, "Status",
			"status %d is neither an HTTP status nor a class such as 4 for 4xx", s)
	}
	if !q.From.IsZero() {
		tx = tx.Where("at >= ?", q.From.UTC())
	}
	if !q.To.IsZero() {
		tx = tx.Where("at < ?", q.To.UTC())
	}
	limit := q.Limit
	if limit <= 0 {
		limit = defaultRequestLogs
	}
	limit = min(limit, maxRequestLogs)
	var rows []requestLogRow
	if err := tx.Order("at DESC, id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, translate("read recorded requests of endpoint "+q.EndpointID, err, nil, nil)
	}
	list := make([]scoregate.RequestLog, len(rows))
	for i, r := range rows {
		list[i] = toRequestLog(r)
	}
	return list, nil
}

// DeleteRequestLogsBefore deletes the requests recorded before before and
// returns how many it deleted.
func (db *DB) DeleteRequestLogsBefore(ctx context.Context, before time.Time) (int64, error) {
	// By endpoint, so that the (endpoint_id, at) index serves: an index on
	// at alone would cost every insert a third b-tree to update. Every row
	// has its endpoint (they go together), so no row is missed.
	res := db.gorm.WithContext(ctx).Where("endpoint_id IN (SELECT id FROM endpoints) AND at < ?", before.UTC()).
		Delete(&requestLogRow{})
	if res.Error != nil {
		return 0, translate("delete recorded requests", res.Error, nil, nil)
	}
	return res.RowsAffected, nil
}

// requestLogColumns are the columns insertRequestLogs writes, in the order
// of requestLogRow.values.
const requestLogColumns = `endpoint_id, workspace_id, at, request_id, method, path, status, latency_us, "rows", error_code, request, response, truncated`

func (r *requestLogRow) values() []any {
	return []any{r.EndpointID, r.WorkspaceID, r.At, r.RequestID, r.Method, r.Path, r.Status, r.LatencyUS,
		r.Rows, r.ErrorCode, r.Request, r.Response, r.Truncated}
}

// insertRequestLogs inserts rows, per rows of a multi-row INSERT. It is
// plain SQL rather than GORM's Create, which reads every new id back
// (RETURNING) and reflects over each row: at a few thousand records a
// second that was half of the cost.
func insertRequestLogs(tx *gorm.DB, rows []requestLogRow, per int) error {
	for len(rows) > 0 {
		n := min(per, len(rows))
		var sql strings.Builder
		sql.WriteString("INSERT INTO request_logs (" + requestLogColumns + ") VALUES ")
		args := make([]any, 0, n*13)
		for i := range rows[:n] {
			if i > 0 {
				sql.WriteByte(',')
			}
			sql.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?,?)")
			args = append(args, rows[i].values()...)
		}
		if err := tx.Exec(sql.String(), args...).Error; err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}
