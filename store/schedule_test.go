package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/store"
	"github.com/scoregate/scoregate/store/storetest"
)

// newSchedule returns a schedule of endpoint ep to create, with every
// field the caller sets.
func newSchedule(ws, ep string) *scoregate.Schedule {
	return &scoregate.Schedule{
		WorkspaceID:    ws,
		EndpointID:     ep,
		Cron:           "@every 5m",
		TimeZone:       "Europe/Paris",
		Enabled:        true,
		Pattern:        "*.csv",
		OutputFormat:   "xlsx",
		ErrorThreshold: 0.25,
	}
}

// createSchedule creates a schedule of endpoint ep.
func createSchedule(t *testing.T, db *store.DB, ws, ep string) *scoregate.Schedule {
	t.Helper()
	s := newSchedule(ws, ep)
	ok(t, db.CreateSchedule(t.Context(), s))
	return s
}

// wantSchedule fails unless the stored schedule equals want.
func wantSchedule(t *testing.T, db *store.DB, want *scoregate.Schedule) {
	t.Helper()
	got, err := db.Schedule(t.Context(), want.WorkspaceID, want.ID)
	ok(t, err)
	if *got != *want {
		t.Fatalf("Schedule = %+v,\nwant       %+v", *got, *want)
	}
}

func TestScheduleCreateAndRead(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws, eps := endpoints(t, db, "ep", "other")
		ep := eps["ep"].ID
		before := time.Now().Add(-time.Second)

		s := newSchedule(ws.ID, ep)
		s.ID, s.CreatedAt = "mine", time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC) // the store's to set
		ok(t, db.CreateSchedule(ctx, s))
		if len(s.ID) != 32 || s.CreatedAt.Before(before) || s.UpdatedAt != s.CreatedAt ||
			!s.NextRun.IsZero() || !s.LastRun.IsZero() || s.Cron != "@every 5m" || s.ErrorThreshold != 0.25 {
			t.Fatalf("created schedule: %+v", *s)
		}
		wantSchedule(t, db, s)

		second := createSchedule(t, db, ws.ID, ep)
		onOther := createSchedule(t, db, ws.ID, eps["other"].ID)
		list, err := db.Schedules(ctx, ws.ID, ep)
		ok(t, err)
		if len(list) != 2 || list[0] != *s || list[1] != *second {
			t.Fatalf("Schedules = %+v, want the two schedules of ep oldest first", list)
		}

		other := newWorkspace(t, db, "other")
		theirs := newWorkspace(t, db, "theirs")
		publish(t, db, theirs.ID, "svc", 1)
		theirEp, _, err := db.PutEndpoint(ctx, theirs.ID, "svc", "ep", scoregate.EndpointSettings{})
		ok(t, err)
		third := createSchedule(t, db, theirs.ID, theirEp.ID)
		all, err := db.AllSchedules(ctx)
		ok(t, err)
		if len(all) != 4 || all[0] != *s || all[1] != *second || all[2] != *onOther || all[3] != *third {
			t.Fatalf("AllSchedules = %+v, want the four schedules oldest first", all)
		}

		_, err = db.Schedule(ctx, other.ID, s.ID)
		if e := wantError(t, err, scoregate.NotFound, scoregate.CodeScheduleNotFound); e.Target != "scheduleId" {
			t.Fatalf("target %q, want scheduleId", e.Target)
		}
		_, err = db.Schedule(ctx, ws.ID, scoregate.NewID())
		wantError(t, err, scoregate.NotFound, scoregate.CodeScheduleNotFound)
		if list, err := db.Schedules(ctx, other.ID, ep); err != nil || len(list) != 0 {
			t.Fatalf("Schedules of ep from another workspace = %+v, %v", list, err)
		}

		refused := newSchedule(other.ID, ep)
		err = db.CreateSchedule(ctx, refused)
		wantError(t, err, scoregate.NotFound, scoregate.CodeEndpointNotFound)
		if *refused != *newSchedule(other.ID, ep) {
			t.Fatalf("a failed CreateSchedule changed the schedule: %+v", *refused)
		}
		err = db.CreateSchedule(ctx, newSchedule(ws.ID, scoregate.NewID()))
		wantError(t, err, scoregate.NotFound, scoregate.CodeEndpointNotFound)
		if n, err := db.Count(ctx, "schedules"); err != nil || n != 4 {
			t.Fatalf("%d schedules stored (%v), want 4", n, err)
		}
	})
}

