package batch

import (
	"context"
	"sync"

	"github.com/scoregate/scoregate"
)

// chunk holds rows read and not yet written, in buffers reused from one
// chunk to the next.
type chunk struct {
	n     int
	width int
	cells []string   // n rows of width cells, padded with ""
	kinds []CellKind // like cells, when the reader and the writer both know kinds; else nil
	rows  []scoregate.Row
	outs  [][]scoregate.Value
	errs  []error
	// The rows the reader found no fault with, handed to the model.
	idx   []int
	sRows []scoregate.Row
	sOuts [][]scoregate.Value
	sErrs []error
}

func newChunk(model scoregate.Scorer, size, width int, kinds bool) *chunk {
	c := &chunk{
		width: width,
		cells: make([]string, size*width),
		rows:  make([]scoregate.Row, size),
		outs:  make([][]scoregate.Value, size),
		errs:  make([]error, size),
		idx:   make([]int, 0, size),
		sRows: make([]scoregate.Row, 0, size),
		sOuts: make([][]scoregate.Value, 0, size),
		sErrs: make([]error, size),
	}
	if kinds {
		c.kinds = make([]CellKind, size*width)
	}
	for i := range size {
		c.rows[i] = model.NewRow()
		c.outs[i] = model.NewOutput()
	}
	return c
}

// fill reads up to a chunk of records, and their kinds when kr (in itself)
// is not nil; it returns false when in has no more.
func (c *chunk) fill(in Reader, kr KindReader, cols []int, missing []string) bool {
	c.n = 0
	c.idx, c.sRows, c.sOuts = c.idx[:0], c.sRows[:0], c.sOuts[:0]
	for c.n < len(c.rows) {
		if !in.Next() {
			return false
		}
		i := c.n
		c.n++
		rec := in.Record()
		cells := c.cells[i*c.width : (i+1)*c.width]
		k := copy(cells, rec)
		clear(cells[k:])
		if kr != nil {
			kinds := c.kinds[i*c.width : (i+1)*c.width]
			k := copy(kinds, kr.RecordKinds())
			clear(kinds[k:])
		}
		row := c.rows[i]
		row.Reset()
		if err := in.RecordErr(); err != nil {
			c.errs[i] = err
			clear(c.outs[i])
			continue
		}
		c.errs[i] = nil
		for f, col := range cols {
			if col < 0 {
				continue
			}
			if s := cells[col]; !isMissing(s, missing) {
				row[f] = scoregate.Value{Kind: scoregate.KindString, Str: s}
			}
		}
		c.idx = append(c.idx, i)
		c.sRows = append(c.sRows, row)
		c.sOuts = append(c.sOuts, c.outs[i])
	}
	return true
}

// score scores the chunk's sound rows and returns how many rows failed,
// in the reader or in the model.
func (c *chunk) score(ctx context.Context, model scoregate.Scorer) (int, error) {
	errs := c.sErrs[:len(c.sRows)]
	clear(errs)
	if len(c.sRows) > 0 {
		if _, err := model.ScoreBatch(ctx, c.sRows, c.sOuts, errs); err != nil {
			return 0, err
		}
	}
	for k, i := range c.idx {
		if errs[k] != nil {
			c.errs[i] = errs[k]
			clear(c.outs[i])
		}
	}
	failed := 0
	for _, err := range c.errs[:c.n] {
		if err != nil {
			failed++
		}
	}
	return failed, nil
}

func isMissing(s string, missing []string) bool {
	for _, m := range missing {
		if len(s) == len(m) && s == m {
			return true
		}
	}
	return false
}

// pipeline reads, scores and writes chunks at the same time: while the
// model scores one chunk (on every core), the next is read and the one
// before is written, each in a goroutine of its own. Reading and writing a
// table take about as long as scoring it with a simple model, so in turn
// they would leave the cores idle half the time.
type pipeline struct {
	model   scoregate.Scorer
	in      Reader
	kr      KindReader
	cols    []int
	missing []string
}

// pipelineDepth is how many chunks are in flight: one read, one scored,
// one written.
const pipelineDepth = 3

// chunkMsg is a chunk passed from one stage to the next.
type chunkMsg struct {
	ch     *chunk
	more   bool  // the table has more records after this chunk
	offset int64 // the reader's InputOffset after it
	failed int   // rows the model failed
	err    error // the stage's error: the pipeline stops
}

// run reads the table to its end through the model, calling write (on the
// calling goroutine) with each chunk in order. It returns the first error
// of a stage or of write, or ctx's, once every goroutine has stopped: the
// caller may close the reader when run returns.
func (p *pipeline) run(ctx context.Context, write func(ch *chunk, failed int, offset int64) error, alloc func() *chunk) error {
	ctx, cancel := context.WithCancel(ctx)
	// Chunks are allocated as the reader needs them, up to pipelineDepth:
	// a small file (a dropped file of a few rows) needs one.
	free := make(chan *chunk, pipelineDepth)
	toScore, toWrite := make(chan chunkMsg, 1), make(chan chunkMsg, 1)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // read
		defer wg.Done()
		defer close(toScore)
		allocated := 0
		for {
			var ch *chunk
			select {
			case ch = <-free:
			default:
			}
			if ch == nil && allocated < pipelineDepth {
				ch, allocated = alloc(), allocated+1
			}
			if ch == nil {
				select {
				case ch = <-free:
				case <-ctx.Done():
					return
				}
			}
			more := ch.fill(p.in, p.kr, p.cols, p.missing)
			m := chunkMsg{ch: ch, more: more && ch.n > 0, offset: p.in.InputOffset(), err: p.in.Err()}
			select {
			case toScore <- m:
			case <-ctx.Done():
				return
			}
			if !m.more || m.err != nil {
				return
			}
		}
	}()
	go func() { // score
		defer wg.Done()
		defer close(toWrite)
		for m := range toScore {
			if m.err == nil && m.ch.n > 0 {
				m.failed, m.err = m.ch.score(ctx, p.model)
			}
			select {
			case toWrite <- m:
			case <-ctx.Done():
				return
			}
			if m.err != nil {
				return
			}
		}
	}()
	err := func() error {
		for m := range toWrite {
			if m.err != nil {
				return m.err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if m.ch.n > 0 {
				if err := write(m.ch, m.failed, m.offset); err != nil {
					return err
				}
			}
			if !m.more {
				return nil
			}
			free <- m.ch
		}
		return ctx.Err()
	}()
	cancel()
	for range toWrite { // let a stage blocked on a send see the cancel
	}
	wg.Wait()
	return err
}
