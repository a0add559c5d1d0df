package store

import (
	"slices"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Recorded requests and usage hours are written by the serving replicas in
// batches, off the request path. Both reference their endpoint and go with
// it (ON DELETE CASCADE). A batch may still name an endpoint deleted since
// the requests were served; its rows are dropped rather than failing the
// whole batch with a foreign key violation.

// batchSize bounds the rows of one INSERT: 14 columns × 500 stays far below
// the parameter limits of both databases.
const batchSize = 500

// liveEndpoints returns the workspace of each of ids that still names an
// endpoint. On Postgres it holds KEY SHARE locks on those endpoints until
// tx ends, so a concurrent deletion waits for tx and then cascades to the
// rows tx wrote, instead of tx failing on the foreign key.
func liveEndpoints(tx *gorm.DB, ids []string) (map[string]string, error) {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var rows []endpointRow
	err := tx.Select("id", "workspace_id").Where("id IN ?", ids).Order("id").
		Clauses(clause.Locking{Strength: "KEY SHARE"}).Find(&rows).Error
	if err != nil {
		return nil, err
	}
	live := make(map[string]string, len(rows))
	for _, r := range rows {
		live[r.ID] = r.WorkspaceID
	}
	return live, nil
}
