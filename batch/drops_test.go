package batch_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/batch"
	"github.com/scoregate/scoregate/fixtures"
	"github.com/scoregate/scoregate/store"
	"github.com/scoregate/scoregate/store/storetest"
)

// drops is a queue whose runner also runs schedules, with the endpoint's
// drop area and a schedule service over it.
type drops struct {
	*queue
	blobDir  string
	area     string // the drop area's blob key prefix
	schedule *batch.ScheduleService
}

func newDrops(t testing.TB, db *store.DB, cfg batch.RunnerConfig) *drops {
	t.Helper()
	dir := t.TempDir()
	cfg.Schedules = db
	cfg.ScheduleTick = cmpOr(cfg.ScheduleTick, 50*time.Millisecond)
	q := newQueue(t, db, dir, cfg)
	q.publish(t)
	return &drops{
		queue:    q,
		blobDir:  dir,
		area:     scoregate.DropPrefix(q.ws, fixtures.DemoServiceName, scoregate.DefaultEndpointName),
		schedule: &batch.ScheduleService{Store: db, Runner: q.runner},
	}
}

func cmpOr[T comparable](a, b T) T {
	var zero T
	if a != zero {
		return a
	}
	return b
}

// create makes a schedule of the endpoint.
func (d *drops) create(t testing.TB, set scoregate.ScheduleSettings) *scoregate.Schedule {
	t.Helper()
	sc, err := d.schedule.CreateSchedule(t.Context(), d.ws, d.ep, set)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// drop puts a file into the inbox through the blob store (atomically, as
// the API does).
func (d *drops) drop(t testing.TB, name string, body []byte) {
	t.Helper()
	if err := d.blobs.PutWhole(t.Context(), d.area+"inbox/"+name, bytes.NewReader(body)); err != nil {
		t.Fatal(err)
	}
}

// copyIn writes a file straight into the local inbox folder, as a user
// copying it there would: the store has no etag for it.
func (d *drops) copyIn(t *testing.T, name string, body []byte) {
	t.Helper()
	dir := filepath.Join(d.blobDir, "blobs", filepath.FromSlash(d.area), "inbox")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
		t.Fatal(err)
	}
}

// folder lists the names in a drop folder.
func (d *drops) folder(t *testing.T, name string) []string {
	t.Helper()
	list, err := d.blobs.List(t.Context(), d.area+name+"/")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range list {
		names = append(names, path.Base(b.Key))
	}
	return names
}

