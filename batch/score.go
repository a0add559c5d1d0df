package batch

import (
	"context"
	"fmt"
	"strings"

	"github.com/scoregate/scoregate"
)

// DefaultMissing are the cells that mean a missing value by default.
var DefaultMissing = []string{"", "NA", "N/A"}

// DefaultChunkRows is how many rows Score reads before it scores them.
const DefaultChunkRows = 2048

// ScoreOptions configure Score. The zero value is ready to use.
type ScoreOptions struct {
	// Missing are the cells (compared exactly) that mean a missing value;
	// nil means DefaultMissing. Give an empty, non-nil slice for none.
	Missing []string
	// ChunkRows is how many rows are scored together; 0 means
	// DefaultChunkRows.
	ChunkRows int
	// MaxFailedFraction fails the job when, at its end, more than this
	// fraction of its rows failed; 0 never fails it for bad rows. It is
	// judged on the whole file, not on its first rows, so the output is
	// complete either way; Progress can stop a job earlier.
	MaxFailedFraction float64
	// OutputNames name the output columns, one per output field of the
	// model; nil means the names scoring calls use
	// (scoregate.OutputColumns: "Scored Labels" …).
	OutputNames []string
	// Progress, when set, is called after every chunk has been handed to
	// the writer (not necessarily flushed). An error it returns stops the
	// job with that error.
	Progress func(Stats) error
}

// Stats count what a job has done so far.
type Stats struct {
	Rows         int64 // data rows read
	Scored       int64 // rows scored without error
	Failed       int64 // rows with an error in their Errors cell
	BytesRead    int64 // of the input file
	BytesWritten int64 // of the output
	// FirstErrors are the errors of the first failed rows (at most
	// maxFirstErrors), each as "row N: …", N counting data rows from 1.
	FirstErrors []string
}

// maxFirstErrors bounds Stats.FirstErrors.
const maxFirstErrors = 3

