package pmml_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

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

// forest writes a regression forest of trees of the given depth in the
// layout sklearn2pmml uses (MiningModel, Segmentation, one TreeModel per
// Segment, one SimplePredicate per Node). Some branches stop early, as in
// a trained forest, which puts 200 depth-12 trees near 90 MB.
func forest(trees, depth int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
	<Header><Application name="scoregate benchmark"/></Header>
	<DataDictionary>
		<DataField name="y" optype="continuous" dataType="double"/>
`)
	for i := range 10 {
		fmt.Fprintf(&b, "\t\t<DataField name=\"x%d\" optype=\"continuous\" dataType=\"double\"/>\n", i)
	}
	b.WriteString("\t</DataDictionary>\n\t<MiningModel functionName=\"regression\">\n\t\t<MiningSchema>\n\t\t\t<MiningField name=\"y\" usageType=\"target\"/>\n")
	for i := range 10 {
		fmt.Fprintf(&b, "\t\t\t<MiningField name=\"x%d\"/>\n", i)
	}
	b.WriteString("\t\t</MiningSchema>\n\t\t<Segmentation multipleModelMethod=\"average\">\n")
	seed := uint32(1)
	for t := range trees {
		fmt.Fprintf(&b, "\t\t\t<Segment id=\"%d\">\n\t\t\t\t<True/>\n\t\t\t\t<TreeModel functionName=\"regression\" missingValueStrategy=\"nullPrediction\" noTrueChildStrategy=\"returnLastPrediction\">\n", t+1)
		b.WriteString("\t\t\t\t\t<MiningSchema>\n")
		for i := range 10 {
			fmt.Fprintf(&b, "\t\t\t\t\t\t<MiningField name=\"x%d\"/>\n", i)
		}
		b.WriteString("\t\t\t\t\t</MiningSchema>\n\t\t\t\t\t<Node score=\"0.0\">\n\t\t\t\t\t\t<True/>\n")
		var grow func(level int)
		grow = func(level int) {
			for side, op := range []string{"lessOrEqual", "greaterThan"} {
				seed = seed*1664525 + 1013904223
				fmt.Fprintf(&b, "%*s<Node score=\"%.15g\" recordCount=\"%d\">\n%*s<SimplePredicate field=\"x%d\" operator=\"%s\" value=\"%.9g\"/>\n",
					level+6, "", float64(seed%100000)/7919, seed%977, level+7, "", (seed>>8)%10, op, float64(seed>>12)/65536+float64(side))
				if level < depth && (level < 6 || seed%9 > 1) {
					grow(level + 1)
				}
				fmt.Fprintf(&b, "%*s</Node>\n", level+6, "")
			}
		}
		grow(1)
		b.WriteString("\t\t\t\t\t</Node>\n\t\t\t\t</TreeModel>\n\t\t\t</Segment>\n")
	}
	b.WriteString("\t\t</Segmentation>\n\t</MiningModel>\n</PMML>\n")
	return b.Bytes()
}

// TestForest checks that the benchmark's generated forest is a model
// Inspect reads, so the benchmark measures the path it means to.
func TestForest(t *testing.T) {
	t.Parallel()
	info, err := pmml.Inspect(bytes.NewReader(forest(2, 4)), pmml.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if info.Kind != "MiningModel" || len(info.Input.Fields) != 10 || info.Output.Fields[0].Name != "y" {
		t.Errorf("forest schema = %s", describe(info))
	}
}