// TestScheduleTimes checks that NextRun and LastRun round-trip: zero as
// NULL, others in UTC at the microsecond, whatever zone they were given in.
func TestScheduleTimes(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws, eps := endpoints(t, db, "ep")
		paris, err := time.LoadLocation("Europe/Paris")
		ok(t, err)
		next := time.Date(2026, 3, 29, 2, 30, 0, 123456789, paris)
		last := time.Date(2025, 12, 31, 23, 59, 59, 999999999, time.UTC)

		s := newSchedule(ws.ID, eps["ep"].ID)
		s.NextRun, s.LastRun = next, last
		ok(t, db.CreateSchedule(ctx, s))
		if !s.NextRun.Equal(next.Truncate(time.Microsecond)) || s.NextRun.Location() != time.UTC ||
			!s.LastRun.Equal(last.Truncate(time.Microsecond)) {
			t.Fatalf("created schedule's times: next %v, last %v", s.NextRun, s.LastRun)
		}
		wantSchedule(t, db, s)
		var nulls []int64
		ok(t, db.Scan(ctx, &nulls, "SELECT COUNT(*) FROM schedules WHERE next_run IS NULL OR last_run IS NULL"))
		if len(nulls) != 1 || nulls[0] != 0 {
			t.Fatalf("NULL times after a create with both set: %v", nulls)
		}

		got, err := db.UpdateSchedule(ctx, ws.ID, s.ID, func(s *scoregate.Schedule) error {
			s.Enabled, s.NextRun, s.LastRun = false, time.Time{}, time.Time{}
			return nil
		})
		ok(t, err)
		if !got.NextRun.IsZero() || !got.LastRun.IsZero() {
			t.Fatalf("updated schedule's times: %+v", *got)
		}
		wantSchedule(t, db, got)
		ok(t, db.Scan(ctx, &nulls, "SELECT COUNT(*) FROM schedules WHERE next_run IS NULL AND last_run IS NULL"))
		if len(nulls) != 1 || nulls[0] != 1 {
			t.Fatalf("zero times are not stored as NULL: %v", nulls)
		}
	})
}

func TestScheduleUpdate(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws, eps := endpoints(t, db, "ep", "other")
		s := createSchedule(t, db, ws.ID, eps["ep"].ID)
		ran := time.Now().UTC().Truncate(time.Microsecond)

		t.Run("applied", func(t *testing.T) {
			got, err := db.UpdateSchedule(ctx, ws.ID, s.ID, func(u *scoregate.Schedule) error {
				if *u != *s {
					t.Errorf("update sees %+v, want %+v", *u, *s)
				}
				u.Cron, u.TimeZone, u.Pattern, u.OutputFormat = "0 6 * * *", "", "", "same"
				u.ErrorThreshold, u.LastRun = 0, ran
				// Identity is the store's: these are ignored.
				u.ID, u.WorkspaceID, u.EndpointID = "x", "y", eps["other"].ID
				u.CreatedAt = time.Time{}
				return nil
			})
			ok(t, err)
			want := *s
			want.Cron, want.TimeZone, want.Pattern, want.OutputFormat = "0 6 * * *", "", "", "same"
			want.ErrorThreshold, want.LastRun, want.UpdatedAt = 0, ran, got.UpdatedAt
			if *got != want || got.UpdatedAt.Before(s.UpdatedAt) {
				t.Fatalf("UpdateSchedule = %+v,\nwant             %+v", *got, want)
			}
			wantSchedule(t, db, got)
			*s = *got
		})

		t.Run("update fails", func(t *testing.T) {
			refused := errors.New("bad cron")
			got, err := db.UpdateSchedule(ctx, ws.ID, s.ID, func(u *scoregate.Schedule) error {
				u.Cron, u.Enabled = "nonsense", false
				return refused
			})
			if err != refused || got != nil {
				t.Fatalf("UpdateSchedule with a failing update = %v, %v; want the update's error untouched", got, err)
			}
			wantSchedule(t, db, s)
		})

		t.Run("other workspace", func(t *testing.T) {
			other := newWorkspace(t, db, "other")
			called := false
			_, err := db.UpdateSchedule(ctx, other.ID, s.ID, func(*scoregate.Schedule) error {
				called = true
				return nil
			})
			wantError(t, err, scoregate.NotFound, scoregate.CodeScheduleNotFound)
			if called {
				t.Fatal("update was called for a schedule of another workspace")
			}
			wantSchedule(t, db, s)
		})
	})
}

