package batch_test

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/batch"
	"github.com/scoregate/scoregate/fixtures"
	"github.com/scoregate/scoregate/scoring"
	"github.com/scoregate/scoregate/store"
	"github.com/scoregate/scoregate/store/storetest"
	"github.com/scoregate/scoregate/workbook"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// queue is a Runner over a fresh database with the demo model published:
// jobs scored through the iris endpoint, or through a model a test puts in
// its place.
type queue struct {
	db     *store.DB
	blobs  *store.Bucket
	runner *batch.Runner
	models *models
	ws     string
	ep     string
}

// models gives every job the endpoint's model, unless a test overrides it.
type models struct {
	reg *scoring.Registry
	mu  sync.Mutex
	use scoregate.Scorer
}

func (m *models) Endpoint(ctx context.Context, ws, id string) (*scoregate.ServingEndpoint, error) {
	se, err := m.reg.Endpoint(ctx, ws, id)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.use != nil {
		cp := *se
		cp.Scorer = m.use
		return &cp, nil
	}
	return se, nil
}

func newQueue(t testing.TB, db *store.DB, blobDir string, cfg batch.RunnerConfig) *queue {
	t.Helper()
	ctx := t.Context()
	if err := batch.Migrate(ctx, db.SQL(), db.Dialect(), nil); err != nil {
		t.Fatal(err)
	}
	blobs, err := store.OpenBlobs(ctx, "", blobDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blobs.Close() })
	q := &queue{db: db, blobs: blobs}
	q.models = &models{reg: scoring.New(scoring.Config{Store: db, Blobs: blobs, Changes: db})}
	cfg.DB, cfg.Dialect, cfg.Store, cfg.Blobs, cfg.Models = db.SQL(), db.Dialect(), db, blobs, q.models
	cfg.PollInterval = cmp.Or(cfg.PollInterval, 50*time.Millisecond)
	cfg.Checkpoint = cmp.Or(cfg.Checkpoint, 50*time.Millisecond)
	cfg.TempDir = t.TempDir()
	if q.runner, err = batch.NewRunner(cfg); err != nil {
		t.Fatal(err)
	}
	if err := q.runner.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := q.runner.Stop(ctx); err != nil {
			t.Errorf("stop runner: %v", err)
		}
	})
	return q
}

// publish creates a workspace with the demo model and returns its default
// endpoint's workspace and id.
func (q *queue) publish(t testing.TB) {
	t.Helper()
	ctx := t.Context()
	w, err := q.db.CreateWorkspace(ctx, "jobs")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := scoregate.Publish(ctx, q.db, q.blobs, scoring.Checker{}, w.ID, fixtures.DemoServiceName, fixtures.DemoModel, nil); err != nil {
		t.Fatal(err)
	}
	ep, err := q.db.Endpoint(ctx, w.ID, fixtures.DemoServiceName, scoregate.DefaultEndpointName)
	if err != nil {
		t.Fatal(err)
	}
	q.ws, q.ep = w.ID, ep.ID
}

// submit uploads input and submits a job scoring it.
func (q *queue) submit(t *testing.T, input []byte, name string, start bool, opts scoregate.JobOptions) *scoregate.Job {
	t.Helper()
	ctx := t.Context()
	id := scoregate.NewID()
	in := scoregate.BlobKey(q.ws, "uploads/"+id+"/"+name)
	if err := q.blobs.Put(ctx, in, bytes.NewReader(input)); err != nil {
		t.Fatal(err)
	}
	j := &scoregate.Job{WorkspaceID: q.ws, EndpointID: q.ep, Input: in, InputName: name, Options: opts,
		Output: scoregate.BlobKey(q.ws, "outputs/"+id+"/"+name+".scored")}
	if err := q.runner.Submit(ctx, j, start); err != nil {
		t.Fatal(err)
	}
	return j
}

