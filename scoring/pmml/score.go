package pmml

import (
	"runtime"
	"sync"

	"github.com/scoregate/scoregate"
)

// NewRow returns a row for the model's inputs, all missing.
func (m *Model) NewRow() Row { return make(Row, len(m.inputs)) }

// NewOutput returns a buffer for the model's outputs.
func (m *Model) NewOutput() []Value { return make([]Value, len(m.outputs)) }

// Score scores one row into out, which must have one Value per output
// field (NewOutput). It allocates nothing for a numeric model once warm:
// its scratch space comes from a pool, and string outputs are labels held
// by the model.
//
// A row the model cannot score returns a *scoregate.Error
// (BadUserArgument, InputParseError) naming the field: a value that is
// invalid for its field under invalidValueTreatment returnInvalid, a
// missing one under missingValueTreatment returnInvalid, a function with
// no valid result. A row the model scores but cannot predict for (a
// missing value a tree stops on) is not an error: its outputs are missing.
func (m *Model) Score(row Row, out []Value) error {
	if len(row) != len(m.inputs) || len(out) != len(m.outputs) {
		return errShape
	}
	s := m.pool.Get().(*state)
	err := m.score(s, row, out)
	m.pool.Put(s)
	return err
}

// scoreTarget scores a row and also returns the model's prediction of its
// target, which the schema lists only when the model has no Output; the
// conformance test compares it.
func (m *Model) scoreTarget(row Row, out []Value) (Value, error) {
	s := m.pool.Get().(*state)
	defer m.pool.Put(s)
	if err := m.score(s, row, out); err != nil {
		return Value{}, err
	}
	if r := &s.results[m.top.res]; r.ok {
		return r.value, nil
	}
	return Value{}, nil
}

// errShape is the error for a row or output buffer not made by NewRow
// and NewOutput: a bug of the caller, not of the row.
var errShape = &scoregate.Error{Class: scoregate.Internal, Code: scoregate.CodeInternal,
	Message: "pmml: row or output buffer of the wrong length; use Model.NewRow and Model.NewOutput"}

func (m *Model) score(s *state, row Row, out []Value) error {
	if len(row) != len(m.inputs) || len(out) != len(m.outputs) {
		return errShape
	}
	s.begin()
	for i := range m.inputs {
		p := &m.inputs[i]
		s.set(p.slot, p.apply(s, row[i]))
	}
	if s.err == nil {
		m.top.run(s)
	}
	if s.err != nil {
		clear(out)
		return s.err
	}
	for i, slot := range m.outputs {
		out[i] = *s.get(slot)
	}
	return nil
}

// ScoreBatch scores rows into outs (one output buffer per row) on all
// cores: GOMAXPROCS workers each take chunks of rows with their own
// scratch space. errs, when not nil, receives each row's error (nil for a
// row scored). It returns the number of rows that failed. outs and errs
// must be as long as rows; ScoreBatch panics otherwise, as copy would not.
func (m *Model) ScoreBatch(rows []Row, outs [][]Value, errs []error) int {
	if len(outs) != len(rows) || (errs != nil && len(errs) != len(rows)) {
		panic("pmml: ScoreBatch with outs or errs not matching rows")
	}
	const chunk = 64
	workers := min(runtime.GOMAXPROCS(0), (len(rows)+chunk-1)/chunk)
	if workers <= 1 {
		return m.scoreRange(rows, outs, errs, 0, len(rows))
	}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		next   int
		failed int
	)
	for range workers {
		wg.Go(func() {
			n := 0
			for {
				mu.Lock()
				from := next
				next += chunk
				mu.Unlock()
				if from >= len(rows) {
					break
				}
				n += m.scoreRange(rows, outs, errs, from, min(from+chunk, len(rows)))
			}
			mu.Lock()
			failed += n
			mu.Unlock()
		})
	}
	wg.Wait()
	return failed
}

// scoreRange scores rows[from:to] with one state.
func (m *Model) scoreRange(rows []Row, outs [][]Value, errs []error, from, to int) int {
	s := m.pool.Get().(*state)
	defer m.pool.Put(s)
	failed := 0
	for i := from; i < to; i++ {
		err := m.score(s, rows[i], outs[i])
		if err != nil {
			failed++
		}
		if errs != nil {
			errs[i] = err
		}
	}
	return failed
}
