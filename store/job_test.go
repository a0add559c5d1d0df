package store_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/store"
	"github.com/scoregate/scoregate/store/storetest"
)

// newJob returns a job of endpoint ep to create, with every field the
// caller sets.
func newJob(ws, ep string) *scoregate.Job {
	return &scoregate.Job{
		WorkspaceID: ws,
		EndpointID:  ep,
		Input:       scoregate.BlobKey(ws, "jobs/in.csv"),
		InputName:   "in.csv",
		Options: scoregate.JobOptions{
			InputFormat: scoregate.FormatCSV, OutputFormat: scoregate.FormatXLSX,
			Delimiter: ";", MaxFailedFraction: 0.25,
		},
		Progress: scoregate.JobProgress{BytesTotal: 1234},
	}
}

// createJob creates a job of endpoint ep, started when start is set.
func createJob(t *testing.T, db *store.DB, ws, ep string, start bool) *scoregate.Job {
	t.Helper()
	j := newJob(ws, ep)
	var enqueue scoregate.Enqueue
	if start {
		enqueue = noEnqueue
	}
	ok(t, db.CreateJob(t.Context(), j, enqueue))
	return j
}

func noEnqueue(context.Context, *sql.Tx, *scoregate.Job) error { return nil }

// jobStatus reads the status of job id through tx, as a queue would.
func jobStatus(ctx context.Context, db *store.DB, tx *sql.Tx, id string) (string, error) {
	q := "SELECT status FROM jobs WHERE id = ?"
	if db.Dialect() == store.DialectPostgres {
		q = "SELECT status FROM jobs WHERE id = $1"
	}
	var status string
	err := tx.QueryRowContext(ctx, q, id).Scan(&status)
	return status, err
}

// wantJob fails unless the stored job id of ws equals want.
func wantJob(t *testing.T, db *store.DB, want *scoregate.Job) {
	t.Helper()
	got, err := db.Job(t.Context(), want.WorkspaceID, want.ID)
	ok(t, err)
	if *got != *want {
		t.Fatalf("Job = %+v,\nwant  %+v", *got, *want)
	}
}

func TestJobCreateAndRead(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws, eps := endpoints(t, db, "ep", "other")
		ep := eps["ep"].ID
		before := time.Now().Add(-time.Second)

		j := newJob(ws.ID, ep)
		j.Attempts, j.Owner, j.Progress.RowsRead = 7, "someone", 99 // the store's to set
		ok(t, db.CreateJob(ctx, j, nil))
		if len(j.ID) != 32 || j.Status != scoregate.JobNotStarted || j.CreatedAt.Before(before) ||
			!j.StartedAt.IsZero() || j.Attempts != 0 || j.Owner != "" ||
			j.Progress != (scoregate.JobProgress{BytesTotal: 1234}) {
			t.Fatalf("created job: %+v", *j)
		}
		wantJob(t, db, j)

		started := createJob(t, db, ws.ID, ep, true)
		if started.Status != scoregate.JobRunning || started.StartedAt != started.CreatedAt {
			t.Fatalf("job created started: %+v", *started)
		}
		wantJob(t, db, started)
		third := createJob(t, db, ws.ID, ep, false)
		createJob(t, db, ws.ID, eps["other"].ID, false)

		list, err := db.Jobs(ctx, ws.ID, ep, 0)
		ok(t, err)
		if len(list) != 3 || list[0] != *third || list[1] != *started || list[2] != *j {
			t.Fatalf("Jobs = %+v, want the three jobs of ep newest first", list)
		}
		if list, err := db.Jobs(ctx, ws.ID, ep, 2); err != nil || len(list) != 2 || list[0].ID != third.ID {
			t.Fatalf("Jobs with limit 2 = %+v, %v", list, err)
		}

		other := newWorkspace(t, db, "other")
		_, err = db.Job(ctx, other.ID, j.ID)
		if e := wantError(t, err, scoregate.NotFound, scoregate.CodeJobNotFound); e.Target != "jobId" {
			t.Fatalf("target %q, want jobId", e.Target)
		}
		_, err = db.Job(ctx, ws.ID, scoregate.NewID())
		wantError(t, err, scoregate.NotFound, scoregate.CodeJobNotFound)
		if list, err := db.Jobs(ctx, other.ID, ep, 0); err != nil || len(list) != 0 {
			t.Fatalf("Jobs of ep from another workspace = %+v, %v", list, err)
		}
		err = db.CreateJob(ctx, newJob(other.ID, ep), nil)
		wantError(t, err, scoregate.NotFound, scoregate.CodeEndpointNotFound)
		if n, err := db.Count(ctx, "jobs"); err != nil || n != 4 {
			t.Fatalf("%d jobs stored (%v), want 4", n, err)
		}
	})
}

