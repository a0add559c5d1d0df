package store_test

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/store"
	"github.com/scoregate/scoregate/store/storetest"
)

// fireAt is the fire time of the tests' first runs.
var fireAt = time.Date(2026, 5, 4, 6, 0, 0, 0, time.UTC)

// fire records a run of schedule s at fireTime, with no update and no
// enqueue, and fails unless it is recorded.
func fire(t *testing.T, db *store.DB, s *scoregate.Schedule, fireTime time.Time) *scoregate.ScheduleRun {
	t.Helper()
	run := &scoregate.ScheduleRun{FireTime: fireTime}
	fired, err := db.FireSchedule(t.Context(), s.WorkspaceID, s.ID, run, nil, nil)
	ok(t, err)
	if !fired {
		t.Fatalf("FireSchedule(%s at %v) recorded no run", s.ID, fireTime)
	}
	return run
}

// startRun records a run of schedule s at fireAt and starts it.
func startRun(t *testing.T, db *store.DB, s *scoregate.Schedule) *scoregate.ScheduleRun {
	t.Helper()
	run, err := db.StartRun(t.Context(), fire(t, db, s, fireAt).ID)
	ok(t, err)
	return run
}

// wantRun fails unless the stored run, with its files, equals want.
func wantRun(t *testing.T, db *store.DB, want *scoregate.ScheduleRun) {
	t.Helper()
	got, err := db.ScheduleRun(t.Context(), want.WorkspaceID, want.ID)
	ok(t, err)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ScheduleRun = %+v,\nwant          %+v", *got, *want)
	}
}

// readRun returns run id as stored, with its files.
func readRun(t *testing.T, db *store.DB, ws, id string) *scoregate.ScheduleRun {
	t.Helper()
	run, err := db.ScheduleRun(t.Context(), ws, id)
	ok(t, err)
	return run
}

// rowStatus reads the status of row id of table through tx.
func rowStatus(ctx context.Context, db *store.DB, tx *sql.Tx, table, id string) (string, error) {
	q := "SELECT status FROM " + table + " WHERE id = ?"
	if db.Dialect() == store.DialectPostgres {
		q = "SELECT status FROM " + table + " WHERE id = $1"
	}
	var status string
	err := tx.QueryRowContext(ctx, q, id).Scan(&status)
	return status, err
}

func TestDueSchedules(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws, eps := endpoints(t, db, "ep")
		at := fireAt
		schedule := func(enabled bool, next time.Time) *scoregate.Schedule {
			s := newSchedule(ws.ID, eps["ep"].ID)
			s.Enabled, s.NextRun = enabled, next
			ok(t, db.CreateSchedule(ctx, s))
			return s
		}
		hourAgo := schedule(true, at.Add(-time.Hour))
		schedule(true, at.Add(time.Hour))
		due := schedule(true, at)
		schedule(false, at.Add(-5*time.Hour))
		schedule(true, time.Time{})
		longAgo := schedule(true, at.Add(-3*time.Hour))

		for _, c := range []struct {
			name  string
			limit int
			want  []*scoregate.Schedule
		}{
			{"all", 0, []*scoregate.Schedule{longAgo, hourAgo, due}},
			{"limit", 2, []*scoregate.Schedule{longAgo, hourAgo}},
		} {
			t.Run(c.name, func(t *testing.T) {
				got, err := db.DueSchedules(ctx, at, c.limit)
				ok(t, err)
				if len(got) != len(c.want) {
					t.Fatalf("DueSchedules = %+v, want %d schedules", got, len(c.want))
				}
				for i, s := range c.want {
					if got[i] != *s {
						t.Fatalf("DueSchedules[%d] = %+v, want %+v", i, got[i], *s)
					}
				}
			})
		}
		if got, err := db.DueSchedules(ctx, at.Add(-4*time.Hour), 0); err != nil || len(got) != 0 {
			t.Fatalf("DueSchedules before any is due = %+v, %v", got, err)
		}
	})
}

