package gateway

import (
	"encoding/json"
	"sync"

	"github.com/scoregate/scoregate"
)

// scratch is the memory of one scoring call that does not outlive it: the
// parsed cells, the model's input rows and output buffers. Calls take one
// from a pool, so a steady stream of small calls allocates little.
type scratch struct {
	columns [][]byte
	cells   []json.RawMessage
	values  [][]json.RawMessage
	inVals  []scoregate.Value
	rows    []scoregate.Row
	outVals []scoregate.Value
	outs    [][]scoregate.Value
	errs    []error
}

var scratches = sync.Pool{New: func() any { return new(scratch) }}

// maxPooledValues bounds what a pooled scratch keeps: the buffers of one
// large call are left to the collector rather than held by the pool.
const maxPooledValues = 64 << 10

func getScratch() *scratch { return scratches.Get().(*scratch) }

func putScratch(s *scratch) {
	if cap(s.inVals) > maxPooledValues || cap(s.outVals) > maxPooledValues || cap(s.cells) > maxPooledValues {
		return
	}
	// Drop references into the request and the results before pooling.
	// Every buffer keeps the length its call used, and all beyond it was
	// cleared when an earlier call put it back, so a pooled scratch is
	// all zero and the next call need not clear what it takes.
	clear(s.columns)
	clear(s.cells)
	clear(s.values)
	clear(s.inVals)
	clear(s.outVals)
	clear(s.errs)
	scratches.Put(s)
}

// grid returns n rows of width missing values backed by *vals, with the
// row headers in *rows; both are reused when large enough, and keep the
// length used (see putScratch).
func grid[R ~[]scoregate.Value](vals *[]scoregate.Value, rows *[]R, n, width int) []R {
	if cap(*vals) < n*width {
		*vals = make([]scoregate.Value, n*width)
	}
	*vals = (*vals)[:n*width]
	v := *vals
	if cap(*rows) < n {
		*rows = make([]R, n)
	}
	*rows = (*rows)[:n]
	r := *rows
	for i := range r {
		r[i] = v[i*width : (i+1)*width : (i+1)*width]
	}
	return r
}

// errors returns n nil errors.
func (s *scratch) errors(n int) []error {
	if cap(s.errs) < n {
		s.errs = make([]error, n)
	}
	s.errs = s.errs[:n]
	return s.errs
}