func TestJobStart(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws, eps := endpoints(t, db, "ep")
		j := createJob(t, db, ws.ID, eps["ep"].ID, false)

		var queued []scoregate.Job
		enqueue := func(ctx context.Context, tx *sql.Tx, q *scoregate.Job) error {
			status, err := jobStatus(ctx, db, tx, q.ID)
			if err != nil || status != string(scoregate.JobRunning) {
				t.Errorf("enqueue sees the job %q (%v), want Running", status, err)
			}
			queued = append(queued, *q)
			return nil
		}
		other := newWorkspace(t, db, "other")
		_, err := db.StartJob(ctx, other.ID, j.ID, enqueue)
		wantError(t, err, scoregate.NotFound, scoregate.CodeJobNotFound)

		got, err := db.StartJob(ctx, ws.ID, j.ID, enqueue)
		ok(t, err)
		if got.Status != scoregate.JobRunning || got.StartedAt.Before(got.CreatedAt) || len(queued) != 1 || queued[0] != *got {
			t.Fatalf("started job %+v, queued %+v", *got, queued)
		}
		wantJob(t, db, got)

		_, err = db.StartJob(ctx, ws.ID, j.ID, enqueue)
		e := wantError(t, err, scoregate.BadUserArgument, scoregate.CodeCannotStartJob)
		if !strings.Contains(e.Message, "is Running") || len(queued) != 1 {
			t.Fatalf("second start: %q, %d enqueued", e.Message, len(queued))
		}
		_, err = db.StartJob(ctx, ws.ID, scoregate.NewID(), enqueue)
		wantError(t, err, scoregate.NotFound, scoregate.CodeJobNotFound)
	})
}

// TestJobEnqueueTransaction checks that enqueue runs in the transaction
// that stores the job: what it writes commits with the job, and its error
// leaves nothing behind.
func TestJobEnqueueTransaction(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws, eps := endpoints(t, db, "ep")
		ep := eps["ep"].ID
		mark := "UPDATE jobs SET details = 'queued' WHERE id = ?"
		if db.Dialect() == store.DialectPostgres {
			mark = "UPDATE jobs SET details = 'queued' WHERE id = $1"
		}
		enqueue := func(ctx context.Context, tx *sql.Tx, j *scoregate.Job) error {
			if status, err := jobStatus(ctx, db, tx, j.ID); err != nil || status != string(scoregate.JobRunning) {
				t.Errorf("enqueue sees the job %q (%v), want Running", status, err)
			}
			_, err := tx.ExecContext(ctx, mark, j.ID)
			return err
		}
		j := newJob(ws.ID, ep)
		ok(t, db.CreateJob(ctx, j, enqueue))
		got, err := db.Job(ctx, ws.ID, j.ID)
		ok(t, err)
		if got.Details != "queued" || got.Status != scoregate.JobRunning {
			t.Fatalf("job after CreateJob with enqueue: %+v", *got)
		}

		refused := errors.New("queue full")
		failing := func(ctx context.Context, tx *sql.Tx, j *scoregate.Job) error {
			if err := enqueue(ctx, tx, j); err != nil {
				return err
			}
			return refused
		}
		j = newJob(ws.ID, ep)
		err = db.CreateJob(ctx, j, failing)
		if !errors.Is(err, refused) || scoregate.ClassOf(err) != scoregate.Internal || strings.Contains(scoregate.ErrorOf(err).Message, "queue") {
			t.Fatalf("CreateJob with a failing enqueue = %v", err)
		}
		if *j != *newJob(ws.ID, ep) {
			t.Fatalf("a failed CreateJob changed the job: %+v", *j)
		}
		if n, err := db.Count(ctx, "jobs"); err != nil || n != 1 {
			t.Fatalf("%d jobs stored after a failed enqueue (%v), want 1", n, err)
		}

		// A domain error from enqueue reaches the caller as it is.
		busy := scoregate.Errorf(scoregate.ServiceUnavailable, scoregate.CodeInternal, "", "queue busy")
		notStarted := createJob(t, db, ws.ID, ep, false)
		_, err = db.StartJob(ctx, ws.ID, notStarted.ID, func(ctx context.Context, tx *sql.Tx, j *scoregate.Job) error {
			if err := enqueue(ctx, tx, j); err != nil {
				return err
			}
			return busy
		})
		if !errors.Is(err, busy) || scoregate.ClassOf(err) != scoregate.ServiceUnavailable {
			t.Fatalf("StartJob with a failing enqueue = %v", err)
		}
		wantJob(t, db, notStarted) // still NotStarted, no details
	})
}

