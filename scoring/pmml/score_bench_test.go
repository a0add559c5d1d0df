package pmml_test

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/scoregate/scoregate/scoring/pmml"
)

// benchModels are compiled once per test binary: generating and
// compiling the forest takes seconds.
var benchModels = sync.OnceValue(func() map[string][]byte {
	return map[string][]byte{
		"forest-200x12":   genForest(200, 12, 20, 0),
		"gbm-300":         genBoosting(300, 5, 20),
		"logistic-4x20":   genLogistic(4, 20),
		"forest-class-50": genForest(50, 8, 20, 3),
		"forest-200x6":    genForest(200, 6, 20, 0),
	}
})

func compileBench(tb testing.TB, doc []byte) *pmml.Model {
	tb.Helper()
	m, err := pmml.Compile(bytes.NewReader(doc), pmml.DefaultLimits())
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// randomRows fills n rows of numeric inputs from a fixed seed.
func randomRows(m *pmml.Model, n int) []pmml.Row {
	r := rand.New(rand.NewPCG(7, 8))
	rows := make([]pmml.Row, n)
	for i := range rows {
		rows[i] = m.NewRow()
		for j := range rows[i] {
			rows[i].SetFloat(j, r.NormFloat64())
		}
	}
	return rows
}

// corpusRows reads the rows of a corpus case as strings, as the batch
// scorer reads a CSV.
func corpusRows(tb testing.TB, m *pmml.Model, dir string) []pmml.Row {
	tb.Helper()
	input, err := readCSV(filepath.Join(dir, "input.csv"))
	if err != nil {
		tb.Fatal(err)
	}
	var rows []pmml.Row
	for _, rec := range input[1:] {
		row := m.NewRow()
		for i, f := range m.Schema().Input.Fields {
			for j, name := range input[0] {
				if name == f.Name && !missingCell(rec[j]) {
					row.SetString(i, rec[j])
				}
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// BenchmarkScore measures Score per row, single-threaded, on the issue's
// reference models: a 200-tree depth-12 random forest on 20 numeric
// features, a 300-tree gradient boosting classifier, a 4-class logistic
// regression on 20 features, and the corpus' XGBoost model.
func BenchmarkScore(b *testing.B) {
	for _, name := range []string{"forest-200x12", "forest-200x6", "gbm-300", "logistic-4x20", "forest-class-50"} {
		b.Run(name, func(b *testing.B) {
			m := compileBench(b, benchModels()[name])
			benchmarkScore(b, m, randomRows(m, 1024))
		})
	}
	b.Run("corpus-XGBoostAudit", func(b *testing.B) {
		dir := filepath.Join(corpusDir(b), "sklearn-XGBoostAudit")
		doc, err := os.ReadFile(filepath.Join(dir, "model.pmml"))
		if err != nil {
			b.Fatal(err)
		}
		m := compileBench(b, doc)
		benchmarkScore(b, m, corpusRows(b, m, dir))
	})
}

func benchmarkScore(b *testing.B, m *pmml.Model, rows []pmml.Row) {
	out := m.NewOutput()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := m.Score(rows[i%len(rows)], out); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkScoreBatch scores the forest in batches of 4096 rows on all
// cores; compare ns/row with BenchmarkScore/forest-200x12 for the scaling.
func BenchmarkScoreBatch(b *testing.B) {
	m := compileBench(b, benchModels()["forest-200x12"])
	rows := randomRows(m, 4096)
	outs := make([][]pmml.Value, len(rows))
	for i := range outs {
		outs[i] = m.NewOutput()
	}
	b.ReportAllocs()
	for b.Loop() {
		if failed := m.ScoreBatch(rows, outs, nil); failed > 0 {
			b.Fatalf("%d rows failed", failed)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(rows)), "ns/row")
	b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "procs")
}

// BenchmarkCompile measures Compile on the largest corpus model and on a
// generated sklearn2pmml-style forest of about 90 MB (the tokenizer under
// it is the parser's; Compile adds the plan). heldMB is what the compiled
// model keeps on the heap.
func BenchmarkCompile(b *testing.B) {
	b.Run("corpus-largest", func(b *testing.B) {
		paths, _ := filepath.Glob(filepath.Join(corpusDir(b), "*", "model.pmml"))
		var largest []byte
		for _, p := range paths {
			if data, err := os.ReadFile(p); err == nil && len(data) > len(largest) {
				largest = data
			}
		}
		benchmarkCompile(b, largest)
	})
	b.Run("forest-90MB", func(b *testing.B) {
		benchmarkCompile(b, forest(200, 12))
	})
}

func benchmarkCompile(b *testing.B, doc []byte) {
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	var m *pmml.Model
	for b.Loop() {
		m = compileBench(b, doc)
	}
	b.StopTimer()
	var with, without runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&with)
	runtime.KeepAlive(m)
	runtime.GC()
	runtime.ReadMemStats(&without)
	b.ReportMetric(float64(int64(with.HeapAlloc)-int64(without.HeapAlloc))/(1<<20), "heldMB")
}
