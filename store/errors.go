package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	gosqlite "github.com/glebarez/go-sqlite"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/scoregate/scoregate"
)

// translate is the one place where database errors become scoregate errors.
// op says what was being done ("publish web service x"); notFound and exists
// are the answers to give when the database reports a missing row or a
// duplicate key, nil when that outcome can only be a bug. Errors that already
// are *scoregate.Error (rule violations) pass unchanged; everything else
// becomes Internal, keeping the database's message for the log only.
func translate(op string, err error, notFound, exists *scoregate.Error) error {
	var domain *scoregate.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &domain):
		return err
	case notFound != nil && errors.Is(err, gorm.ErrRecordNotFound):
		return notFound
	case exists != nil && errors.Is(err, gorm.ErrDuplicatedKey):
		return exists
	}
	return &scoregate.Error{
		Class:   scoregate.Internal,
		Code:    scoregate.CodeInternal,
		Message: "internal error",
		Err:     fmt.Errorf("%s: %w", op, err),
	}
}

// maxAttempts bounds how often inTx runs a transaction that lost a race.
const maxAttempts = 6

// inTx runs fn in a transaction, again when it lost a race with another
// writer: a unique key taken meanwhile (two first publishes of one name), a
// Postgres serialization failure or deadlock, or SQLite still busy after its
// busy_timeout. The retry sees the winner's rows and takes the other branch
// (add a version instead of creating the service).
func (db *DB) inTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	for attempt := 1; ; attempt++ {
		err := db.gorm.WithContext(ctx).Transaction(fn)
		if err == nil || attempt == maxAttempts || !retryable(err) || ctx.Err() != nil {
			return err
		}
		db.log.DebugContext(ctx, "store: retrying transaction", "attempt", attempt, "err", err)
		pause := time.Duration(attempt)*5*time.Millisecond + rand.N(5*time.Millisecond)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
	}
}

// retryable reports whether err means "lost a race", not "broke a rule".
func retryable(err error) bool {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "40001" || pg.Code == "40P01" // serialization_failure, deadlock_detected
	}
	var lite *gosqlite.Error
	if errors.As(err, &lite) {
		code := lite.Code() & 0xff
		return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
	}
	return false
}

// unauthorized is the answer to any credential that does not authenticate;
// it never says why, nor repeats the credential.
func unauthorized() *scoregate.Error {
	return scoregate.Errorf(scoregate.Unauthorized, scoregate.CodeScoreRequestUnauth, "",
		"the key or token is not valid")
}

func workspaceNotFound(ws string) *scoregate.Error {
	return scoregate.Errorf(scoregate.NotFound, scoregate.CodeWorkspaceNotFound, "",
		"workspace %q not found", ws)
}

func webServiceNotFound(ws, svc string) *scoregate.Error {
	return scoregate.Errorf(scoregate.NotFound, scoregate.CodeWebServiceNotFound, "",
		"web service %q not found in workspace %s", svc, ws)
}

func versionNotFound(svc string, version int) *scoregate.Error {
	return scoregate.Errorf(scoregate.NotFound, scoregate.CodeWebServiceNotFound, "",
		"web service %q has no version %d", svc, version)
}

func endpointNotFound(svc, name string) *scoregate.Error {
	return scoregate.Errorf(scoregate.NotFound, scoregate.CodeEndpointNotFound, "",
		"endpoint %q of web service %q not found", name, svc)
}

func endpointIDNotFound(ws, id string) *scoregate.Error {
	return scoregate.Errorf(scoregate.NotFound, scoregate.CodeEndpointNotFound, "",
		"endpoint %q not found in workspace %s", id, ws)
}

// jobNotFound does not say which workspace was searched: a job of another
// workspace is as missing as one that never existed.
func jobNotFound(id string) *scoregate.Error {
	return scoregate.Errorf(scoregate.NotFound, scoregate.CodeJobNotFound, "jobId",
		"job %q not found", id)
}

// scheduleNotFound, like jobNotFound, does not say which workspace was
// searched.
func scheduleNotFound(id string) *scoregate.Error {
	return scoregate.Errorf(scoregate.NotFound, scoregate.CodeScheduleNotFound, "scheduleId",
		"schedule %q not found", id)
}

// runNotFound, like jobNotFound, does not say which workspace was
// searched.
func runNotFound(id string) *scoregate.Error {
	return scoregate.Errorf(scoregate.NotFound, scoregate.CodeRunNotFound, "runId",
		"schedule run %q not found", id)
}
