package store

import "database/sql"

// SQL is the connection pool under the store, for the job queue (package
// batch), which keeps its own tables in the same database so that a job's
// row and its queue entry change in one transaction.
func (db *DB) SQL() *sql.DB { return db.sql }
