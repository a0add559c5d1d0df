package pmml_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/scoregate/scoregate/internal/pmmlgen"
	"github.com/scoregate/scoregate/scoring/pmml"
)

// BenchmarkInspect measures Inspect on the largest corpus model and on a
// generated sklearn2pmml-style random forest of about 90 MB, the size
// Limits.MaxBytes is set for. Inspect is bound by the tokenizer: it scans
// every token of the trees it does not keep (BenchmarkScan's "skip").
func BenchmarkInspect(b *testing.B) {
	b.Run("forest-200x12", func(b *testing.B) {
		benchmarkInspect(b, forest(200, 12))
	})
	b.Run("corpus-largest", func(b *testing.B) {
		name, data := largestCorpusModel(b)
		b.Logf("%s: %d bytes", name, len(data))
		benchmarkInspect(b, data)
	})
}

// BenchmarkScan measures the parser's tokenizer on the same documents as
// BenchmarkInspect: "tokens" is the bare scanner loop, "skip" passes over
// the whole document as Inspect passes over model bodies, "deliver" hands
// out every element with its attributes decoded, as Compile reads a body,
// and "encoding-xml" is the xml.Decoder token loop the scanner replaced.
func BenchmarkScan(b *testing.B) {
	b.Run("forest-200x12", func(b *testing.B) {
		benchmarkScan(b, forest(200, 12))
	})
	b.Run("corpus-largest", func(b *testing.B) {
		_, data := largestCorpusModel(b)
		benchmarkScan(b, data)
	})
}

func benchmarkScan(b *testing.B, data []byte) {
	for _, mode := range []string{"tokens", "skip", "deliver"} {
		b.Run(mode, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := pmml.ScanForBenchmark(data, mode); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("encoding-xml", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			d := xml.NewDecoder(bytes.NewReader(data))
			for {
				if _, err := d.Token(); err == io.EOF {
					break
				} else if err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// largestCorpusModel returns the name and content of the largest model of
// the corpus.
func largestCorpusModel(b *testing.B) (string, []byte) {
	paths, _ := filepath.Glob(filepath.Join(corpusDir(b), "*", "model.pmml"))
	var name string
	var largest []byte
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		if len(data) > len(largest) {
			largest, name = data, filepath.Base(filepath.Dir(p))
		}
	}
	return name, largest
}

func benchmarkInspect(b *testing.B, data []byte) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pmml.Inspect(bytes.NewReader(data), pmml.DefaultLimits()); err != nil {
			b.Fatal(err)
		}
	}
}

// forest returns the sklearn2pmml-style regression forest the parsing
// benchmarks use: 200 depth-12 trees come near 90 MB, the size
// Limits.MaxBytes is set for.
func forest(trees, depth int) []byte { return pmmlgen.ScoredForest(trees, depth) }

// TestForest checks that the benchmark's generated forest is a model
// Inspect reads, so the benchmark measures the path it means to.
func TestForest(t *testing.T) {
	t.Parallel()
	info, err := pmml.Inspect(bytes.NewReader(forest(2, 4)), pmml.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if info.Kind != "MiningModel" || len(info.Input.Fields) != pmmlgen.ScoredFeatures || info.Output.Fields[0].Name != "y" {
		t.Errorf("forest schema = %s", describe(info))
	}
}