func (d *drops) read(t *testing.T, key string) string {
	t.Helper()
	rc, err := d.blobs.Open(t.Context(), d.area+key)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(rc); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// waitRun waits for a run to end and returns it with its files.
func (d *drops) waitRun(t testing.TB, id string) *scoregate.ScheduleRun {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		run, err := d.schedule.ScheduleRun(t.Context(), d.ws, id)
		if err != nil {
			t.Fatal(err)
		}
		if run.Status.Done() {
			return run
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %s still %s after 60 s: %+v", id, run.Status, run)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitFor polls cond until it holds, for up to 60 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting after 60 s for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func ptr[T any](v T) *T { return &v }

// TestScheduleRun runs a schedule over an inbox with a CSV, a workbook, a
// file without the model's columns, one still being written and one the
// pattern does not match.
func TestScheduleRun(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *store.DB) {
		d := newDrops(t, db, batch.RunnerConfig{Settle: time.Hour})
		sc := d.create(t, scoregate.ScheduleSettings{Cron: ptr("@daily")})
		d.drop(t, "sales.csv", irisRows(300))
		d.drop(t, "flowers.xlsx", irisXLSX(t, 40))
		d.drop(t, "bad.csv", []byte("a,b\n1,2\n"))
		d.drop(t, "readme.txt", []byte("not data"))
		d.copyIn(t, "partial.csv", irisRows(5))

		run, err := d.schedule.RunSchedule(t.Context(), d.ws, sc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !run.Manual || run.Status != scoregate.JobNotStarted {
			t.Fatalf("RunSchedule = %+v, want a manual NotStarted run", run)
		}
		run = d.waitRun(t, run.ID)
		if run.Status != scoregate.JobFinished || !run.Listed || run.FilesFound != 4 || run.FilesSkipped != 1 ||
			run.FilesClaimed != 3 || run.FilesScored != 2 || run.FilesFailed != 1 || run.RowsRead != 340 {
			t.Fatalf("run = %+v", run)
		}
		if len(run.Notes) != 1 || !strings.HasPrefix(run.Notes[0], "partial.csv: changed") {
			t.Errorf("notes = %q, want one about partial.csv", run.Notes)
		}
		byName := map[string]scoregate.DropFile{}
		for _, f := range run.Files {
			byName[f.Name] = f
		}
		if f := byName["sales.csv"]; f.Status != scoregate.DropScored || f.RowsRead != 300 || f.Output != d.area+"outbox/sales.scored.csv" ||
			f.Moved != d.area+"processed/sales.csv" || f.JobID == "" || f.DoneAt.IsZero() {
			t.Errorf("sales.csv = %+v", f)
		}
		if f := byName["bad.csv"]; f.Status != scoregate.DropFailed || !strings.Contains(f.Details, "lacks the input column") ||
			f.Moved != d.area+"failed/bad.csv" || f.Output != "" {
			t.Errorf("bad.csv = %+v", f)
		}

		for folder, want := range map[string][]string{
			"inbox":     {"partial.csv", "readme.txt"},
			"outbox":    {"flowers.scored.xlsx", "sales.scored.csv"},
			"processed": {"flowers.xlsx", "sales.csv"},
			"failed":    {"bad.csv", "bad.csv.error.txt"},
		} {
			if got := d.folder(t, folder); !slices.Equal(got, want) {
				t.Errorf("%s/ holds %q, want %q", folder, got, want)
			}
		}
		out := d.read(t, "outbox/sales.scored.csv")
		if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 301 || !strings.Contains(lines[0], "Scored Labels") {
			t.Errorf("sales.scored.csv: %d lines, header %q", len(lines), lines[0])
		}
		report := d.read(t, "failed/bad.csv.error.txt")
		for _, want := range []string{"could not score bad.csv", "lacks the input column", run.ID, byName["bad.csv"].JobID} {
			if !strings.Contains(report, want) {
				t.Errorf("error report lacks %q:\n%s", want, report)
			}
		}
		j, err := d.runner.Job(t.Context(), d.ws, byName["flowers.xlsx"].JobID)
		if err != nil || j.Status != scoregate.JobFinished || j.RunID != run.ID || j.Options.InputFormat != scoregate.FormatXLSX {
			t.Errorf("flowers.xlsx's job = %+v, %v", j, err)
		}

		// Run again: nothing new but the file still being written.
		again, err := d.schedule.RunSchedule(t.Context(), d.ws, sc.ID)
		if err != nil {
			t.Fatal(err)
		}
		again = d.waitRun(t, again.ID)
		if again.Status != scoregate.JobFinished || again.FilesFound != 1 || again.FilesSkipped != 1 || again.FilesClaimed != 0 || len(again.Files) != 0 {
			t.Errorf("second run = %+v", again)
		}
		runs, err := d.schedule.ScheduleRuns(t.Context(), d.ws, sc.ID, 0)
		if err != nil || len(runs) != 2 || runs[0].ID != again.ID || runs[1].ID != run.ID {
			t.Errorf("ScheduleRuns = %+v, %v; want the two runs, newest first", runs, err)
		}
		if got, err := d.schedule.Schedule(t.Context(), d.ws, sc.ID); err != nil || !got.LastRun.Equal(again.FireTime) {
			t.Errorf("LastRun = %v (%v), want %v", got.LastRun, err, again.FireTime)
		}
	})
}

// TestScheduleRunThreshold fails a file with too many bad rows, and
// scores one with few, as a schedule's ErrorThreshold says.
func TestScheduleRunThreshold(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *store.DB) {
		d := newDrops(t, db, batch.RunnerConfig{})
		sc := d.create(t, scoregate.ScheduleSettings{Cron: ptr("@daily"), ErrorThreshold: ptr(0.1), OutputFormat: ptr("xlsx")})
		good := irisRows(20)
		bad := bytes.Replace(irisRows(20), []byte("\n3,"), []byte("\n3,x"), 1)
		for i := range 5 {
			bad = bytes.Replace(bad, fmt.Appendf(nil, "\n%d,", 10+i), fmt.Appendf(nil, "\n%d,oops", 10+i), 1)
		}
		d.drop(t, "few.csv", bytes.Replace(good, []byte("\n3,"), []byte("\n3,x"), 1))
		d.drop(t, "many.csv", bad)
		run, err := d.schedule.RunSchedule(t.Context(), d.ws, sc.ID)
		if err != nil {
			t.Fatal(err)
		}
		run = d.waitRun(t, run.ID)
		if run.FilesScored != 1 || run.FilesFailed != 1 {
			t.Fatalf("run = %+v", run)
		}
		if got := d.folder(t, "outbox"); !slices.Equal(got, []string{"few.scored.xlsx"}) {
			t.Errorf("outbox/ = %q", got)
		}
		report := d.read(t, "failed/many.csv.error.txt")
		if !strings.Contains(report, "6 of 20 rows failed") || !strings.Contains(report, "first: row 4:") {
			t.Errorf("error report:\n%s", report)
		}
	})
}