// TestScheduleUpdateConcurrent updates one schedule from several goroutines
// at once: each update must see the one before it, none be lost.
func TestScheduleUpdateConcurrent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws, eps := endpoints(t, db, "ep")
		s := createSchedule(t, db, ws.ID, eps["ep"].ID)
		const n = 8
		atOnce(t, db, n, func(int) bool {
			_, err := db.UpdateSchedule(ctx, ws.ID, s.ID, func(u *scoregate.Schedule) error {
				u.ErrorThreshold += 1
				return nil
			})
			if err != nil {
				t.Errorf("UpdateSchedule: %v", err)
			}
			return err == nil
		})
		got, err := db.Schedule(ctx, ws.ID, s.ID)
		ok(t, err)
		if got.ErrorThreshold != s.ErrorThreshold+n {
			t.Fatalf("ErrorThreshold after %d concurrent increments = %v, want %v", n, got.ErrorThreshold, s.ErrorThreshold+n)
		}
	})
}

func TestScheduleDelete(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws, eps := endpoints(t, db, "ep")
		s := createSchedule(t, db, ws.ID, eps["ep"].ID)
		kept := createSchedule(t, db, ws.ID, eps["ep"].ID)

		other := newWorkspace(t, db, "other")
		err := db.DeleteSchedule(ctx, other.ID, s.ID)
		wantError(t, err, scoregate.NotFound, scoregate.CodeScheduleNotFound)
		wantSchedule(t, db, s)

		ok(t, db.DeleteSchedule(ctx, ws.ID, s.ID))
		_, err = db.Schedule(ctx, ws.ID, s.ID)
		wantError(t, err, scoregate.NotFound, scoregate.CodeScheduleNotFound)
		err = db.DeleteSchedule(ctx, ws.ID, s.ID)
		wantError(t, err, scoregate.NotFound, scoregate.CodeScheduleNotFound)
		wantSchedule(t, db, kept)
	})
}

// TestSchedulesGoWithTheirEndpoint deletes an endpoint: its schedules,
// their runs, its drop claims and jobs go, another endpoint's stay.
func TestSchedulesGoWithTheirEndpoint(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws, eps := endpoints(t, db, "ep", "kept")
		gone := createSchedule(t, db, ws.ID, eps["ep"].ID)
		createSchedule(t, db, ws.ID, eps["ep"].ID)
		kept := createSchedule(t, db, ws.ID, eps["kept"].ID)
		claimFile(t, db, startRun(t, db, gone).ID, dropFile("in.csv", "v1"), true)
		claimFile(t, db, startRun(t, db, kept).ID, dropFile("in.csv", "v1"), true)

		ok(t, db.DeleteEndpoint(ctx, ws.ID, "svc", "ep"))
		for table, want := range map[string]int64{"schedules": 1, "schedule_runs": 1, "drop_claims": 1, "jobs": 1} {
			if n, err := db.Count(ctx, table); err != nil || n != want {
				t.Fatalf("%d rows in %s after deleting their endpoint (%v), want %d", n, table, err, want)
			}
		}
		_, err := db.Schedule(ctx, ws.ID, gone.ID)
		wantError(t, err, scoregate.NotFound, scoregate.CodeScheduleNotFound)
		wantSchedule(t, db, kept)
		err = db.CreateSchedule(ctx, newSchedule(ws.ID, eps["ep"].ID))
		wantError(t, err, scoregate.NotFound, scoregate.CodeEndpointNotFound)
	})
}
