package workbook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/scoregate/scoregate"
)

// Defaults of RoundTripOptions.
const (
	// DefaultRoundTripMaxRows is how many data rows RoundTrip scores before
	// it answers ErrTooManyRows.
	DefaultRoundTripMaxRows = 100_000
	// DefaultRoundTripMaxUnzippedBytes bounds the decompressed size of a
	// round-tripped workbook.
	DefaultRoundTripMaxUnzippedBytes = 512 << 20
)

// defaultTable is the name of the input table of the workbooks scoregate
// generates, looked for first.
const defaultTable = "ScoreTable"

// rtErrorsHeader is the column that explains a row the model refused, as in
// batch output files.
const rtErrorsHeader = "Errors"

// rtChunkRows is how many rows are handed to the model at a time; ctx
// is looked at between chunks.
const rtChunkRows = 2048

// rtDefaultMissing are the cells that mean a missing value, as in batch jobs.
var rtDefaultMissing = []string{"", "NA", "N/A"}

// ErrTooManyRows is returned (wrapped in a *scoregate.Error of class
// RequestEntityTooLarge, code TooManyRows) by RoundTrip for a workbook with
// more data rows than RoundTripOptions.MaxRows; the caller scores such a
// workbook as a batch job instead. RoundTripResult.Rows then holds the
// number of data rows.
var ErrTooManyRows = errors.New("workbook: too many rows for a round trip")

// RoundTripOptions configure RoundTrip. The zero value is ready to use.
type RoundTripOptions struct {
	// Table is the name of the input table (an Excel ListObject) looked for
	// first, on any sheet; "" means "ScoreTable", the table of the
	// workbooks scoregate generates. Names compare case-insensitively, as
	// in Excel.
	Table string
	// Sheet chooses the sheet of a workbook without the table (the ?sheet=
	// of the upload): the table is then looked for on that sheet only, and
	// else the sheet's header row is used. "" means the first sheet whose
	// header row names every required input.
	Sheet string
	// MaxRows is how many data rows a workbook may have; more fail with
	// ErrTooManyRows before anything is scored. 0 means
	// DefaultRoundTripMaxRows.
	MaxRows int
	// Missing are the cells (compared exactly) that mean a missing value;
	// nil means "", "NA" and "N/A". Give an empty, non-nil slice for "" only.
	Missing []string
	// OutputNames name the output columns, one per output field of the
	// model; nil means scoregate.OutputColumns ("Scored Labels" …).
	OutputNames []string
	// MaxUnzippedBytes bounds the decompressed size of the workbook (each
	// part, and all parts together once it is opened for writing). 0 means
	// DefaultRoundTripMaxUnzippedBytes. The compressed size is the caller's
	// to bound: RoundTrip reads r whole.
	MaxUnzippedBytes int64
}

// RoundTripResult says what RoundTrip did.
type RoundTripResult struct {
	// Sheet is the sheet that was scored, HeaderRow (1-based) the row of
	// its header (0 for a table without one).
	Sheet     string
	HeaderRow int
	// Rows counts the data rows with at least one input cell filled.
	Rows int
	// Scored and Failed count the complete rows the model scored and
	// refused; Skipped the incomplete rows, left as they were.
	Scored, Failed, Skipped int
}