// TestSchedulerFires lets the scheduler fire a schedule by itself, and
// fire one that missed several firings once.
func TestSchedulerFires(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *store.DB) {
		d := newDrops(t, db, batch.RunnerConfig{})
		d.drop(t, "a.csv", irisRows(10))
		every := d.create(t, scoregate.ScheduleSettings{Cron: ptr("@every 1s")})
		waitFor(t, "a.csv scored by the schedule", func() bool {
			return slices.Equal(d.folder(t, "processed"), []string{"a.csv"})
		})
		runs, err := d.schedule.ScheduleRuns(t.Context(), d.ws, every.ID, 0)
		if err != nil || len(runs) == 0 || runs[len(runs)-1].Manual {
			t.Fatalf("runs = %+v, %v", runs, err)
		}
		off, err := d.schedule.UpdateSchedule(t.Context(), d.ws, every.ID, scoregate.ScheduleSettings{Enabled: ptr(false)})
		if err != nil || !off.NextRun.IsZero() {
			t.Fatalf("disable: %+v, %v", off, err)
		}
		// Disabled, it fires no more: a second and a half (a firing at
		// most was under way) and then as long again without a new run.
		time.Sleep(1500 * time.Millisecond)
		before, _ := d.schedule.ScheduleRuns(t.Context(), d.ws, every.ID, 0)
		time.Sleep(1500 * time.Millisecond)
		if after, _ := d.schedule.ScheduleRuns(t.Context(), d.ws, every.ID, 0); len(after) != len(before) {
			t.Errorf("a disabled schedule ran: %d runs, then %d", len(before), len(after))
		}

		// An hourly schedule whose next run passed three hours ago, as
		// after downtime: one run, for that firing, and the next run
		// after now.
		hourly := d.create(t, scoregate.ScheduleSettings{Cron: ptr("@every 1h")})
		missed := time.Now().Add(-3 * time.Hour).UTC().Truncate(time.Second)
		if _, err := db.UpdateSchedule(t.Context(), d.ws, hourly.ID, func(s *scoregate.Schedule) error {
			s.NextRun = missed
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		var fired []scoregate.ScheduleRun
		waitFor(t, "the missed firing", func() bool {
			fired, err = d.schedule.ScheduleRuns(t.Context(), d.ws, hourly.ID, 0)
			return err == nil && len(fired) > 0
		})
		time.Sleep(300 * time.Millisecond) // several scheduler ticks
		fired, err = d.schedule.ScheduleRuns(t.Context(), d.ws, hourly.ID, 0)
		if err != nil || len(fired) != 1 || !fired[0].FireTime.Equal(missed) || fired[0].Manual {
			t.Fatalf("runs of the hourly schedule = %+v, %v; want one for %v", fired, err, missed)
		}
		now, err := d.schedule.Schedule(t.Context(), d.ws, hourly.ID)
		if err != nil || !now.NextRun.After(time.Now()) || !now.LastRun.Equal(missed) {
			t.Errorf("after the firing: NextRun %v LastRun %v (%v)", now.NextRun, now.LastRun, err)
		}
	})
}

