package store

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/scoregate/scoregate"
)

func TestTranslate(t *testing.T) {
	t.Parallel()
	notFound := workspaceNotFound("w")
	exists := scoregate.Errorf(scoregate.Conflict, scoregate.CodeEndpointExists, "", "exists")
	rule := scoregate.Errorf(scoregate.Conflict, scoregate.CodeEndpointLimitExceeded, "", "limit")
	sqlErr := errors.New(`ERROR: relation "web_services" does not exist (SQLSTATE 42P01)`)
	cases := []struct {
		name     string
		err      error
		notFound *scoregate.Error
		exists   *scoregate.Error
		want     *scoregate.Error // nil: Internal
	}{
		{"not found", gorm.ErrRecordNotFound, notFound, nil, notFound},
		{"wrapped not found", fmt.Errorf("x: %w", gorm.ErrRecordNotFound), notFound, nil, notFound},
		{"duplicate", fmt.Errorf("%w: detail", gorm.ErrDuplicatedKey), nil, exists, exists},
		{"rule violation passes", rule, notFound, exists, rule},
		{"not found nobody expected", gorm.ErrRecordNotFound, nil, nil, nil},
		{"duplicate nobody expected", gorm.ErrDuplicatedKey, notFound, nil, nil},
		{"SQL error", sqlErr, notFound, exists, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := translate("list web services", c.err, c.notFound, c.exists)
			var e *scoregate.Error
			if !errors.As(got, &e) {
				t.Fatalf("translate = %v (%T), want a *scoregate.Error", got, got)
			}
			if c.want != nil {
				if e != c.want {
					t.Fatalf("translate = %v, want %v", e, c.want)
				}
				return
			}
			if e.Class != scoregate.Internal || e.Message != "internal error" ||
				!strings.Contains(e.Error(), "list web services") || !errors.Is(e, c.err) {
				t.Fatalf("translate = %+v, want Internal keeping the cause and the operation out of Message", e)
			}
		})
	}
	if translate("op", nil, notFound, exists) != nil {
		t.Fatal("translate(nil) is not nil")
	}
}

func TestRetryable(t *testing.T) {
	t.Parallel()
	cases := map[error]bool{
		gorm.ErrDuplicatedKey:                            true,
		fmt.Errorf("x: %w", gorm.ErrDuplicatedKey):       true,
		&pgconn.PgError{Code: "40001"}:                   true,
		&pgconn.PgError{Code: "40P01"}:                   true,
		&pgconn.PgError{Code: "23503"}:                   false,
		gorm.ErrRecordNotFound:                           false,
		unauthorized():                                   false,
		translate("op", gorm.ErrDuplicatedKey, nil, nil): true, // still seen through Internal
	}
	for err, want := range cases {
		if got := retryable(err); got != want {
			t.Errorf("retryable(%v) = %v, want %v", err, got, want)
		}
	}
}
