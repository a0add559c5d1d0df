package scoring

import (
	"context"
	"io"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/scoring/pmml"
)

// PMML adapts a compiled PMML model to scoregate.Scorer.
type PMML struct {
	m *pmml.Model
}

var _ scoregate.Scorer = (*PMML)(nil)

// CompilePMML compiles a PMML document into a Scorer.
func CompilePMML(r io.Reader, lim pmml.Limits) (*PMML, error) {
	m, err := pmml.Compile(r, lim)
	if err != nil {
		return nil, err
	}
	return &PMML{m: m}, nil
}

// Info returns the model's schema.
func (p *PMML) Info() scoregate.ModelInfo { return p.m.Schema() }

// NewRow returns a row of the model's inputs, all missing.
func (p *PMML) NewRow() scoregate.Row { return p.m.NewRow() }

// NewOutput returns a buffer for the model's outputs.
func (p *PMML) NewOutput() []scoregate.Value { return p.m.NewOutput() }

// chunkRows is how many rows PMML.ScoreBatch scores between two looks at
// its context: a few milliseconds of the slowest models.
const chunkRows = 1024

// ScoreBatch scores rows on all cores, chunkRows at a time, and stops
// between chunks when ctx ends.
func (p *PMML) ScoreBatch(ctx context.Context, rows []scoregate.Row, outs [][]scoregate.Value, errs []error) (int, error) {
	failed := 0
	for from := 0; from < len(rows); from += chunkRows {
		if err := ctx.Err(); err != nil {
			return failed, err
		}
		to := min(from+chunkRows, len(rows))
		var e []error
		if errs != nil {
			e = errs[from:to]
		}
		failed += p.m.ScoreBatch(rows[from:to], outs[from:to], e)
	}
	return failed, nil
}

// Checker checks a model document at publish time by compiling it, so a
// document using something the engine does not implement is refused with
// the element's name and line then, not when the first call arrives.
type Checker struct {
	Limits pmml.Limits
}

var _ scoregate.ModelInspector = Checker{}

// Inspect compiles the document and returns its schema.
func (c Checker) Inspect(r io.Reader) (scoregate.ModelInfo, error) {
	m, err := pmml.Compile(r, c.Limits)
	if err != nil {
		return scoregate.ModelInfo{}, err
	}
	return m.Schema(), nil
}