// TestDropsExactlyOnce has two replicas fire one schedule every second
// over files dropped while they run: each file is scored once.
func TestDropsExactlyOnce(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *store.DB) {
		d := newDrops(t, db, batch.RunnerConfig{ID: "one"})
		// A second replica on the same database and blob folder.
		newQueue(t, db, d.blobDir, batch.RunnerConfig{ID: "two", Schedules: db, ScheduleTick: 50 * time.Millisecond})
		d.create(t, scoregate.ScheduleSettings{Cron: ptr("@every 1s")})
		const files = 30
		for i := range files {
			d.drop(t, fmt.Sprintf("f%02d.csv", i), irisRows(50+i))
			if i%10 == 9 {
				time.Sleep(700 * time.Millisecond)
			}
		}
		waitFor(t, "every file processed", func() bool { return len(d.folder(t, "processed")) == files })
		if in := d.folder(t, "inbox"); len(in) != 0 {
			t.Errorf("inbox/ still holds %q", in)
		}
		if out := d.folder(t, "outbox"); len(out) != files {
			t.Errorf("outbox/ holds %d files, want %d", len(out), files)
		}
		jobs, err := d.runner.Jobs(t.Context(), d.ws, d.ep, 1000)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		owners := map[string]bool{}
		for _, j := range jobs {
			seen[j.InputName]++
			owners[j.Owner] = true
			if j.Status != scoregate.JobFinished || j.Attempts != 1 {
				t.Errorf("job of %s: %s after %d attempts", j.InputName, j.Status, j.Attempts)
			}
		}
		for i := range files {
			if n := seen[fmt.Sprintf("f%02d.csv", i)]; n != 1 {
				t.Errorf("f%02d.csv scored by %d jobs, want 1", i, n)
			}
		}
		t.Logf("%d jobs executed by %v", len(jobs), owners)
	})
}

// TestDropFinishedAfterCrash finishes a file whose job ended on a replica
// that died before moving it: the reaper of a live one moves it.
func TestDropFinishedAfterCrash(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *store.DB) {
		d := newDrops(t, db, batch.RunnerConfig{Lease: 300 * time.Millisecond})
		sc := d.create(t, scoregate.ScheduleSettings{Cron: ptr("@daily")})
		run := &scoregate.ScheduleRun{ScheduleID: sc.ID, FireTime: time.Now().UTC().Truncate(time.Microsecond), Manual: true}
		// Recorded without queueing: no replica lists it.
		if ok, err := db.FireSchedule(t.Context(), d.ws, sc.ID, run, nil, noRunQueue); err != nil || !ok {
			t.Fatal(ok, err)
		}
		if _, err := db.StartRun(t.Context(), run.ID); err != nil {
			t.Fatal(err)
		}
		d.drop(t, "lost.csv", irisRows(3))
		j := &scoregate.Job{Input: d.area + "inbox/lost.csv", InputName: "lost.csv", Output: d.area + "outbox/lost.scored.csv"}
		info, err := d.blobs.Stat(t.Context(), j.Input)
		if err != nil {
			t.Fatal(err)
		}
		f := scoregate.DropFile{Key: j.Input, Name: "lost.csv", Version: batch.DropVersion(info), Size: info.Size}
		if ok, err := db.ClaimDrop(t.Context(), run.ID, f, j, noJobQueue); err != nil || !ok {
			t.Fatal(ok, err)
		}
		if err := db.ListedRun(t.Context(), run.ID, 1, 0, nil, ""); err != nil {
			t.Fatal(err)
		}
		// A dead replica scored it (its output exists) and ended the job.
		if err := d.blobs.Put(t.Context(), j.Output, strings.NewReader("scored\n")); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := db.ClaimJob(t.Context(), j.ID, "dead", time.Minute); err != nil || !ok {
			t.Fatal(ok, err)
		}
		if err := db.EndJob(t.Context(), j.ID, "dead", scoregate.JobFinished, j.Output, "", scoregate.JobProgress{RowsRead: 3}); err != nil {
			t.Fatal(err)
		}
		got := d.waitRun(t, run.ID)
		if got.Status != scoregate.JobFinished || got.FilesScored != 1 || got.RowsRead != 3 {
			t.Errorf("run = %+v", got)
		}
		if in, done := d.folder(t, "inbox"), d.folder(t, "processed"); len(in) != 0 || !slices.Equal(done, []string{"lost.csv"}) {
			t.Errorf("inbox/ %q, processed/ %q", in, done)
		}
	})
}

