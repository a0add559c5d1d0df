package workbook

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/scoregate/scoregate"
	"github.com/xuri/excelize/v2"
)

// TestRoundTripGenerated scores the workbook Generate makes for the demo
// model: once with its sample rows, once as an analyst fills the single
// empty row and the rows below it.
func TestRoundTripGenerated(t *testing.T) {
	t.Parallel()
	info := rtScorer(t).Info()
	spec := Spec{
		Service: "iris", Endpoint: "default", ModelVersion: 1,
		APILocation: "http://gw.example/workspaces/ws/services/svc", Key: "key",
		Inputs: info.Input.Fields, Outputs: info.Output.Fields, OutputNames: scoregate.OutputColumns(info),
	}
	for _, tc := range []struct {
		name   string
		sample [][]string
		fill   [][]any // typed from row 3 on, after generation
		want   RoundTripResult
	}{
		{"sample rows", [][]string{{"5.1", "3.5", "1.4", "0.2"}, {"6.3", "3.3", "6.0", "2.5"}}, nil,
			RoundTripResult{Sheet: SheetScore, HeaderRow: 2, Rows: 2, Scored: 2}},
		{"rows typed below", nil, [][]any{{5.1, 3.5, 1.4, 0.2}, {6.3, 3.3, 6.0, 2.5}, {5.1, "x", 1.4, 0.2}},
			RoundTripResult{Sheet: SheetScore, HeaderRow: 2, Rows: 3, Scored: 2, Failed: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := spec
			s.SampleRows = tc.sample
			var buf bytes.Buffer
			must(t, Generate(&buf, s))
			data := buf.Bytes()
			if tc.fill != nil {
				f, err := excelize.OpenReader(bytes.NewReader(data))
				must(t, err)
				for i, r := range tc.fill {
					must(t, f.SetSheetRow(SheetScore, "A"+strconv.Itoa(3+i), &r))
				}
				data = rtBytes(t, f)
				f.Close()
			}
			before, err := excelize.OpenReader(bytes.NewReader(data))
			must(t, err)
			t.Cleanup(func() { before.Close() })
			res, out := roundTrip(t, data, RoundTripOptions{})
			if res != tc.want {
				t.Errorf("result = %+v, want %+v", res, tc.want)
			}
			if got := cellValue(t, out, SheetScore, "E3") + "," + cellValue(t, out, SheetScore, "E4"); got != "setosa,virginica" {
				t.Errorf("E3,E4 = %s", got)
			}
			for _, cell := range []string{"A2", "E2", "E3", "F3", "I2"} {
				if a, b := cellStyle(t, before, SheetScore, cell), cellStyle(t, out, SheetScore, cell); a != b {
					t.Errorf("%s style %d, was %d", cell, b, a)
				}
			}
			tables, err := out.GetTables(SheetScore)
			must(t, err)
			if want := "A2:I" + strconv.Itoa(2+tc.want.Rows); len(tables) != 1 || tables[0].Range != want {
				t.Errorf("tables = %+v, want one on %s", tables, want)
			}
			for _, n := range []string{NameURL, NameKey} {
				found := false
				for _, d := range out.GetDefinedName() {
					found = found || d.Name == n
				}
				if !found {
					t.Errorf("defined name %s lost", n)
				}
			}
		})
	}
}
