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

// dropFile returns file name of an inbox at version, 10 bytes long.
func dropFile(name, version string) scoregate.DropFile {
	return scoregate.DropFile{Key: "drops/ws/svc/ep/inbox/" + name, Name: name, Version: version, Size: 10}
}

// dropJob returns the job that scores f, to create.
func dropJob(f scoregate.DropFile) *scoregate.Job {
	return &scoregate.Job{
		Input:     f.Key,
		InputName: f.Name,
		Options:   scoregate.JobOptions{InputFormat: scoregate.FormatCSV, OutputFormat: scoregate.FormatCSV},
	}
}

// claimFile claims f for run runID, its job queued at once, and fails
// unless the claim's outcome is want. It returns the job.
func claimFile(t *testing.T, db *store.DB, runID string, f scoregate.DropFile, want bool) *scoregate.Job {
	t.Helper()
	j := dropJob(f)
	got, err := db.ClaimDrop(t.Context(), runID, f, j, noEnqueue)
	ok(t, err)
	if got != want {
		t.Fatalf("ClaimDrop(%s %s) = %v, want %v", f.Key, f.Version, got, want)
	}
	return j
}

// endJob runs job j to its end with status, as an executor does.
func endJob(t *testing.T, db *store.DB, j *scoregate.Job, status scoregate.JobStatus) {
	t.Helper()
	_, claimed, err := db.ClaimJob(t.Context(), j.ID, "r1", time.Minute)
	ok(t, err)
	if !claimed {
		t.Fatalf("ClaimJob(%s) refused", j.ID)
	}
	ok(t, db.EndJob(t.Context(), j.ID, "r1", status, "", "", scoregate.JobProgress{}))
}

func TestClaimDrop(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws, eps := endpoints(t, db, "ep", "other")
		ep := eps["ep"].ID
		run := startRun(t, db, createSchedule(t, db, ws.ID, ep))
		second := startRun(t, db, createSchedule(t, db, ws.ID, ep))
		onOther := startRun(t, db, createSchedule(t, db, ws.ID, eps["other"].ID))

		f := dropFile("in.csv", "v1")
		var queued []scoregate.Job
		j := dropJob(f)
		j.WorkspaceID, j.EndpointID, j.ID, j.RunID = "x", "y", "z", "w" // the store's to set
		claimed, err := db.ClaimDrop(ctx, run.ID, f, j, func(ctx context.Context, tx *sql.Tx, q *scoregate.Job) error {
			if status, err := rowStatus(ctx, db, tx, "jobs", q.ID); err != nil || status != string(scoregate.JobRunning) {
				t.Errorf("enqueue sees the job %q (%v), want Running", status, err)
			}
			queued = append(queued, *q)
			return nil
		})
		ok(t, err)
		if !claimed || len(j.ID) != 32 || j.RunID != run.ID || j.WorkspaceID != ws.ID || j.EndpointID != ep ||
			j.Status != scoregate.JobRunning || j.StartedAt.IsZero() || j.Input != f.Key {
			t.Fatalf("ClaimDrop = %v, job %+v", claimed, *j)
		}
		if len(queued) != 1 || queued[0] != *j {
			t.Fatalf("queued %+v, want the job %+v", queued, *j)
		}
		wantJob(t, db, j)
		got := readRun(t, db, ws.ID, run.ID)
		if got.FilesClaimed != 1 || len(got.Files) != 1 {
			t.Fatalf("run after a claim: %+v", *got)
		}
		want := f
		want.RunID, want.JobID, want.Status, want.ClaimedAt = run.ID, j.ID, scoregate.DropClaimed, got.Files[0].ClaimedAt
		if got.Files[0] != want || got.Files[0].ClaimedAt.Before(j.CreatedAt.Add(-time.Second)) {
			t.Fatalf("claimed file %+v, want %+v", got.Files[0], want)
		}

		// The same file again, by this run or another of the endpoint, is
		// refused and leaves the job as given; the same key with another
		// version or size, or of another endpoint, is another file.
		for _, c := range []struct {
			name    string
			run     string
			version string
			size    int64
			want    bool
		}{
			{"again", run.ID, "v1", 10, false},
			{"by another run", second.ID, "v1", 10, false},
			{"another endpoint", onOther.ID, "v1", 10, true},
			{"another version", run.ID, "v2", 10, true},
			{"another size", run.ID, "v1", 11, true},
			{"no version", second.ID, "", 10, true},
			{"no version again", run.ID, "", 10, false},
		} {
			t.Run(c.name, func(t *testing.T) {
				f := dropFile("in.csv", c.version)
				f.Size = c.size
				j := dropJob(f)
				claimed, err := db.ClaimDrop(ctx, c.run, f, j, noEnqueue)
				ok(t, err)
				if claimed != c.want {
					t.Fatalf("ClaimDrop = %v, want %v", claimed, c.want)
				}
				if !claimed && *j != *dropJob(f) {
					t.Fatalf("a refused claim changed the job: %+v", *j)
				}
			})
		}
		for table, want := range map[string]int64{"drop_claims": 5, "jobs": 5} {
			if n, err := db.Count(ctx, table); err != nil || n != want {
				t.Fatalf("%d rows in %s (%v), want %d", n, table, err, want)
			}
		}
		if got := readRun(t, db, ws.ID, run.ID); got.FilesClaimed != 3 || len(got.Files) != 3 {
			t.Fatalf("run after three claims: %+v", *got)
		}

		refused := errors.New("queue full")
		f = dropFile("other.csv", "v1")
		j = dropJob(f)
		_, err = db.ClaimDrop(ctx, run.ID, f, j, func(context.Context, *sql.Tx, *scoregate.Job) error { return refused })
		if !errors.Is(err, refused) || *j != *dropJob(f) {
			t.Fatalf("ClaimDrop with a failing enqueue = %v, job %+v", err, *j)
		}
		claimFile(t, db, run.ID, f, true) // nothing was left behind
		_, err = db.ClaimDrop(ctx, scoregate.NewID(), f, dropJob(f), noEnqueue)
		wantError(t, err, scoregate.NotFound, scoregate.CodeRunNotFound)
	})
}