// wait polls a job until it has ended (or the test's patience has).
func (q *queue) wait(t *testing.T, id string) *scoregate.Job {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		j, err := q.runner.Job(t.Context(), q.ws, id)
		if err != nil {
			t.Fatal(err)
		}
		if j.Status.Done() {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s still %s after 60 s: %+v", id, j.Status, j.Progress)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (q *queue) output(t *testing.T, j *scoregate.Job) string {
	t.Helper()
	rc, err := q.blobs.Open(t.Context(), j.Output)
	if err != nil {
		t.Fatalf("open output: %v", err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// irisRows returns a CSV of n iris rows with an id column first.
func irisRows(n int) []byte {
	sample := strings.Split(strings.TrimSpace(string(fixtures.DemoSample)), "\n")
	var b bytes.Buffer
	b.WriteString("id," + strings.TrimSpace(sample[0]) + "\n")
	for i := range n {
		fmt.Fprintf(&b, "%d,%s\n", i, strings.TrimSpace(sample[1+i%(len(sample)-1)]))
	}
	return b.Bytes()
}

func each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	storetest.Each(t, fn)
}

func TestRunnerScoresAFile(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *store.DB) {
		q := newQueue(t, db, t.TempDir(), batch.RunnerConfig{})
		q.publish(t)
		const n = 5000
		j := q.wait(t, q.submit(t, irisRows(n), "iris.csv", true, scoregate.JobOptions{}).ID)
		if j.Status != scoregate.JobFinished {
			t.Fatalf("status %s: %s", j.Status, j.Details)
		}
		if j.Progress.RowsRead != n || j.Progress.RowsScored != n || j.Progress.RowsFailed != 0 {
			t.Errorf("progress %+v, want %d rows scored", j.Progress, n)
		}
		if j.Progress.BytesRead != j.Progress.BytesTotal || j.Progress.BytesTotal == 0 {
			t.Errorf("bytes %d of %d", j.Progress.BytesRead, j.Progress.BytesTotal)
		}
		lines := strings.Split(strings.TrimSpace(q.output(t, j)), "\n")
		if len(lines) != n+1 {
			t.Fatalf("output has %d lines, want %d", len(lines), n+1)
		}
		if !strings.HasPrefix(lines[0], "id,sepal_length") || !strings.HasSuffix(lines[0], ",Errors") {
			t.Errorf("header %q", lines[0])
		}
		for i, l := range lines[1:] {
			if !strings.HasPrefix(l, fmt.Sprintf("%d,", i)) || !strings.HasSuffix(l, ",") {
				t.Fatalf("line %d: %q", i+1, l)
			}
		}
		if j.Attempts != 1 || j.StartedAt.IsZero() || j.FinishedAt.IsZero() {
			t.Errorf("attempts %d, started %v, finished %v", j.Attempts, j.StartedAt, j.FinishedAt)
		}
	})
}

func TestRunnerStartOnce(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *store.DB) {
		q := newQueue(t, db, t.TempDir(), batch.RunnerConfig{})
		q.publish(t)
		j := q.submit(t, irisRows(10), "iris.csv", false, scoregate.JobOptions{})
		time.Sleep(200 * time.Millisecond) // a queued job would have run by now
		got, err := q.runner.Job(t.Context(), q.ws, j.ID)
		if err != nil || got.Status != scoregate.JobNotStarted {
			t.Fatalf("before start: %v %+v", err, got)
		}
		if _, err := q.runner.StartJob(t.Context(), q.ws, j.ID); err != nil {
			t.Fatal(err)
		}
		if got := q.wait(t, j.ID); got.Status != scoregate.JobFinished {
			t.Fatalf("status %s: %s", got.Status, got.Details)
		}
		_, err = q.runner.StartJob(t.Context(), q.ws, j.ID)
		if e := scoregate.ErrorOf(err); e == nil || e.Code != scoregate.CodeCannotStartJob {
			t.Errorf("second start: %v, want CannotStartJob", err)
		}
	})
}

func TestRunnerFailsBadFiles(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *store.DB) {
		q := newQueue(t, db, t.TempDir(), batch.RunnerConfig{})
		q.publish(t)
		for _, c := range []struct {
			name, input string
			opts        scoregate.JobOptions
			details     string
		}{
			{"missing column", "sepal_length,sepal_width\n1,2\n", scoregate.JobOptions{}, "petal_length, petal_width"},
			{"empty", "", scoregate.JobOptions{}, "empty"},
			{"threshold", "sepal_length,sepal_width,petal_length,petal_width\n1,2,3,4\nx,2,3,4\n",
				scoregate.JobOptions{MaxFailedFraction: 0.1}, "1 of 2 rows failed"},
			{"not a workbook", "plain text", scoregate.JobOptions{InputFormat: scoregate.FormatXLSX}, "XLSX"},
		} {
			j := q.wait(t, q.submit(t, []byte(c.input), "in.csv", true, c.opts).ID)
			if j.Status != scoregate.JobFailed || !strings.Contains(j.Details, c.details) {
				t.Errorf("%s: %s %q, want Failed with %q", c.name, j.Status, j.Details, c.details)
			}
			if j.Attempts != 1 {
				t.Errorf("%s: %d attempts; a bad file is not retried", c.name, j.Attempts)
			}
			if ok, _ := q.blobs.Exists(t.Context(), j.Output); ok {
				t.Errorf("%s: a failed job left an output", c.name)
			}
		}
	})
}

