package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/batch"
	"github.com/scoregate/scoregate/internal/pmmlgen"
	"github.com/scoregate/scoregate/scoring"
	"github.com/scoregate/scoregate/store"
	"github.com/scoregate/scoregate/workbook"
)

// The models of the cases.
const (
	modelLogistic = "logistic"
	modelForest   = "forest"
)

// modelDoc returns a case's PMML document.
func modelDoc(name string) ([]byte, error) {
	switch name {
	case modelLogistic:
		return pmmlgen.Logistic(2, columns), nil
	case modelForest:
		return pmmlgen.Forest(200, 8, columns, 2), nil
	}
	return nil, fmt.Errorf("unknown model %q", name)
}

// childResult is what a child prints: one JSON line.
type childResult struct {
	Status     string  `json:"status"`
	RowsRead   int64   `json:"rows_read"`
	OutputRows int64   `json:"output_rows"` // data rows counted in the stored output
	InputBytes int64   `json:"input_bytes"`
	OutBytes   int64   `json:"output_bytes"`
	Seconds    float64 `json:"seconds"`     // Submit to the poll that saw Finished
	JobSeconds float64 `json:"job_seconds"` // the job row's FinishedAt − StartedAt
	CPUSeconds float64 `json:"cpu_seconds"` // user+sys of the process over Seconds
	LoadSecs   float64 `json:"load_seconds"`
	SetupSecs  float64 `json:"setup_seconds"`
	HWMBytes   int64   `json:"hwm_bytes"` // VmHWM when the job had finished, before the output check
}

// childConfig is a child's flags.
type childConfig struct {
	input, format, model, work, cpuprofile string
	rows                                   int64
}

// runChild executes one job as the package comment describes and prints
// its childResult to out.
func runChild(ctx context.Context, args []string, out io.Writer) error {
	var cfg childConfig
	fs := flag.NewFlagSet("benchbatch -child", flag.ContinueOnError)
	fs.StringVar(&cfg.input, "input", "", "input file")
	fs.StringVar(&cfg.format, "format", scoregate.FormatCSV, "csv or xlsx")
	fs.StringVar(&cfg.model, "model", modelLogistic, "logistic or forest")
	fs.StringVar(&cfg.work, "work", "", "an empty folder for the store and the blobs")
	fs.StringVar(&cfg.cpuprofile, "cpuprofile", "", "write a CPU profile of the job to this file")
	fs.Int64Var(&cfg.rows, "rows", 0, "the data rows the input holds")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.input == "" || cfg.work == "" || cfg.rows <= 0 {
		return errors.New("-input, -work and -rows are required")
	}
	doc, err := modelDoc(cfg.model)
	if err != nil {
		return err
	}
	res, err := executeJob(ctx, cfg, doc)
	if err != nil {
		return err
	}
	return json.NewEncoder(out).Encode(res)
}