// TestDropReplacedWhileScored drops a file again under its name while the
// first one is being scored: the new file is not moved away with the
// old one, and the next run scores it.
func TestDropReplacedWhileScored(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *store.DB) {
		d := newDrops(t, db, batch.RunnerConfig{})
		sc := d.create(t, scoregate.ScheduleSettings{Cron: ptr("@daily")})
		d.slow(t, 300*time.Millisecond)
		d.drop(t, "a.csv", irisRows(5000)) // three chunks
		run, err := d.schedule.RunSchedule(t.Context(), d.ws, sc.ID)
		if err != nil {
			t.Fatal(err)
		}
		var first *scoregate.ScheduleRun
		waitFor(t, "the run's claim", func() bool {
			first, err = d.schedule.ScheduleRun(t.Context(), d.ws, run.ID)
			return err == nil && len(first.Files) == 1
		})
		d.waitRunning(t, first.Files[0].JobID)
		d.drop(t, "a.csv", irisRows(7)) // the new file, while the old one is scored

		first = d.waitRun(t, run.ID)
		f := first.Files[0]
		if f.Status != scoregate.DropScored || f.RowsRead != 5000 || f.Moved != "" || !strings.Contains(f.Details, "replaced") {
			t.Errorf("the first file: %+v", f)
		}
		if in := d.folder(t, "inbox"); !slices.Equal(in, []string{"a.csv"}) {
			t.Fatalf("inbox/ = %q, want the new a.csv", in)
		}
		d.models.mu.Lock()
		d.models.use = nil
		d.models.mu.Unlock()
		again, err := d.schedule.RunSchedule(t.Context(), d.ws, sc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if again = d.waitRun(t, again.ID); again.FilesScored != 1 || again.RowsRead != 7 {
			t.Errorf("the next run: %+v", again)
		}
		if in, done := d.folder(t, "inbox"), d.folder(t, "processed"); len(in) != 0 || !slices.Equal(done, []string{"a.csv"}) {
			t.Errorf("inbox/ %q, processed/ %q", in, done)
		}
	})
}

// noRunQueue and noJobQueue queue nothing: what they are given is left
// for the test to play the replicas.
func noRunQueue(context.Context, *sql.Tx, *scoregate.ScheduleRun) error { return nil }
func noJobQueue(context.Context, *sql.Tx, *scoregate.Job) error         { return nil }

// BenchmarkScheduleRun times a run over an inbox of 100 small CSV files,
// from the request to the run's end: listing, claiming, scoring each file
// as a batch job, moving it (SQLite; Postgres with
// SCOREGATE_TEST_DATABASE_URL set, as -bench-pg). It reports files/s.
func BenchmarkScheduleRun(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			var db *store.DB
			if dialect == "sqlite" {
				db = storetest.NewSQLite(b)
			} else {
				if os.Getenv("SCOREGATE_TEST_DATABASE_URL") == "" {
					b.Skip("no Postgres (SCOREGATE_TEST_DATABASE_URL)")
				}
				db = storetest.NewPostgres(b)
			}
			d := newDrops(b, db, batch.RunnerConfig{})
			sc := d.create(b, scoregate.ScheduleSettings{Cron: ptr("@yearly")})
			const files = 100
			body := irisRows(100)
			for b.Loop() {
				b.StopTimer()
				for i := range files {
					d.drop(b, fmt.Sprintf("f%03d.csv", i), body)
				}
				b.StartTimer()
				run, err := d.schedule.RunSchedule(b.Context(), d.ws, sc.ID)
				if err != nil {
					b.Fatal(err)
				}
				if run = d.waitRun(b, run.ID); run.FilesScored != files {
					b.Fatalf("run = %+v", run)
				}
			}
			b.ReportMetric(float64(files*b.N)/b.Elapsed().Seconds(), "files/s")
		})
	}
}