// TestClaimDropConcurrent claims one file for several runs at once, as
// replicas running one schedule's firings do: exactly one claim must win
// and create a job.
func TestClaimDropConcurrent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws, eps := endpoints(t, db, "ep")
		s := createSchedule(t, db, ws.ID, eps["ep"].ID)
		const n = 8
		runs := make([]string, n)
		for i := range runs {
			runs[i] = fire(t, db, s, fireAt.Add(time.Duration(i)*time.Minute)).ID
		}
		var enqueued atomic.Int32
		f := dropFile("big.xlsx", `"abc"`)
		won := atOnce(t, db, n, func(i int) bool {
			got, err := db.ClaimDrop(ctx, runs[i], f, dropJob(f), func(context.Context, *sql.Tx, *scoregate.Job) error {
				enqueued.Add(1)
				return nil
			})
			if err != nil {
				t.Errorf("ClaimDrop: %v", err)
			}
			return got
		})
		if won != 1 || enqueued.Load() != 1 {
			t.Fatalf("%d of %d concurrent claims of one file won, %d enqueued; want 1 and 1", won, n, enqueued.Load())
		}
		for table, want := range map[string]int64{"drop_claims": 1, "jobs": 1} {
			if got, err := db.Count(ctx, table); err != nil || got != want {
				t.Fatalf("%d rows in %s (%v), want %d", got, table, err, want)
			}
		}
		claimed := 0
		for _, run := range runs {
			claimed += readRun(t, db, ws.ID, run).FilesClaimed
		}
		if claimed != 1 {
			t.Fatalf("the runs count %d claimed files, want 1", claimed)
		}
	})
}

