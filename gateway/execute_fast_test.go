package gateway

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzFastTable checks the reflection-free reader of the table format
// against encoding/json: whenever fastTable accepts a body, encoding/json
// reads the same columns and the same cells from it.
func FuzzFastTable(f *testing.F) {
	for _, seed := range []string{
		`{"Inputs":{"input1":{"ColumnNames":["a","b"],"Values":[["1","x"],[2,null]]}},"GlobalParameters":{}}`,
		`{"inputs":{"INPUT1":{"columnnames":["a"],"values":[[true],[" 1 "],[{"x":[1,"]"]}]]}},"Other":[1,{"a":"}"}]}`,
		`{"Inputs":{"input1":{"ColumnNames":["a\\"b"],"Values":[["\\u0041"]]}}}`,
		`{"Inputs":{"input1":{"Values":[[1]],"ColumnNames":["a"]}},"GlobalParameters":null}`,
		`{"Inputs":{"input1":{"ColumnNames":["a"],"Values":[[1],null]}}}`,
		`{"Inputs":{"input1":{"ColumnNames":["a"]},"input2":{}},"GlobalParameters":{"p":1}}`,
		` { "Inputs" : { "input1" : { "ColumnNames" : [ "a" , "b" ] , "Values" : [ [ 1 , -2.5e3 ] ] } } } `,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !json.Valid(body) {
			return
		}
		columns, values, ok := fastTable(body, new(scratch))
		if !ok {
			return
		}
		var req executeRequest
		if err := json.Unmarshal(body, &req); err != nil {
			t.Fatalf("fastTable accepted what encoding/json refuses: %v", err)
		}
		if len(req.GlobalParameters) > 0 {
			t.Fatalf("fastTable accepted global parameters")
		}
		raw, err := input1(req.Inputs)
		if err != nil {
			t.Fatalf("fastTable accepted inputs that encoding/json reads as %v", err)
		}
		var want tableInput
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatalf("fastTable accepted an input1 encoding/json refuses: %v", err)
		}
		if len(columns) != len(want.ColumnNames) {
			t.Fatalf("columns %q, encoding/json %q", columns, want.ColumnNames)
		}
		for i, c := range columns {
			if string(c) != want.ColumnNames[i] {
				t.Fatalf("column %d %q, encoding/json %q", i, c, want.ColumnNames[i])
			}
		}
		if len(values) != len(want.Values) {
			t.Fatalf("%d rows, encoding/json %d", len(values), len(want.Values))
		}
		for i, row := range values {
			if len(row) != len(want.Values[i]) {
				t.Fatalf("row %d: %d cells, encoding/json %d", i, len(row), len(want.Values[i]))
			}
			for j, cell := range row {
				if !bytes.Equal(bytes.TrimSpace(cell), bytes.TrimSpace(want.Values[i][j])) {
					t.Fatalf("row %d cell %d: %s, encoding/json %s", i, j, cell, want.Values[i][j])
				}
			}
		}
	})
}

// TestFastTableFallsBack: what the fast reader leaves to encoding/json.
func TestFastTableFallsBack(t *testing.T) {
	for _, body := range []string{
		`{"Inputs":{"input1":{"ColumnNames":["a\"b"],"Values":[]}}}`, // an escaped name
		`{"Inputs":{"input1":{"ColumnNames":["a"],"Values":[[1],null]}}}`,
		`{"Inputs":{"input2":{"ColumnNames":["a"],"Values":[]}}}`,
		`{"Inputs":{"input1":{"ColumnNames":["a"],"Values":[]}},"GlobalParameters":{"p":1}}`,
		`{"Inputs":{"input1":{"Values":[[1]]}}}`, // no ColumnNames
		`{"Inputs":{"input1":{"ColumnNames":["a"]},"INPUT1":{"ColumnNames":["b"]}}}`,
	} {
		if _, _, ok := fastTable([]byte(body), new(scratch)); ok {
			t.Errorf("fastTable read %s", strings.TrimSpace(body))
		}
	}
}