func TestFireSchedule(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws, eps := endpoints(t, db, "ep")
		s := createSchedule(t, db, ws.ID, eps["ep"].ID)
		countRuns := func(t *testing.T, want int64) {
			t.Helper()
			if n, err := db.Count(ctx, "schedule_runs"); err != nil || n != want {
				t.Fatalf("%d runs stored (%v), want %d", n, err, want)
			}
		}
		var queued []scoregate.ScheduleRun
		enqueue := func(ctx context.Context, tx *sql.Tx, run *scoregate.ScheduleRun) error {
			if status, err := rowStatus(ctx, db, tx, "schedule_runs", run.ID); err != nil || status != string(scoregate.JobNotStarted) {
				t.Errorf("enqueue sees the run %q (%v), want NotStarted", status, err)
			}
			queued = append(queued, *run)
			return nil
		}
		next := fireAt.Add(5 * time.Minute)
		advance := func(u *scoregate.Schedule) error {
			if !u.NextRun.Equal(fireAt) && !u.NextRun.IsZero() {
				return scoregate.ErrNotDue
			}
			u.NextRun, u.LastRun = next, fireAt
			return nil
		}
		paris, err := time.LoadLocation("Europe/Paris")
		ok(t, err)
		given := scoregate.ScheduleRun{
			ID: "mine", Status: scoregate.JobFinished, FilesClaimed: 3, Notes: []string{"x"}, // the store's to set
			FireTime: fireAt.In(paris).Add(123 * time.Nanosecond),
		}

		t.Run("first", func(t *testing.T) {
			before := time.Now().Add(-time.Second)
			run := given
			fired, err := db.FireSchedule(ctx, ws.ID, s.ID, &run, advance, enqueue)
			ok(t, err)
			want := scoregate.ScheduleRun{
				ID: run.ID, WorkspaceID: ws.ID, ScheduleID: s.ID, EndpointID: s.EndpointID,
				FireTime: fireAt, Status: scoregate.JobNotStarted, CreatedAt: run.CreatedAt, Files: []scoregate.DropFile{},
			}
			if !fired || len(run.ID) != 32 || run.CreatedAt.Before(before) || run.FireTime.Location() != time.UTC {
				t.Fatalf("FireSchedule = %v, run %+v", fired, run)
			}
			wantRun(t, db, &want)
			want.Files = nil
			if len(queued) != 1 || !reflect.DeepEqual(queued[0], want) || !reflect.DeepEqual(run, want) {
				t.Fatalf("queued %+v, run %+v; want %+v", queued, run, want)
			}
			got, err := db.Schedule(ctx, ws.ID, s.ID)
			ok(t, err)
			if !got.NextRun.Equal(next) || !got.LastRun.Equal(fireAt) || !got.UpdatedAt.After(s.UpdatedAt) {
				t.Fatalf("schedule after the fire: %+v", *got)
			}
			*s = *got
		})

		t.Run("fired before", func(t *testing.T) {
			run := given
			fired, err := db.FireSchedule(ctx, ws.ID, s.ID, &run, func(u *scoregate.Schedule) error {
				u.Pattern = "*.xlsx"
				return nil
			}, enqueue)
			ok(t, err)
			if fired || !reflect.DeepEqual(run, given) || len(queued) != 1 {
				t.Fatalf("a second fire at one time: %v, run %+v, %d queued", fired, run, len(queued))
			}
			countRuns(t, 1)
			got, err := db.Schedule(ctx, ws.ID, s.ID)
			ok(t, err)
			if got.Pattern != "*.xlsx" {
				t.Fatalf("the update of a fire that recorded no run was not stored: %+v", *got)
			}
			*s = *got
		})

		t.Run("not due", func(t *testing.T) {
			run := scoregate.ScheduleRun{FireTime: fireAt.Add(time.Minute)}
			fired, err := db.FireSchedule(ctx, ws.ID, s.ID, &run, func(u *scoregate.Schedule) error {
				u.NextRun = time.Time{}
				return scoregate.ErrNotDue
			}, enqueue)
			if err != scoregate.ErrNotDue || fired || len(queued) != 1 {
				t.Fatalf("FireSchedule when not due = %v, %v; %d queued", fired, err, len(queued))
			}
			countRuns(t, 1)
			wantSchedule(t, db, s)
		})

		t.Run("enqueue fails", func(t *testing.T) {
			refused := errors.New("queue full")
			run := scoregate.ScheduleRun{FireTime: fireAt.Add(time.Minute)}
			fired, err := db.FireSchedule(ctx, ws.ID, s.ID, &run, func(u *scoregate.Schedule) error {
				u.Enabled = false
				return nil
			}, func(context.Context, *sql.Tx, *scoregate.ScheduleRun) error { return refused })
			if !errors.Is(err, refused) || scoregate.ClassOf(err) != scoregate.Internal || fired {
				t.Fatalf("FireSchedule with a failing enqueue = %v, %v", fired, err)
			}
			if !reflect.DeepEqual(run, scoregate.ScheduleRun{FireTime: fireAt.Add(time.Minute)}) {
				t.Fatalf("a failed FireSchedule changed the run: %+v", run)
			}
			countRuns(t, 1)
			wantSchedule(t, db, s)
		})

		t.Run("no update", func(t *testing.T) {
			run := scoregate.ScheduleRun{FireTime: time.Now(), Manual: true}
			fired, err := db.FireSchedule(ctx, ws.ID, s.ID, &run, nil, enqueue)
			ok(t, err)
			if !fired || !run.Manual || len(queued) != 2 || queued[1].ID != run.ID {
				t.Fatalf("a manual run: %v %+v, queued %+v", fired, run, queued)
			}
			countRuns(t, 2)
			wantSchedule(t, db, s)
		})

		t.Run("other workspace", func(t *testing.T) {
			other := newWorkspace(t, db, "other")
			run := scoregate.ScheduleRun{FireTime: fireAt.Add(time.Hour)}
			_, err := db.FireSchedule(ctx, other.ID, s.ID, &run, func(*scoregate.Schedule) error {
				t.Error("update was called for a schedule of another workspace")
				return nil
			}, enqueue)
			wantError(t, err, scoregate.NotFound, scoregate.CodeScheduleNotFound)
			_, err = db.FireSchedule(ctx, ws.ID, scoregate.NewID(), &run, nil, enqueue)
			wantError(t, err, scoregate.NotFound, scoregate.CodeScheduleNotFound)
			countRuns(t, 2)
		})
	})
}