// TestFinishDrop records what became of a run's files and checks the run
// ends once it has listed the inbox and its last file is done, whichever
// of the two comes last.
func TestFinishDrop(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws, eps := endpoints(t, db, "ep")
		s := createSchedule(t, db, ws.ID, eps["ep"].ID)
		scored := scoregate.DropFile{Status: scoregate.DropScored, Output: "outbox/a.csv", Moved: "processed/a.csv", RowsRead: 10, RowsFailed: 1}
		failed := scoregate.DropFile{Status: scoregate.DropFailed, Moved: "failed/b.csv", RowsRead: 5, RowsFailed: 5, Details: "too many rows failed"}

		for _, c := range []struct {
			name       string
			listedLast bool
		}{
			{"listed before the last file", false},
			{"listed after the last file", true},
		} {
			t.Run(c.name, func(t *testing.T) {
				run, err := db.StartRun(ctx, fire(t, db, s, time.Now()).ID)
				ok(t, err)
				a := claimFile(t, db, run.ID, dropFile("a.csv", run.ID), true)
				b := claimFile(t, db, run.ID, dropFile("b.csv", run.ID), true)
				endJob(t, db, a, scoregate.JobFinished)
				endJob(t, db, b, scoregate.JobFailed)
				notes := []string{"c.csv: claimed by another run"}
				if !c.listedLast {
					ok(t, db.ListedRun(ctx, run.ID, 3, 1, notes, ""))
				}
				finish(t, db, a.ID, scored, true)
				finish(t, db, a.ID, failed, false)
				if got := readRun(t, db, ws.ID, run.ID); got.Status != scoregate.JobRunning || got.FilesScored != 1 || got.RowsRead != 10 {
					t.Fatalf("run with a file left: %+v", *got)
				}
				finish(t, db, b.ID, failed, true)
				if c.listedLast {
					if got := readRun(t, db, ws.ID, run.ID); got.Status != scoregate.JobRunning || got.Listed {
						t.Fatalf("run with its files done before it listed the inbox: %+v", *got)
					}
					ok(t, db.ListedRun(ctx, run.ID, 3, 1, notes, ""))
				}

				got := readRun(t, db, ws.ID, run.ID)
				if got.Status != scoregate.JobFinished || got.FinishedAt.Before(got.StartedAt) || !got.Listed ||
					got.FilesFound != 3 || got.FilesSkipped != 1 || got.FilesClaimed != 2 ||
					got.FilesScored != 1 || got.FilesFailed != 1 || got.RowsRead != 15 || got.RowsFailed != 6 ||
					!reflect.DeepEqual(got.Notes, notes) || len(got.Files) != 2 {
					t.Fatalf("ended run: %+v", *got)
				}
				for i, want := range []scoregate.DropFile{scored, failed} {
					f := got.Files[i]
					want.Key, want.Name, want.Version, want.Size = f.Key, f.Name, run.ID, 10
					want.RunID, want.JobID, want.ClaimedAt = run.ID, []string{a.ID, b.ID}[i], f.ClaimedAt
					want.DoneAt = f.DoneAt
					if f != want || f.DoneAt.Before(f.ClaimedAt) {
						t.Fatalf("file %d: %+v,\nwant    %+v", i, f, want)
					}
				}
			})
		}

		t.Run("no files", func(t *testing.T) {
			run, err := db.StartRun(ctx, fire(t, db, s, fireAt).ID)
			ok(t, err)
			ok(t, db.ListedRun(ctx, run.ID, 0, 0, nil, ""))
			if got := readRun(t, db, ws.ID, run.ID); got.Status != scoregate.JobFinished || got.Notes != nil || len(got.Files) != 0 {
				t.Fatalf("run that claimed nothing: %+v", *got)
			}
		})

		t.Run("not started", func(t *testing.T) {
			run := fire(t, db, s, fireAt.Add(time.Minute))
			ok(t, db.ListedRun(ctx, run.ID, 0, 0, nil, ""))
			if got := readRun(t, db, ws.ID, run.ID); got.Status != scoregate.JobNotStarted || !got.Listed {
				t.Fatalf("a listing recorded for a run not started: %+v", *got)
			}
		})

		t.Run("unknown", func(t *testing.T) {
			finish(t, db, scoregate.NewID(), scored, false)
			_, err := db.FinishDrop(ctx, scoregate.NewID(), scoregate.DropFile{Status: scoregate.DropClaimed})
			wantError(t, err, scoregate.Internal, scoregate.CodeInternal)
		})
	})
}

// finish records f for the file of job id and fails unless the outcome is
// want.
func finish(t *testing.T, db *store.DB, jobID string, f scoregate.DropFile, want bool) {
	t.Helper()
	done, err := db.FinishDrop(t.Context(), jobID, f)
	ok(t, err)
	if done != want {
		t.Fatalf("FinishDrop(%s, %s) = %v, want %v", jobID, f.Status, done, want)
	}
}