// slowModel scores like the model it wraps, slowly, so that a test can act
// while a job runs.
type slowModel struct {
	scoregate.Scorer
	delay time.Duration
}

func (m slowModel) ScoreBatch(ctx context.Context, rows []scoregate.Row, outs [][]scoregate.Value, errs []error) (int, error) {
	select {
	case <-time.After(m.delay):
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	return m.Scorer.ScoreBatch(ctx, rows, outs, errs)
}

func (q *queue) slow(t *testing.T, delay time.Duration) {
	t.Helper()
	se, err := q.models.reg.Endpoint(t.Context(), q.ws, q.ep)
	if err != nil {
		t.Fatal(err)
	}
	q.models.mu.Lock()
	q.models.use = slowModel{Scorer: se.Scorer, delay: delay}
	q.models.mu.Unlock()
}

// waitRunning polls until a job has scored some rows.
func (q *queue) waitRunning(t *testing.T, id string) *scoregate.Job {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		j, err := q.runner.Job(t.Context(), q.ws, id)
		if err != nil {
			t.Fatal(err)
		}
		if j.Progress.RowsRead > 0 {
			return j
		}
		if j.Status.Done() {
			t.Fatalf("job ended (%s) before the test saw it run", j.Status)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("job never started scoring")
	return nil
}

func TestRunnerCancel(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *store.DB) {
		q := newQueue(t, db, t.TempDir(), batch.RunnerConfig{})
		q.publish(t)
		q.slow(t, 20*time.Millisecond)
		j := q.submit(t, irisRows(200_000), "big.csv", true, scoregate.JobOptions{})
		q.waitRunning(t, j.ID)
		if _, err := q.runner.Cancel(t.Context(), q.ws, j.ID); err != nil {
			t.Fatal(err)
		}
		got := q.wait(t, j.ID)
		if got.Status != scoregate.JobCancelled {
			t.Fatalf("status %s: %s", got.Status, got.Details)
		}
		if got.Progress.RowsRead >= 200_000 {
			t.Errorf("the job read the whole file (%d rows) before it stopped", got.Progress.RowsRead)
		}
		if ok, _ := q.blobs.Exists(t.Context(), j.Output); ok {
			t.Error("a cancelled job left an output")
		}
		// A job cancelled before it starts never runs.
		n := q.submit(t, irisRows(10), "later.csv", false, scoregate.JobOptions{})
		if c, err := q.runner.Cancel(t.Context(), q.ws, n.ID); err != nil || c.Status != scoregate.JobCancelled {
			t.Fatalf("cancel NotStarted: %v %+v", err, c)
		}
		if _, err := q.runner.StartJob(t.Context(), q.ws, n.ID); scoregate.ErrorOf(err) == nil {
			t.Error("a cancelled job started")
		}
	})
}

// TestRunnerTakesOverADeadReplicasJob runs a job on one runner, stops that
// runner's process view of it without letting it end the job (as a crash
// would), and checks that a second runner finishes the job once the first
// one's lease has run out, with every row exactly once.
func TestRunnerTakesOverADeadReplicasJob(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *store.DB) {
		blobDir := t.TempDir()
		cfg := batch.RunnerConfig{Lease: 500 * time.Millisecond, ID: "first"}
		a := newQueue(t, db, blobDir, cfg)
		a.publish(t)
		a.slow(t, 5*time.Millisecond)
		const n = 60_000
		j := a.submit(t, irisRows(n), "big.csv", true, scoregate.JobOptions{})
		a.waitRunning(t, j.ID)
		// Stopping the first runner gives the job back; the second one
		// takes it and starts the file again.
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.runner.Stop(stopCtx); err != nil {
			t.Fatal(err)
		}
		cfg.ID = "second"
		b := newQueue(t, db, blobDir, cfg)
		b.ws, b.ep = a.ws, a.ep
		got := b.wait(t, j.ID)
		if got.Status != scoregate.JobFinished {
			t.Fatalf("status %s: %s", got.Status, got.Details)
		}
		if got.Attempts < 2 {
			t.Errorf("attempts %d, want the second runner's execution counted", got.Attempts)
		}
		lines := strings.Split(strings.TrimSpace(b.output(t, got)), "\n")
		if len(lines) != n+1 {
			t.Fatalf("output has %d lines, want %d", len(lines), n+1)
		}
		for i, l := range lines[1:] {
			if !strings.HasPrefix(l, fmt.Sprintf("%d,", i)) {
				t.Fatalf("line %d: %q", i+1, l)
			}
		}
	})
}