// TestFireScheduleConcurrent fires one schedule at one time from several
// goroutines, as replicas' schedulers do: exactly one run is recorded and
// queued, and every fire's update is stored.
func TestFireScheduleConcurrent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws, eps := endpoints(t, db, "ep")
		s := createSchedule(t, db, ws.ID, eps["ep"].ID)
		const n = 8
		var enqueued atomic.Int32
		fired := atOnce(t, db, n, func(int) bool {
			run := &scoregate.ScheduleRun{FireTime: fireAt}
			got, err := db.FireSchedule(ctx, ws.ID, s.ID, run, func(u *scoregate.Schedule) error {
				u.ErrorThreshold++
				return nil
			}, func(context.Context, *sql.Tx, *scoregate.ScheduleRun) error {
				enqueued.Add(1)
				return nil
			})
			if err != nil {
				t.Errorf("FireSchedule: %v", err)
			}
			return got
		})
		if fired != 1 || enqueued.Load() != 1 {
			t.Fatalf("%d of %d concurrent fires recorded a run, %d enqueued; want 1 and 1", fired, n, enqueued.Load())
		}
		if runs, err := db.Count(ctx, "schedule_runs"); err != nil || runs != 1 {
			t.Fatalf("%d runs stored (%v), want 1", runs, err)
		}
		got, err := db.Schedule(ctx, ws.ID, s.ID)
		ok(t, err)
		if got.ErrorThreshold != s.ErrorThreshold+n {
			t.Fatalf("ErrorThreshold after %d fires = %v, want %v", n, got.ErrorThreshold, s.ErrorThreshold+n)
		}
	})
}

func TestStartRun(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws, eps := endpoints(t, db, "ep")
		run := fire(t, db, createSchedule(t, db, ws.ID, eps["ep"].ID), fireAt)
		started, err := db.StartRun(ctx, run.ID)
		ok(t, err)
		if started.Status != scoregate.JobRunning || started.StartedAt.Before(run.CreatedAt) || started.ID != run.ID {
			t.Fatalf("started run: %+v", *started)
		}
		again, err := db.StartRun(ctx, run.ID)
		ok(t, err)
		if !reflect.DeepEqual(again, started) {
			t.Fatalf("second StartRun = %+v, want the run as it was %+v", *again, *started)
		}
		ok(t, db.ListedRun(ctx, run.ID, 0, 0, nil, "inbox unreadable"))
		ended, err := db.StartRun(ctx, run.ID)
		ok(t, err)
		if ended.Status != scoregate.JobFailed || !ended.StartedAt.Equal(started.StartedAt) {
			t.Fatalf("StartRun of a failed run: %+v", *ended)
		}
		_, err = db.StartRun(ctx, scoregate.NewID())
		if e := wantError(t, err, scoregate.NotFound, scoregate.CodeRunNotFound); e.Target != "runId" {
			t.Fatalf("target %q, want runId", e.Target)
		}
	})
}