// executeJob sets up a store, a bucket and a runner in cfg.work, scores
// cfg.input through doc and checks the output.
func executeJob(ctx context.Context, cfg childConfig, doc []byte) (*childResult, error) {
	began := time.Now()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	db, err := store.Open(ctx, store.Config{DataDir: cfg.work, Secret: []byte("benchbatch: a throw-away secret of 32+ bytes"), Logger: logger})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return nil, err
	}
	if err := batch.Migrate(ctx, db.SQL(), db.Dialect(), logger); err != nil {
		return nil, err
	}
	blobs, err := store.OpenBlobs(ctx, "", cfg.work)
	if err != nil {
		return nil, err
	}
	defer blobs.Close()
	ws, err := db.CreateWorkspace(ctx, "bench")
	if err != nil {
		return nil, err
	}
	const service = "bench"
	if _, err := scoregate.Publish(ctx, db, blobs, scoring.Checker{}, ws.ID, service, doc, nil); err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	ep, err := db.Endpoint(ctx, ws.ID, service, scoregate.DefaultEndpointName)
	if err != nil {
		return nil, err
	}
	id := scoregate.NewID()
	name := filepath.Base(cfg.input)
	j := &scoregate.Job{WorkspaceID: ws.ID, EndpointID: ep.ID, InputName: name,
		Input:   scoregate.BlobKey(ws.ID, "uploads/"+id+"/"+name),
		Output:  scoregate.BlobKey(ws.ID, "outputs/"+id+"/"+name),
		Options: scoregate.JobOptions{InputFormat: cfg.format}}
	res := &childResult{}
	if res.InputBytes, err = putFile(ctx, blobs, j.Input, cfg.input); err != nil {
		return nil, err
	}

	// A replica that serves the endpoint has its model compiled already;
	// the job would otherwise pay for the compile once.
	models := scoring.New(scoring.Config{Store: db, Blobs: blobs, Changes: db, Logger: logger})
	loadStart := time.Now()
	if _, err := models.Endpoint(ctx, ws.ID, ep.ID); err != nil {
		return nil, fmt.Errorf("load the model: %w", err)
	}
	res.LoadSecs = time.Since(loadStart).Seconds()
	runner, err := batch.NewRunner(batch.RunnerConfig{
		DB: db.SQL(), Dialect: db.Dialect(), Store: db, Blobs: blobs, Models: models,
		Workers: 1, PollInterval: 10 * time.Millisecond, TempDir: cfg.work, Logger: logger,
	})
	if err != nil {
		return nil, err
	}
	if err := runner.Start(ctx); err != nil {
		return nil, err
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = runner.Stop(stopCtx)
	}()
	res.SetupSecs = time.Since(began).Seconds()

	if cfg.cpuprofile != "" {
		f, err := os.Create(cfg.cpuprofile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
	}
	cpu0, _ := selfCPU()
	start := time.Now()
	if err := runner.Submit(ctx, j, true); err != nil {
		return nil, fmt.Errorf("submit: %w", err)
	}
	done, err := waitJob(ctx, runner, ws.ID, j.ID)
	elapsed := time.Since(start)
	cpu1, _ := selfCPU()
	if cfg.cpuprofile != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		return nil, err
	}
	res.HWMBytes = peakRSS()
	res.Status = string(done.Status)
	res.RowsRead = done.Progress.RowsRead
	res.Seconds = elapsed.Seconds()
	res.JobSeconds = done.FinishedAt.Sub(done.StartedAt).Seconds()
	res.CPUSeconds = (cpu1 - cpu0).Seconds()
	switch {
	case done.Status != scoregate.JobFinished:
		return nil, fmt.Errorf("job %s ended %s: %s", done.ID, done.Status, done.Details)
	case done.Progress.RowsRead != cfg.rows || done.Progress.RowsFailed != 0:
		return nil, fmt.Errorf("job %s read %d rows (%d failed), want %d, none failed", done.ID,
			done.Progress.RowsRead, done.Progress.RowsFailed, cfg.rows)
	}
	if res.OutputRows, res.OutBytes, err = countOutput(ctx, blobs, done.Output, cfg.format, cfg.work); err != nil {
		return nil, fmt.Errorf("check the output: %w", err)
	}
	if res.OutputRows != cfg.rows {
		return nil, fmt.Errorf("the output holds %d data rows, want %d", res.OutputRows, cfg.rows)
	}
	return res, nil
}

// waitJob polls a job every 5 ms until it has ended.
func waitJob(ctx context.Context, jobs scoregate.Jobs, ws, id string) (*scoregate.Job, error) {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		j, err := jobs.Job(ctx, ws, id)
		if err != nil {
			return nil, fmt.Errorf("poll job %s: %w", id, err)
		}
		if j.Status.Done() {
			return j, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-tick.C:
		}
	}
}

// putFile copies a local file into the bucket.
func putFile(ctx context.Context, blobs scoregate.Blobs, key, path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	if err := blobs.Put(ctx, key, f); err != nil {
		return 0, fmt.Errorf("store the input: %w", err)
	}
	return st.Size(), nil
}

// countOutput counts the data rows of a stored output: the lines after the
// header of a CSV file (its values hold no newlines), the rows after the
// header of an XLSX sheet.
func countOutput(ctx context.Context, blobs scoregate.Blobs, key, format, tmp string) (rows, size int64, err error) {
	rc, err := blobs.Open(ctx, key)
	if err != nil {
		return 0, 0, err
	}
	defer rc.Close()
	if format == scoregate.FormatXLSX {
		return countXLSX(rc, tmp)
	}
	br := bufio.NewReaderSize(rc, 1<<20)
	var lines int64
	for {
		chunk, err := br.ReadSlice('\n')
		size += int64(len(chunk))
		if len(chunk) > 0 && chunk[len(chunk)-1] == '\n' {
			lines++
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
		case errors.Is(err, io.EOF):
			if len(chunk) > 0 && chunk[len(chunk)-1] != '\n' {
				lines++ // a last line without its newline
			}
			return lines - 1, size, nil
		case err != nil:
			return 0, 0, err
		}
	}
}

// countXLSX copies an XLSX output to a file (a zip is read from its end)
// and counts its rows after the header.
func countXLSX(r io.Reader, tmp string) (rows, size int64, err error) {
	f, err := os.CreateTemp(tmp, "output-*.xlsx")
	if err != nil {
		return 0, 0, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if size, err = io.Copy(f, r); err != nil {
		return 0, 0, err
	}
	rd, err := workbook.OpenReader(f, size, workbook.ReaderOptions{})
	if err != nil {
		return 0, 0, err
	}
	defer rd.Close()
	for rd.Next() {
		rows++
	}
	if err := rd.Err(); err != nil {
		return 0, 0, err
	}
	return rows - 1, size, nil
}

// peakRSS is the process's peak resident memory so far (VmHWM), 0 where
// /proc does not tell.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range bytes.Lines(data) {
		if v, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			var kib int64
			if _, err := fmt.Sscanf(string(v), "%d kB", &kib); err == nil {
				return kib << 10
			}
		}
	}
	return 0
}
