package store

import "context"

// StoredCredential is a credentials row as the database holds it.
type StoredCredential struct {
	ID          string
	Digest      string
	WorkspaceID string
	EndpointID  *string
	KeyType     string
	Ciphertext  []byte
}

// StoredCredentials returns every credentials row, for tests that look at
// what is at rest.
func (db *DB) StoredCredentials(ctx context.Context) ([]StoredCredential, error) {
	var rows []credentialRow
	if err := db.gorm.WithContext(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]StoredCredential, len(rows))
	for i, r := range rows {
		out[i] = StoredCredential{r.ID, r.Digest, r.WorkspaceID, r.EndpointID, r.KeyType, r.Ciphertext}
	}
	return out, nil
}

// Exec runs raw SQL, for tests that write as an older release or an
// attacker would.
func (db *DB) Exec(ctx context.Context, sql string, args ...any) error {
	return db.gorm.WithContext(ctx).Exec(sql, args...).Error
}

// Count returns the number of rows of a table.
func (db *DB) Count(ctx context.Context, table string) (int64, error) {
	var n int64
	err := db.gorm.WithContext(ctx).Table(table).Count(&n).Error
	return n, err
}

// WarmUp opens n pooled connections, so that goroutines started together
// in a test really overlap instead of queueing for connection set-up.
func (db *DB) WarmUp(ctx context.Context, n int) error {
	conns := make([]interface{ Close() error }, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range n {
		c, err := db.sql.Conn(ctx)
		if err != nil {
			return err
		}
		conns = append(conns, c)
	}
	return nil
}

// Scan runs a raw query into dest, for tests that look at rows no method
// returns.
func (db *DB) Scan(ctx context.Context, dest any, sql string, args ...any) error {
	return db.gorm.WithContext(ctx).Raw(sql, args...).Scan(dest).Error
}