// Score reads in to its end, scores each record with model in chunks, and
// writes every record to out in input order: its cells, the model's
// outputs (named as scoring calls name them, scoregate.OutputColumns) and
// its error.
//
// When in is a KindReader and out a KindWriter (XLSX to XLSX), each input
// cell is written back as the kind it was read as.
//
// Columns are matched to the model's inputs by name, case-insensitively
// (MatchColumns); other columns are passed through. A record the reader
// or the model finds wrong fails alone, in its Errors cell. Score fails
// at once when a required input column is missing, when a column of the
// file has the name of an output column, when in or out fails, or when ctx
// ends (checked between chunks, and by the model within one).
func Score(ctx context.Context, model scoregate.Scorer, in Reader, out RowWriter, opts ScoreOptions) (Stats, error) {
	var stats Stats
	info := model.Info()
	header := in.Header()
	cols, err := MatchColumns(header, info.Input.Fields)
	if err != nil {
		return stats, err
	}
	outNames := opts.OutputNames
	if outNames == nil {
		outNames = scoregate.OutputColumns(info)
	} else if len(outNames) != len(info.Output.Fields) {
		return stats, fmt.Errorf("batch: %d output names for %d output fields", len(outNames), len(info.Output.Fields))
	}
	keep := keptColumns(header, outNames)
	outHeader := header
	if keep != nil {
		outHeader = pick(nil, header, keep)
	}
	if err := out.WriteHeader(outHeader, outNames); err != nil {
		return stats, fmt.Errorf("write header: %w", err)
	}
	missing := opts.Missing
	if missing == nil {
		missing = DefaultMissing
	}
	size := opts.ChunkRows
	if size <= 0 {
		size = DefaultChunkRows
	}
	// Cell kinds go from a typed input to a typed output (XLSX to XLSX);
	// otherwise neither pays for them.
	kr, _ := in.(KindReader)
	kw, _ := out.(KindWriter)
	if kw == nil {
		kr = nil
	}
	var keptCells []string // a row without the replaced columns, reused
	var keptKinds []CellKind
	p := pipeline{model: model, in: in, kr: kr, cols: cols, missing: missing}
	err = p.run(ctx, func(ch *chunk, failed int, offset int64) error {
		for i := range ch.n {
			cells := ch.cells[i*ch.width : (i+1)*ch.width]
			var kinds []CellKind
			if kr != nil {
				kinds = ch.kinds[i*ch.width : (i+1)*ch.width]
			}
			if keep != nil {
				keptCells = pick(keptCells[:0], cells, keep)
				cells = keptCells
				if kr != nil {
					keptKinds = pick(keptKinds[:0], kinds, keep)
					kinds = keptKinds
				}
			}
			var err error
			if kr != nil {
				err = kw.WriteRowKinds(cells, kinds, ch.outs[i], ch.errs[i])
			} else {
				err = out.WriteRow(cells, ch.outs[i], ch.errs[i])
			}
			if err != nil {
				return fmt.Errorf("write row: %w", err)
			}
		}
		for i := 0; i < ch.n && failed > 0 && len(stats.FirstErrors) < maxFirstErrors; i++ {
			if ch.errs[i] != nil {
				stats.FirstErrors = append(stats.FirstErrors, fmt.Sprintf("row %d: %v", stats.Rows+int64(i)+1, ch.errs[i]))
			}
		}
		stats.Rows += int64(ch.n)
		stats.Failed += int64(failed)
		stats.Scored = stats.Rows - stats.Failed
		stats.BytesRead = offset
		stats.BytesWritten = out.BytesWritten()
		if opts.Progress != nil {
			return opts.Progress(stats)
		}
		return nil
	}, func() *chunk { return newChunk(model, size, len(header), kr != nil) })
	if err != nil {
		return stats, err
	}
	if err := out.Flush(); err != nil {
		return stats, fmt.Errorf("write: %w", err)
	}
	stats.BytesRead = in.InputOffset()
	stats.BytesWritten = out.BytesWritten()
	if f := opts.MaxFailedFraction; f > 0 && stats.Rows > 0 && float64(stats.Failed) > f*float64(stats.Rows) {
		return stats, scoregate.Errorf(scoregate.BadUserArgument, scoregate.CodeInvalidValue, "",
			"%d of %d rows failed (%.4g%%), more than the job allows (%.4g%%); first: %s",
			stats.Failed, stats.Rows, 100*float64(stats.Failed)/float64(stats.Rows), 100*f,
			strings.Join(stats.FirstErrors, "; "))
	}
	return stats, nil
}

// MatchColumns returns, for each input field, the index of its column in
// header (-1 when absent), matching names case-insensitively and without
// surrounding spaces. Absent fields the model cannot do without fail the
// file at once, all named in one error.
func MatchColumns(header []string, fields []scoregate.Field) ([]int, error) {
	cols := make([]int, len(fields))
	var absent []string
	for i, f := range fields {
		cols[i] = -1
		for j, h := range header {
			if strings.EqualFold(strings.TrimSpace(h), f.Name) {
				cols[i] = j
				break
			}
		}
		if cols[i] < 0 && !f.Optional {
			absent = append(absent, f.Name)
		}
	}
	if len(absent) > 0 {
		return nil, scoregate.Errorf(scoregate.BadUserArgument, scoregate.CodeMissingRequestInput, "",
			"the file lacks the input column(s) %s", strings.Join(absent, ", "))
	}
	return cols, nil
}

// keptColumns returns the indexes of the header's columns that are not
// named like an output column or ErrorsColumn, or nil when none is: a
// scored file given again is scored again, its old outputs replaced by the
// new ones rather than written twice.
func keptColumns(header, outputs []string) []int {
	clash := func(h string) bool {
		h = strings.TrimSpace(h)
		if strings.EqualFold(h, ErrorsColumn) {
			return true
		}
		for _, o := range outputs {
			if strings.EqualFold(h, o) {
				return true
			}
		}
		return false
	}
	var keep []int
	for i, h := range header {
		if !clash(h) {
			keep = append(keep, i)
		}
	}
	if len(keep) == len(header) {
		return nil
	}
	return keep
}

// pick returns the elements of s at the indexes keep, appended to dst.
func pick[T any](dst, s []T, keep []int) []T {
	for _, k := range keep {
		dst = append(dst, s[k])
	}
	return dst
}