// TestJobStartConcurrent starts one job from several goroutines at once:
// exactly one must enqueue it.
func TestJobStartConcurrent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws, eps := endpoints(t, db, "ep")
		j := createJob(t, db, ws.ID, eps["ep"].ID, false)
		const n = 8
		var enqueued atomic.Int32
		refused := atOnce(t, db, n, func(int) bool {
			_, err := db.StartJob(ctx, ws.ID, j.ID, func(context.Context, *sql.Tx, *scoregate.Job) error {
				enqueued.Add(1)
				return nil
			})
			e := scoregate.ErrorOf(err)
			if err != nil && e.Code != scoregate.CodeCannotStartJob {
				t.Errorf("StartJob: %v", err)
			}
			return err != nil && e.Code == scoregate.CodeCannotStartJob
		})
		if enqueued.Load() != 1 || refused != n-1 {
			t.Fatalf("%d enqueued, %d refused; want 1 and %d", enqueued.Load(), refused, n-1)
		}
	})
}

func TestJobLease(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws, eps := endpoints(t, db, "ep")
		j := createJob(t, db, ws.ID, eps["ep"].ID, true)

		a, claimed, err := db.ClaimJob(ctx, j.ID, "a", time.Minute)
		ok(t, err)
		if !claimed || a.Owner != "a" || a.Attempts != 1 || !a.LeaseUntil.After(a.StartedAt) ||
			a.Progress != (scoregate.JobProgress{BytesTotal: 1234}) {
			t.Fatalf("first claim: %v %+v", claimed, *a)
		}
		wantJob(t, db, a)
		b, claimed, err := db.ClaimJob(ctx, j.ID, "b", time.Minute)
		ok(t, err)
		if claimed || *b != *a {
			t.Fatalf("claim while a's lease is live: %v %+v", claimed, *b)
		}

		p := scoregate.JobProgress{RowsRead: 10, RowsScored: 9, RowsFailed: 1, BytesRead: 500}
		cancel, err := db.CheckpointJob(ctx, j.ID, "a", p, time.Minute)
		ok(t, err)
		got, err := db.Job(ctx, ws.ID, j.ID)
		ok(t, err)
		p.BytesTotal = 1234 // kept when the checkpoint does not know it
		if cancel || got.Progress != p || got.LeaseUntil.Before(a.LeaseUntil) {
			t.Fatalf("after a checkpoint: cancel %v, %+v", cancel, *got)
		}

		// The same owner claiming again (a redelivery) starts over.
		again, claimed, err := db.ClaimJob(ctx, j.ID, "a", -time.Second)
		ok(t, err)
		if !claimed || again.Attempts != 2 || again.Progress != (scoregate.JobProgress{BytesTotal: 1234}) {
			t.Fatalf("claim again by a: %v %+v", claimed, *again)
		}
		// a's lease ran out: b takes the job over.
		b, claimed, err = db.ClaimJob(ctx, j.ID, "b", time.Minute)
		ok(t, err)
		if !claimed || b.Owner != "b" || b.Attempts != 3 {
			t.Fatalf("claim by b after a's lease ran out: %v %+v", claimed, *b)
		}
		if _, err := db.CheckpointJob(ctx, j.ID, "a", p, time.Minute); !errors.Is(err, scoregate.ErrLeaseLost) {
			t.Fatalf("checkpoint by a stale owner = %v, want ErrLeaseLost", err)
		}
		err = db.EndJob(ctx, j.ID, "a", scoregate.JobFinished, "out", "", p)
		if !errors.Is(err, scoregate.ErrLeaseLost) || scoregate.ClassOf(err) != scoregate.Conflict {
			t.Fatalf("end by a stale owner = %v, want ErrLeaseLost", err)
		}
		if _, err := db.CheckpointJob(ctx, j.ID, "", p, time.Minute); !errors.Is(err, scoregate.ErrLeaseLost) {
			t.Fatalf("checkpoint by no owner = %v, want ErrLeaseLost", err)
		}

		err = db.EndJob(ctx, j.ID, "b", scoregate.JobRunning, "", "", p)
		wantError(t, err, scoregate.Internal, scoregate.CodeInternal)
		final := scoregate.JobProgress{RowsRead: 20, RowsScored: 20, BytesRead: 1234, BytesTotal: 1234}
		out := scoregate.BlobKey(ws.ID, "jobs/out.xlsx")
		ok(t, db.EndJob(ctx, j.ID, "b", scoregate.JobFinished, out, "", final))
		got, err = db.Job(ctx, ws.ID, j.ID)
		ok(t, err)
		if got.Status != scoregate.JobFinished || got.Output != out || got.Progress != final ||
			got.Owner != "b" || !got.LeaseUntil.IsZero() || got.FinishedAt.Before(got.StartedAt) || got.Attempts != 3 {
			t.Fatalf("finished job: %+v", *got)
		}

		ended, claimed, err := db.ClaimJob(ctx, j.ID, "c", time.Minute)
		ok(t, err)
		if claimed || *ended != *got {
			t.Fatalf("claim of a finished job: %v %+v", claimed, *ended)
		}
		if _, err := db.CheckpointJob(ctx, j.ID, "b", p, time.Minute); !errors.Is(err, scoregate.ErrLeaseLost) {
			t.Fatalf("checkpoint of a finished job = %v, want ErrLeaseLost", err)
		}
		if err := db.EndJob(ctx, j.ID, "b", scoregate.JobFailed, "", "again", p); !errors.Is(err, scoregate.ErrLeaseLost) {
			t.Fatalf("second end = %v, want ErrLeaseLost", err)
		}

		notStarted := createJob(t, db, ws.ID, eps["ep"].ID, false)
		if got, claimed, err := db.ClaimJob(ctx, notStarted.ID, "a", time.Minute); err != nil || claimed || got.Attempts != 0 {
			t.Fatalf("claim of a NotStarted job: %v %+v %v", claimed, got, err)
		}
		_, _, err = db.ClaimJob(ctx, scoregate.NewID(), "a", time.Minute)
		wantError(t, err, scoregate.NotFound, scoregate.CodeJobNotFound)
	})
}