// RoundTrip reads an analyst's workbook from r, scores every complete row
// with model and writes the same workbook to w with the predicted columns
// and the Errors column filled in.
//
// The rows are those of the table named opts.Table when the workbook has
// one (a workbook scoregate generated), else those below the header row of
// the first sheet (or opts.Sheet) whose header names every input the model
// requires. Columns are matched by name, case-insensitively. Output and
// Errors columns missing from the header are added after its last column
// (inside the table when they can be). The table grows to take in rows an
// analyst filled directly below it, as Excel would have done while typing
// but LibreOffice and scripts do not.
//
// A row is complete when every required input has a value; other rows are
// counted as skipped and left alone, so a half-filled row gets no error. A
// row the model refuses has its output cells cleared and an Errors cell
// naming its row number and column; a scored row has its Errors cell
// cleared. Cells keep their styles, and everything else in the workbook
// (other sheets, formulas, comments, defined names) is written back as
// excelize read it. Output cells that held formulas (live WEBSERVICE
// predictions) are overwritten with values.
//
// Errors are *scoregate.Error values: BadUserArgument for a file that is
// not a workbook or lacks input columns, RequestEntityTooLarge for one
// past the limits (ErrTooManyRows among them). RoundTrip checks ctx
// between chunks of rows; nothing is written to w unless it succeeds.
func RoundTrip(ctx context.Context, r io.Reader, w io.Writer, model scoregate.Scorer, opts RoundTripOptions) (RoundTripResult, error) {
	var res RoundTripResult
	opts = opts.withDefaults()
	info := model.Info()
	outNames := opts.OutputNames
	if outNames == nil {
		outNames = scoregate.OutputColumns(info)
	} else if len(outNames) != len(info.Output.Fields) {
		return res, fmt.Errorf("workbook: %d output names for %d output fields", len(outNames), len(info.Output.Fields))
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return res, fmt.Errorf("workbook: read upload: %w", err)
	}
	src := bytes.NewReader(data)
	t, err := rtLocate(src, int64(len(data)), info.Input.Fields, opts)
	if err != nil {
		return res, err
	}
	res.Sheet, res.HeaderRow = t.sheet, t.headerRow
	in, err := t.readRows(src, int64(len(data)), info.Input.Fields, opts)
	res.Rows = in.n
	if err != nil {
		return res, err
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	out, err := rtOpenForWriting(data, t, outNames, info.Input.Fields, opts)
	if err != nil {
		return res, err
	}
	defer out.close()
	if err := rtScoreRows(ctx, model, in, out, &res); err != nil {
		return res, err
	}
	if err := out.finish(in); err != nil {
		return res, err
	}
	if err := out.f.Write(w); err != nil {
		return res, fmt.Errorf("workbook: write scored workbook: %w", err)
	}
	return res, nil
}

func (o RoundTripOptions) withDefaults() RoundTripOptions {
	if o.Table == "" {
		o.Table = defaultTable
	}
	if o.MaxRows <= 0 {
		o.MaxRows = DefaultRoundTripMaxRows
	}
	if o.Missing == nil {
		o.Missing = rtDefaultMissing
	}
	if o.MaxUnzippedBytes <= 0 {
		o.MaxUnzippedBytes = DefaultRoundTripMaxUnzippedBytes
	}
	return o
}

// rtScoreRows scores the complete rows of in, a chunk at a time, and writes
// each chunk's results to out.
func rtScoreRows(ctx context.Context, model scoregate.Scorer, in *rtRows, out *rtOutput, res *RoundTripResult) error {
	size := min(rtChunkRows, in.n)
	rows := make([]scoregate.Row, size)
	outs := make([][]scoregate.Value, size)
	errs := make([]error, size)
	for i := range size {
		rows[i], outs[i] = model.NewRow(), model.NewOutput()
	}
	idx := make([]int, 0, size) // data row of each chunk slot
	width := in.width
	for next := 0; next < in.n; {
		if err := ctx.Err(); err != nil {
			return err
		}
		idx = idx[:0]
		for ; next < in.n && len(idx) < size; next++ {
			if !in.complete[next] {
				res.Skipped++
				continue
			}
			row := rows[len(idx)]
			row.Reset()
			for f, s := range in.cells[next*width : (next+1)*width] {
				if !in.missing[next*width+f] {
					row[f] = scoregate.Value{Kind: scoregate.KindString, Str: s}
				}
			}
			idx = append(idx, next)
		}
		if len(idx) == 0 {
			continue
		}
		e := errs[:len(idx)]
		clear(e)
		if _, err := model.ScoreBatch(ctx, rows[:len(idx)], outs[:len(idx)], e); err != nil {
			return err
		}
		for k, i := range idx {
			if e[k] != nil {
				res.Failed++
				if err := out.writeFailed(in.rowNum[i], e[k]); err != nil {
					return err
				}
				continue
			}
			res.Scored++
			if err := out.writeScored(in.rowNum[i], outs[k]); err != nil {
				return err
			}
		}
	}
	return nil
}
