package pmml

import (
	"math"

	"github.com/scoregate/scoregate"
)

// state is the scratch space of one Score call: the value of every slot,
// the result of every model element, and a stack for function arguments.
// Model keeps a pool of them, sized from the plan, so a row allocates
// nothing once the pool is warm.
type state struct {
	m    *Model
	vals []Value
	// gen[i] == cur when vals[i] holds this row's value of slot i; moving
	// to the next row is cur++, not clearing every slot.
	gen     []uint32
	cur     uint32
	results []result
	stack   []Value
	floats  []float64
	// surrogates counts the surrogate predicates decided by an
	// alternative, which a tree turns into a missing value penalty.
	surrogates int
	// err is the first error of the row (an invalid value under
	// returnInvalid, a function that failed); evaluation goes on with
	// missing values and Score returns err.
	err error
}

func (m *Model) newState() *state {
	s := &state{
		m:       m,
		vals:    make([]Value, len(m.slots)),
		gen:     make([]uint32, len(m.slots)),
		results: make([]result, len(m.resultWidths)),
		stack:   make([]Value, 0, 64),
	}
	for i, w := range m.resultWidths {
		s.results[i].probs = make([]float64, w)
		s.results[i].conf = make([]float64, w)
		s.results[i].affinity = make([]float64, w)
		s.results[i].scratch = make([]float64, m.resultScratch[i])
	}
	return s
}

// begin starts a row: every slot becomes stale.
func (s *state) begin() {
	s.cur++
	if s.cur == 0 { // wrapped: forget the generations of 4 billion rows ago
		clear(s.gen)
		s.cur = 1
	}
	s.err = nil
}

// get returns the value of slot i in this row, computing a derived slot
// on first use. A slot that is set (an output, a parameter) and was not
// set in this row is missing.
func (s *state) get(i int32) *Value {
	if s.gen[i] != s.cur {
		s.compute(i)
	}
	return &s.vals[i]
}

func (s *state) compute(i int32) {
	// Mark first: a slot that (through a bug or a cycle the compiler
	// missed) refers to itself reads missing instead of recursing.
	s.gen[i] = s.cur
	s.vals[i] = Value{}
	if e := s.m.slots[i].expr; e != nil {
		s.vals[i] = e.eval(s)
	}
}

// set gives slot i its value for this row.
func (s *state) set(i int32, v Value) {
	s.vals[i] = v
	s.gen[i] = s.cur
}

// failf records a per-row error about field.
func (s *state) failf(field, format string, args ...any) {
	if s.err == nil {
		s.err = scoregate.Errorf(scoregate.BadUserArgument, scoregate.CodeInputParseError, field, format, args...)
	}
}

// result is what one model element computed for a row, before its
// OutputFields pick from it.
type result struct {
	// ok is false when the model gave no prediction (a missing input the
	// model cannot score, a tree that ended without a score).
	ok bool
	// value is the predicted value: a number for regression, the class
	// label for classification.
	value Value
	// class is the index of the predicted class in compiledModel.classes,
	// or -1.
	class int32
	// probs and conf are per class of compiledModel.classes, valid when
	// hasProbs and hasConf are set.
	probs, conf       []float64
	hasProbs, hasConf bool
	// affinity is per class (per cluster, per neighbour), valid when
	// hasAffinity: the distance or similarity a clustering or nearest
	// neighbour model reports.
	affinity    []float64
	hasAffinity bool
	// reasons are the reason codes of a scorecard, best first; the kind
	// owns the slice and resets it.
	reasons []string
	// scratch is working space of the model's evaluator.
	scratch []float64
	// entity is the id of the tree node or segment that decided.
	entity string
	// entities are ranked entity ids, best first (the k nearest
	// neighbours of a NearestNeighborModel): entityId of rank n reads
	// entities[n-1] when set. The kind appends; reset empties it.
	entities []string
	// targets are the predictions of a model with several targets, in
	// MiningSchema order (targets[0] repeats value): an OutputField with
	// the targetField of a later target reads them. The kind appends;
	// reset empties it.
	targets []Value
	// gen is the row the result is for (state.cur).
	gen uint32
}

func (r *result) reset() {
	r.ok, r.value, r.class, r.hasProbs, r.hasConf, r.entity = false, Value{}, -1, false, false, ""
	r.hasAffinity, r.reasons = false, r.reasons[:0]
	r.entities, r.targets = r.entities[:0], r.targets[:0]
}

// setNumber records a regression prediction.
func (r *result) setNumber(f float64) {
	if math.IsNaN(f) {
		r.ok = false
		return
	}
	r.ok, r.value = true, Float(f)
}

// probabilities marks probs as set and returns it, zeroed.
func (r *result) probabilities() []float64 {
	clear(r.probs)
	r.hasProbs = true
	return r.probs
}

// argmax sets the predicted class to the most probable one; ties go to
// the first class, as JPMML and scikit-learn break them.
func (r *result) argmax() {
	best := -1
	for i, p := range r.probs {
		if best < 0 || p > r.probs[best] {
			best = i
		}
	}
	r.class = int32(best)
	r.ok = best >= 0 && !math.IsNaN(r.probs[best])
}