func TestScheduleRuns(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws, eps := endpoints(t, db, "ep")
		s := createSchedule(t, db, ws.ID, eps["ep"].ID)
		otherSchedule := createSchedule(t, db, ws.ID, eps["ep"].ID)
		var runs []*scoregate.ScheduleRun
		for i := range 3 {
			runs = append(runs, fire(t, db, s, fireAt.Add(time.Duration(i)*time.Minute)))
		}
		fire(t, db, otherSchedule, fireAt)
		ok(t, db.ListedRun(ctx, runs[1].ID, 4, 1, []string{"a.csv: still being written"}, ""))

		list, err := db.ScheduleRuns(ctx, ws.ID, s.ID, 0)
		ok(t, err)
		if len(list) != 3 || list[0].ID != runs[2].ID || list[1].ID != runs[1].ID || list[2].ID != runs[0].ID {
			t.Fatalf("ScheduleRuns = %+v, want the three runs newest first", list)
		}
		if !reflect.DeepEqual(list[0], *runs[2]) || list[1].Files != nil ||
			list[1].FilesFound != 4 || list[1].FilesSkipped != 1 || !list[1].Listed ||
			!reflect.DeepEqual(list[1].Notes, []string{"a.csv: still being written"}) {
			t.Fatalf("listed runs: %+v", list)
		}
		if limited, err := db.ScheduleRuns(ctx, ws.ID, s.ID, 2); err != nil || len(limited) != 2 || limited[0].ID != runs[2].ID {
			t.Fatalf("ScheduleRuns with limit 2 = %+v, %v", limited, err)
		}

		other := newWorkspace(t, db, "other")
		if list, err := db.ScheduleRuns(ctx, other.ID, s.ID, 0); err != nil || len(list) != 0 {
			t.Fatalf("ScheduleRuns from another workspace = %+v, %v", list, err)
		}
		_, err = db.ScheduleRun(ctx, other.ID, runs[0].ID)
		wantError(t, err, scoregate.NotFound, scoregate.CodeRunNotFound)
		_, err = db.ScheduleRun(ctx, ws.ID, scoregate.NewID())
		wantError(t, err, scoregate.NotFound, scoregate.CodeRunNotFound)
		err = db.ListedRun(ctx, scoregate.NewID(), 0, 0, nil, "")
		wantError(t, err, scoregate.NotFound, scoregate.CodeRunNotFound)
	})
}

// TestRunsGoWithTheirSchedule deletes a schedule: its runs go, the claims
// on their files stay, so that the files are never taken again.
func TestRunsGoWithTheirSchedule(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws, eps := endpoints(t, db, "ep")
		s := createSchedule(t, db, ws.ID, eps["ep"].ID)
		run := startRun(t, db, s)
		j := claimFile(t, db, run.ID, dropFile("a.csv", "v1"), true)
		ok(t, db.DeleteSchedule(ctx, ws.ID, s.ID))
		for table, want := range map[string]int64{"schedule_runs": 0, "drop_claims": 1, "jobs": 1} {
			if n, err := db.Count(ctx, table); err != nil || n != want {
				t.Fatalf("%d rows in %s after deleting the schedule (%v), want %d", n, table, err, want)
			}
		}
		_, err := db.ScheduleRun(ctx, ws.ID, run.ID)
		wantError(t, err, scoregate.NotFound, scoregate.CodeRunNotFound)
		_, err = db.StartRun(ctx, run.ID)
		wantError(t, err, scoregate.NotFound, scoregate.CodeRunNotFound)
		_, err = db.ClaimDrop(ctx, run.ID, dropFile("b.csv", "v1"), &scoregate.Job{}, noEnqueue)
		wantError(t, err, scoregate.NotFound, scoregate.CodeRunNotFound)

		// The next schedule's run does not take the file again, and the
		// job of the deleted run still records what became of it.
		claimFile(t, db, startRun(t, db, createSchedule(t, db, ws.ID, eps["ep"].ID)).ID, dropFile("a.csv", "v1"), false)
		if done, err := db.FinishDrop(ctx, j.ID, scoregate.DropFile{Status: scoregate.DropScored}); err != nil || !done {
			t.Fatalf("FinishDrop of a deleted run's file = %v, %v", done, err)
		}
	})
}