func TestJobCancel(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws, eps := endpoints(t, db, "ep")
		ep := eps["ep"].ID

		t.Run("not started", func(t *testing.T) {
			j := createJob(t, db, ws.ID, ep, false)
			got, err := db.CancelJob(ctx, ws.ID, j.ID)
			ok(t, err)
			if got.Status != scoregate.JobCancelled || got.Details != "cancelled before it started" ||
				got.FinishedAt.Before(got.CreatedAt) || got.CancelRequested {
				t.Fatalf("cancelled job: %+v", *got)
			}
			wantJob(t, db, got)
			again, err := db.CancelJob(ctx, ws.ID, j.ID)
			ok(t, err)
			if *again != *got {
				t.Fatalf("cancel of a cancelled job changed it: %+v", *again)
			}
			_, err = db.StartJob(ctx, ws.ID, j.ID, noEnqueue)
			e := wantError(t, err, scoregate.BadUserArgument, scoregate.CodeCannotStartJob)
			if !strings.Contains(e.Message, "is Cancelled") {
				t.Fatalf("start of a cancelled job: %q", e.Message)
			}
		})

		t.Run("queued", func(t *testing.T) {
			j := createJob(t, db, ws.ID, ep, true)
			got, err := db.CancelJob(ctx, ws.ID, j.ID)
			ok(t, err)
			if got.Status != scoregate.JobCancelled || got.Details != "cancelled before it started" {
				t.Fatalf("cancelled queued job: %+v", *got)
			}
			// The executor the queue hands it to later finds it ended.
			claim, claimed, err := db.ClaimJob(ctx, j.ID, "a", time.Minute)
			ok(t, err)
			if claimed || claim.Status != scoregate.JobCancelled || claim.Attempts != 0 {
				t.Fatalf("claim of a cancelled job: %v %+v", claimed, *claim)
			}
		})

		t.Run("running", func(t *testing.T) {
			j := createJob(t, db, ws.ID, ep, true)
			_, _, err := db.ClaimJob(ctx, j.ID, "a", time.Minute)
			ok(t, err)
			got, err := db.CancelJob(ctx, ws.ID, j.ID)
			ok(t, err)
			if got.Status != scoregate.JobRunning || !got.CancelRequested || got.Owner != "a" {
				t.Fatalf("cancelled running job: %+v", *got)
			}
			if again, err := db.CancelJob(ctx, ws.ID, j.ID); err != nil || *again != *got {
				t.Fatalf("second cancel: %+v, %v", again, err)
			}
			// A redelivery to the same owner keeps the request.
			claim, claimed, err := db.ClaimJob(ctx, j.ID, "a", time.Minute)
			ok(t, err)
			if !claimed || !claim.CancelRequested {
				t.Fatalf("claim after a cancel request: %v %+v", claimed, *claim)
			}
			cancel, err := db.CheckpointJob(ctx, j.ID, "a", scoregate.JobProgress{RowsRead: 1}, time.Minute)
			ok(t, err)
			if !cancel {
				t.Fatal("CheckpointJob after CancelJob did not ask to stop")
			}
			ok(t, db.EndJob(ctx, j.ID, "a", scoregate.JobCancelled, "", "cancelled", scoregate.JobProgress{RowsRead: 1}))
			got, err = db.Job(ctx, ws.ID, j.ID)
			ok(t, err)
			if got.Status != scoregate.JobCancelled || got.Details != "cancelled" || got.Progress.RowsRead != 1 {
				t.Fatalf("job its executor cancelled: %+v", *got)
			}
		})

		t.Run("lease ran out", func(t *testing.T) {
			j := createJob(t, db, ws.ID, ep, true)
			_, _, err := db.ClaimJob(ctx, j.ID, "a", -time.Second)
			ok(t, err)
			got, err := db.CancelJob(ctx, ws.ID, j.ID)
			ok(t, err)
			if got.Status != scoregate.JobCancelled || got.Owner != "" || got.Details != "cancelled while no executor held it" {
				t.Fatalf("cancelled job whose lease ran out: %+v", *got)
			}
			if _, err := db.CheckpointJob(ctx, j.ID, "a", scoregate.JobProgress{}, time.Minute); !errors.Is(err, scoregate.ErrLeaseLost) {
				t.Fatalf("checkpoint of a job cancelled meanwhile = %v, want ErrLeaseLost", err)
			}
		})

		t.Run("other workspace", func(t *testing.T) {
			j := createJob(t, db, ws.ID, ep, false)
			other := newWorkspace(t, db, "other")
			_, err := db.CancelJob(ctx, other.ID, j.ID)
			wantError(t, err, scoregate.NotFound, scoregate.CodeJobNotFound)
			wantJob(t, db, j)
		})
	})
}

func TestJobsGoWithTheirEndpoint(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws, eps := endpoints(t, db, "ep", "kept")
		createJob(t, db, ws.ID, eps["ep"].ID, false)
		gone := createJob(t, db, ws.ID, eps["ep"].ID, true)
		kept := createJob(t, db, ws.ID, eps["kept"].ID, false)
		ok(t, db.DeleteEndpoint(ctx, ws.ID, "svc", "ep"))
		if n, err := db.Count(ctx, "jobs"); err != nil || n != 1 {
			t.Fatalf("%d jobs after deleting their endpoint (%v), want 1", n, err)
		}
		_, err := db.Job(ctx, ws.ID, gone.ID)
		wantError(t, err, scoregate.NotFound, scoregate.CodeJobNotFound)
		wantJob(t, db, kept)
		err = db.CreateJob(ctx, newJob(ws.ID, eps["ep"].ID), noEnqueue)
		wantError(t, err, scoregate.NotFound, scoregate.CodeEndpointNotFound)
	})
}