// irisXLSX is irisRows(n) as a workbook: ids and measurements as numbers.
func irisXLSX(t *testing.T, n int) []byte {
	t.Helper()
	var b bytes.Buffer
	w := workbook.NewWriter(&b, workbook.WriterOptions{Sheet: "Flowers", TempDir: t.TempDir()})
	recs, err := csv.NewReader(bytes.NewReader(irisRows(n))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteHeader(recs[0]); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs[1:] {
		for _, cell := range r {
			if !w.NumberText(cell) {
				w.String(cell)
			}
		}
		if err := w.EndRow(); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRunnerScoresAWorkbook(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *store.DB) {
		q := newQueue(t, db, t.TempDir(), batch.RunnerConfig{})
		q.publish(t)
		const n = 3000
		for _, out := range []string{scoregate.FormatXLSX, scoregate.FormatCSV} {
			j := q.wait(t, q.submit(t, irisXLSX(t, n), "iris.xlsx", true,
				scoregate.JobOptions{InputFormat: scoregate.FormatXLSX, OutputFormat: out}).ID)
			if j.Status != scoregate.JobFinished || j.Progress.RowsScored != n {
				t.Fatalf("to %s: %s %q %+v", out, j.Status, j.Details, j.Progress)
			}
			data := q.output(t, j)
			var rows [][]string
			if out == scoregate.FormatCSV {
				rows, _ = csv.NewReader(strings.NewReader(data)).ReadAll()
			} else {
				rd, err := workbook.OpenReader(strings.NewReader(data), int64(len(data)), workbook.ReaderOptions{})
				if err != nil {
					t.Fatalf("the output is not a workbook: %v", err)
				}
				if rd.Sheet() != "Flowers" {
					t.Errorf("sheet %q, want the input's sheet name", rd.Sheet())
				}
				for rd.Next() {
					var r []string
					for _, c := range rd.Row() {
						r = append(r, c.Text())
						if c.Col == 1 && rd.RowNumber() > 1 && c.Kind != workbook.Number {
							t.Fatalf("row %d: a number came back as %v", rd.RowNumber(), c.Kind)
						}
					}
					rows = append(rows, r)
				}
				if err := rd.Err(); err != nil {
					t.Fatal(err)
				}
				rd.Close()
			}
			if len(rows) != n+1 || rows[0][5] != "Scored Labels" || rows[0][len(rows[0])-1] != "Errors" {
				t.Fatalf("to %s: %d rows, header %q", out, len(rows), rows[0])
			}
			for i, r := range rows[1:] {
				if r[0] != fmt.Sprint(i) || r[5] == "" {
					t.Fatalf("to %s: row %d %q", out, i+1, r)
				}
			}
		}
	})
}

// TestRunnerReapsADeadExecutorsJob leaves a job claimed by an executor
// that never checkpoints (as a replica killed with SIGKILL would) and
// checks that a runner queues it again once the lease has run out, and
// finishes it.
func TestRunnerReapsADeadExecutorsJob(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *store.DB) {
		q := newQueue(t, db, t.TempDir(), batch.RunnerConfig{Lease: 300 * time.Millisecond})
		q.publish(t)
		j := q.submit(t, irisRows(100), "iris.csv", false, scoregate.JobOptions{})
		// Started and claimed by a replica that is gone: its queue entry
		// went with it.
		noQueue := func(context.Context, *sql.Tx, *scoregate.Job) error { return nil }
		if _, err := db.StartJob(t.Context(), q.ws, j.ID, noQueue); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := db.ClaimJob(t.Context(), j.ID, "ghost", 100*time.Millisecond); err != nil || !ok {
			t.Fatalf("claim: %v %v", ok, err)
		}
		got := q.wait(t, j.ID)
		if got.Status != scoregate.JobFinished || got.Attempts != 2 || got.Owner == "ghost" || got.Progress.RowsScored != 100 {
			t.Fatalf("job %+v", got)
		}
	})
}
