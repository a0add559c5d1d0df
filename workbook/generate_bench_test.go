package workbook

import (
	"fmt"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/scoregate/scoregate"
)

// benchSpec is the yardstick: a 50-column schema mixing
// categorical, interval and plain fields, 3 outputs, 5 sample rows.
func benchSpec(live bool) Spec {
	s := Spec{
		Service: "bench", Endpoint: "default", ModelVersion: 1, APILocation: "http://gw.example/workspaces/w/services/s",
		Key: "key", APIVersion: "2.0", Live: live, BatchRows: 100000,
		GeneratedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Outputs: []scoregate.Field{
			{Name: "label", DataType: scoregate.TypeString, Feature: "predictedValue"},
			{Name: "p_a", DataType: scoregate.TypeDouble, Feature: "probability", TargetValue: "a"},
			{Name: "p_b", DataType: scoregate.TypeDouble, Feature: "probability", TargetValue: "b"},
		},
		OutputNames: []string{"Scored Labels", `Scored Probabilities for Class "a"`, `Scored Probabilities for Class "b"`},
	}
	for i := range 50 {
		f := scoregate.Field{Name: fmt.Sprintf("feature_%02d", i), DataType: scoregate.TypeDouble, OpType: scoregate.OpContinuous}
		switch i % 5 {
		case 0:
			f.DataType, f.OpType = scoregate.TypeString, scoregate.OpCategorical
			f.Values = []string{"red", "green", "blue", "yellow"}
		case 1:
			f.DataType, f.OpType = scoregate.TypeString, scoregate.OpCategorical
			f.Values = genRegions // on the Lists sheet
		case 2:
			f.Intervals = []scoregate.Interval{{Closure: "closedClosed", Left: genPtr(0), Right: genPtr(100)}}
		case 3:
			f.DataType = scoregate.TypeInteger
			f.Intervals = []scoregate.Interval{{Closure: "openClosed", Left: genPtr(0), Right: genPtr(10)}, {Closure: "closedClosed", Left: genPtr(20)}}
		}
		s.Inputs = append(s.Inputs, f)
	}
	for r := range 5 {
		row := make([]string, len(s.Inputs))
		for i, f := range s.Inputs {
			switch {
			case len(f.Values) > 0:
				row[i] = f.Values[r%len(f.Values)]
			default:
				row[i] = strconv.Itoa(r + i)
			}
		}
		s.SampleRows = append(s.SampleRows, row)
	}
	return s
}

func BenchmarkGenerate(b *testing.B) {
	for _, live := range []bool{false, true} {
		b.Run(fmt.Sprintf("live=%v", live), func(b *testing.B) {
			s := benchSpec(live)
			b.ReportAllocs()
			for b.Loop() {
				if err := Generate(io.Discard, s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
