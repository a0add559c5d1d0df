package batch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
	"unicode/utf8"

	"github.com/scoregate/scoregate"
)

// fileError marks what is wrong with a job's input (or the job itself) as
// opposed to the machinery: a job failing with one is Failed at once, not
// retried.
type fileError struct{ err error }

func (e fileError) Error() string { return e.err.Error() }
func (e fileError) Unwrap() error { return e.err }

func isFileError(err error) bool {
	var fe fileError
	if errors.As(err, &fe) {
		return true
	}
	switch scoregate.ClassOf(err) {
	case scoregate.BadArgument, scoregate.BadUserArgument, scoregate.NotFound, scoregate.RequestEntityTooLarge, scoregate.UnsupportedMediaType:
		return true
	}
	return false
}

// source is a job's input as read from the blob store. It remembers a
// failure to read, which is the store's (retried), as opposed to what the
// table reader finds wrong with the bytes, which is the file's (not).
type source struct {
	r   io.Reader
	err error
}

func (s *source) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		s.err = err
	}
	return n, err
}

// run scores job j's input into its output. The output is streamed into
// the blob store and committed only when the whole file has been scored,
// so it appears complete or not at all; an execution that does not reach
// the end (a crash, a cancel) leaves nothing, and the next execution starts
// again from the first row. Progress is checkpointed as it goes.
func (r *Runner) run(ctx context.Context, j *scoregate.Job) (scoregate.JobProgress, error) {
	prog := scoregate.JobProgress{BytesTotal: j.Progress.BytesTotal}
	ep, err := r.cfg.Models.Endpoint(ctx, j.WorkspaceID, j.EndpointID)
	if err != nil {
		if scoregate.IsNotFound(err) {
			return prog, fileError{errors.New("the endpoint no longer exists")}
		}
		return prog, err
	}
	src := &source{}
	in, closeIn, err := r.openInput(ctx, j, src)
	if err != nil {
		return prog, err
	}
	defer closeIn()

	pr, pw := io.Pipe()
	putCtx, stopPut := context.WithCancel(ctx)
	defer stopPut()
	put := make(chan error, 1)
	go func() {
		err := r.cfg.Blobs.Put(putCtx, j.Output, pr)
		pr.CloseWithError(errors.Join(err, io.ErrClosedPipe))
		put <- err
	}()
	out, release := r.newWriter(pw, outputFormat(j), in)
	defer release()

	last := time.Now()
	opts := ScoreOptions{
		MaxFailedFraction: j.Options.MaxFailedFraction,
		Progress: func(s Stats) error {
			prog = progressOf(s, prog.BytesTotal)
			if time.Since(last) < r.cfg.Checkpoint {
				return nil
			}
			last = time.Now()
			cancel, err := r.cfg.Store.CheckpointJob(ctx, j.ID, r.cfg.ID, prog, r.cfg.Lease)
			if err != nil {
				return err
			}
			if cancel {
				return errCancelRequested
			}
			return nil
		},
	}
	stats, err := Score(ctx, ep.Scorer, in, out, opts)
	prog = progressOf(stats, prog.BytesTotal)
	if err != nil && in.Err() != nil && src.err == nil && ctx.Err() == nil {
		err = fileError{err}
	}
	if err != nil {
		pw.CloseWithError(err)
		stopPut()
		<-put
		return prog, err
	}
	pw.Close()
	if err := <-put; err != nil {
		return prog, fmt.Errorf("store the output: %w", err)
	}
	prog.BytesRead = prog.BytesTotal
	return prog, nil
}

func progressOf(s Stats, total int64) scoregate.JobProgress {
	return scoregate.JobProgress{
		RowsRead:   s.Rows,
		RowsScored: s.Scored,
		RowsFailed: s.Failed,
		BytesRead:  s.BytesRead,
		BytesTotal: total,
	}
}

func inputFormat(j *scoregate.Job) string {
	if j.Options.InputFormat == "" {
		return scoregate.FormatCSV
	}
	return j.Options.InputFormat
}

func outputFormat(j *scoregate.Job) string {
	if j.Options.OutputFormat == "" {
		return inputFormat(j)
	}
	return j.Options.OutputFormat
}

// openInput opens a job's input as a table. A CSV file is streamed from
// the blob store; an XLSX file, a zip read from its end, is copied to a
// temporary file first.
func (r *Runner) openInput(ctx context.Context, j *scoregate.Job, src *source) (Reader, func(), error) {
	rc, err := r.cfg.Blobs.Open(ctx, j.Input)
	if err != nil {
		if scoregate.IsNotFound(err) {
			return nil, nil, fileError{fmt.Errorf("the input %s does not exist", j.InputName)}
		}
		return nil, nil, err
	}
	src.r = rc
	switch inputFormat(j) {
	case scoregate.FormatCSV:
		opts := CSVOptions{}
		if d := j.Options.Delimiter; d != "" {
			opts.Comma, _ = utf8.DecodeRuneInString(d)
		}
		in, err := NewCSVReader(src, opts)
		if err != nil {
			rc.Close()
			if src.err != nil {
				return nil, nil, src.err
			}
			return nil, nil, fileError{err}
		}
		return in, func() { rc.Close() }, nil
	case scoregate.FormatXLSX:
		defer rc.Close()
		f, err := os.CreateTemp(r.cfg.TempDir, "scoregate-job-*.xlsx")
		if err != nil {
			return nil, nil, err
		}
		cleanup := func() { f.Close(); os.Remove(f.Name()) }
		n, err := io.Copy(f, src)
		if err != nil {
			cleanup()
			return nil, nil, err
		}
		in, err := NewXLSXReader(f, n, XLSXOptions{Sheet: j.Options.Sheet, HeaderRow: j.Options.HeaderRow})
		if err != nil {
			cleanup()
			return nil, nil, fileError{err}
		}
		return in, func() { in.Close(); cleanup() }, nil
	}
	rc.Close()
	return nil, nil, fileError{fmt.Errorf("input format %q is not supported", inputFormat(j))}
}

// newWriter returns a writer of format onto w, and the function that
// releases it (called whether the job succeeded or not). Score flushes the
// writer at the end of the table, which completes the file.
func (r *Runner) newWriter(w io.Writer, format string, in Reader) (RowWriter, func()) {
	if format == scoregate.FormatXLSX {
		opts := XLSXWriteOptions{TempDir: r.cfg.TempDir}
		if x, ok := in.(*XLSXReader); ok {
			opts.Sheet = x.Sheet()
		}
		x := NewXLSXWriter(w, opts)
		return x, func() { x.Close() }
	}
	f := CSVFormat{Comma: ','}
	if c, ok := in.(*CSVReader); ok {
		f = c.Format()
	}
	return NewCSVWriter(w, f), func() {}
}