// TestListedRunFailure fails a run whose inbox could not be listed: its
// files already claimed are still counted, and it stays Failed.
func TestListedRunFailure(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws, eps := endpoints(t, db, "ep")
		run := startRun(t, db, createSchedule(t, db, ws.ID, eps["ep"].ID))
		j := claimFile(t, db, run.ID, dropFile("a.csv", "v1"), true)
		ok(t, db.ListedRun(ctx, run.ID, 2, 0, []string{"half listed"}, "the bucket refused the listing"))
		got := readRun(t, db, ws.ID, run.ID)
		if got.Status != scoregate.JobFailed || got.Details != "the bucket refused the listing" ||
			got.FinishedAt.IsZero() || !got.Listed || got.FilesFound != 2 {
			t.Fatalf("run whose listing failed: %+v", *got)
		}
		finish(t, db, j.ID, scoregate.DropFile{Status: scoregate.DropScored}, true)
		after := readRun(t, db, ws.ID, run.ID)
		if after.Status != scoregate.JobFailed || after.FilesScored != 1 || !after.FinishedAt.Equal(got.FinishedAt) {
			t.Fatalf("failed run after its file was scored: %+v", *after)
		}
	})
}

// TestDropsToFinish lists the jobs that ended while their file's claim is
// still open: not those whose file is done, nor running or client jobs.
func TestDropsToFinish(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws, eps := endpoints(t, db, "ep")
		run := startRun(t, db, createSchedule(t, db, ws.ID, eps["ep"].ID))
		finished := claimFile(t, db, run.ID, dropFile("a.csv", "v1"), true)
		cancelled := claimFile(t, db, run.ID, dropFile("b.csv", "v1"), true)
		done := claimFile(t, db, run.ID, dropFile("c.csv", "v1"), true)
		running := claimFile(t, db, run.ID, dropFile("d.csv", "v1"), true)
		client := createJob(t, db, ws.ID, eps["ep"].ID, true)
		for _, j := range []*scoregate.Job{finished, done, client} {
			endJob(t, db, j, scoregate.JobFinished)
		}
		_, err := db.CancelJob(ctx, ws.ID, cancelled.ID) // queued: cancelled at once
		ok(t, err)
		finish(t, db, done.ID, scoregate.DropFile{Status: scoregate.DropScored}, true)
		_, _, err = db.ClaimJob(ctx, running.ID, "r1", time.Minute)
		ok(t, err)

		list, err := db.DropsToFinish(ctx, time.Now().Add(time.Second), 0)
		ok(t, err)
		if len(list) != 2 || list[0].ID != finished.ID || list[1].ID != cancelled.ID ||
			list[0].RunID != run.ID || list[0].Status != scoregate.JobFinished || list[1].Status != scoregate.JobCancelled {
			t.Fatalf("DropsToFinish = %+v, want the finished and the cancelled job", list)
		}
		if list, err := db.DropsToFinish(ctx, time.Now().Add(time.Second), 1); err != nil || len(list) != 1 || list[0].ID != finished.ID {
			t.Fatalf("DropsToFinish with limit 1 = %+v, %v", list, err)
		}
		if list, err := db.DropsToFinish(ctx, list[0].FinishedAt, 0); err != nil || len(list) != 0 {
			t.Fatalf("DropsToFinish before the first end = %+v, %v", list, err)
		}
	})
}

// TestDropOfJob finds the claim a job scores, and no claim for a job a
// client submitted.
func TestDropOfJob(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws, eps := endpoints(t, db, "ep")
		run := startRun(t, db, createSchedule(t, db, ws.ID, eps["ep"].ID))
		f := dropFile("a.csv", "v1")
		j := claimFile(t, db, run.ID, f, true)
		got, err := db.DropOfJob(ctx, j.ID)
		ok(t, err)
		if got.Key != f.Key || got.Version != "v1" || got.Size != 10 || got.RunID != run.ID || got.JobID != j.ID || got.Status != scoregate.DropClaimed {
			t.Errorf("DropOfJob = %+v", got)
		}
		_, err = db.DropOfJob(ctx, scoregate.NewID())
		wantError(t, err, scoregate.NotFound, scoregate.CodeJobNotFound)
	})
}
