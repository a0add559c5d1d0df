package pmml_test

import (
	"testing"

	"github.com/scoregate/scoregate/scoring/pmml"
)

// assertScoreNoAllocs fails t if scoring rows (in turn) with a warm m
// allocates. It skips under the race detector, whose instrumentation and
// randomly emptied sync.Pools make the count meaningless. Callers must not
// be parallel tests: testing.AllocsPerRun refuses to run in one.
func assertScoreNoAllocs(t *testing.T, what string, m *pmml.Model, rows ...pmml.Row) {
	t.Helper()
	if pmml.RaceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	out := m.NewOutput()
	i := 0
	if n := testing.AllocsPerRun(200, func() {
		// Row errors are allowed (corpus cases hold rows a model refuses);
		// refusing must not allocate either.
		_ = m.Score(rows[i%len(rows)], out)
		i++
	}); n != 0 {
		t.Errorf("%s: %v allocations per row; want 0", what, n)
	}
}

// assertCorpusNoAllocs scores the input rows of a corpus case.
func assertCorpusNoAllocs(t *testing.T, name string) {
	t.Helper()
	m, rows := corpusCaseModel(t, name)
	assertScoreNoAllocs(t, name, m, rows...)
}
