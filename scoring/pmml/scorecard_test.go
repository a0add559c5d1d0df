package pmml_test

import (
	"strings"
	"testing"

	"github.com/scoregate/scoregate/scoring/pmml"
)

// scorecardDoc is a Scorecard with a scorecard-level baseline, a
// Characteristic with its own, an Attribute overriding its
// Characteristic's reason code, a ComplexPartialScore, and two
// Characteristics sharing the reason code RA.
func scorecardDoc(algorithm string) string {
	return doc(`
		<DataField name="a" optype="continuous" dataType="double"/>
		<DataField name="b" optype="continuous" dataType="double"/>
		<DataField name="c" optype="categorical" dataType="string"/>
		<DataField name="score" optype="continuous" dataType="double"/>`, `
	<Scorecard functionName="regression" initialScore="100" baselineScore="10" reasonCodeAlgorithm="`+algorithm+`" baselineMethod="max">
		<MiningSchema><MiningField name="a"/><MiningField name="b"/><MiningField name="c"/><MiningField name="score" usageType="target"/></MiningSchema>
		<Output>
			<OutputField name="s" feature="predictedValue" dataType="double"/>
			<OutputField name="r1" feature="reasonCode" rank="1" dataType="string"/>
			<OutputField name="r2" feature="reasonCode" rank="2" dataType="string"/>
			<OutputField name="r3" feature="reasonCode" rank="3" dataType="string"/>
		</Output>
		<Characteristics>
			<Characteristic name="A" reasonCode="RA" baselineScore="20">
				<Attribute partialScore="5" reasonCode="RX"><SimplePredicate field="a" operator="lessThan" value="0"/></Attribute>
				<Attribute partialScore="12"><True/></Attribute>
			</Characteristic>
			<Characteristic name="B" reasonCode="RB">
				<Attribute partialScore="2"><SimplePredicate field="b" operator="lessOrEqual" value="1"/></Attribute>
				<Attribute><True/><ComplexPartialScore><Apply function="*"><FieldRef field="b"/><Constant>2</Constant></Apply></ComplexPartialScore></Attribute>
			</Characteristic>
			<Characteristic name="C" reasonCode="RA" baselineScore="8">
				<Attribute partialScore="0"><SimplePredicate field="c" operator="equal" value="x"/></Attribute>
				<Attribute partialScore="8"><SimplePredicate field="c" operator="isNotMissing"/></Attribute>
			</Characteristic>
		</Characteristics>
	</Scorecard>`)
}

// TestScorecardReasonCodes scores reason codes computed by hand from the
// PMML 4.4 Scorecard chapter, ranked as JPMML ranks them.
func TestScorecardReasonCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, algorithm string
		a, b            float64
		c               string   // "" for missing
		want            []string // score, then reason codes 1 to 3 ("" for missing)
	}{
		{"shared code sums", "pointsBelow", 1, 0, "x", []string{"114", "RA", "RB", ""}},
		{"tie keeps first met", "pointsBelow", 1, 0, "y", []string{"122", "RA", "RB", ""}},
		{"attribute code overrides", "pointsBelow", -1, 5, "y", []string{"123", "RX", "RB", "RA"}},
		{"negative difference dropped", "pointsBelow", 1, 20, "y", []string{"160", "RA", "", ""}},
		{"points above", "pointsAbove", 1, 20, "y", []string{"160", "RB", "", ""}},
		{"no attribute matches", "pointsBelow", 1, 0, "", []string{"", "", "", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := pmml.Compile(strings.NewReader(scorecardDoc(tt.algorithm)), pmml.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			row, out := m.NewRow(), m.NewOutput()
			row.SetFloat(0, tt.a)
			row.SetFloat(1, tt.b)
			if tt.c != "" {
				row.SetString(2, tt.c)
			}
			if err := m.Score(row, out); err != nil {
				t.Fatal(err)
			}
			for i, want := range tt.want {
				if got := out[i].String(); (want == "" && !out[i].Missing()) || (want != "" && got != want) {
					t.Errorf("output %d = %s %q, want %q", i, out[i].Kind, got, want)
				}
			}
		})
	}
}

// TestScorecardRejects checks that what the evaluator cannot score fails
// Compile, naming the element and its line.
func TestScorecardRejects(t *testing.T) {
	t.Parallel()
	base := scorecardDoc("pointsBelow")
	tests := []struct{ name, from, to, want string }{
		{"unknown algorithm", `reasonCodeAlgorithm="pointsBelow"`, `reasonCodeAlgorithm="pointsAround"`, "<Scorecard>"},
		{"unknown element", `<Attribute partialScore="12"><True/>`, `<Attribute partialScore="12"><True/><Frobnicate/>`, "<Frobnicate>"},
		{"no baseline", `initialScore="100" baselineScore="10"`, `initialScore="100"`, "<Characteristic>"},
		{"no reason code", `<Characteristic name="B" reasonCode="RB">`, `<Characteristic name="B">`, "<Attribute>"},
		{"classification", `<Scorecard functionName="regression"`, `<Scorecard functionName="classification"`, "<Scorecard>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := pmml.Compile(strings.NewReader(strings.Replace(base, tt.from, tt.to, 1)), pmml.Limits{})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "line") {
				t.Errorf("Compile: %v; want an error naming %s and its line", err, tt.want)
			}
		})
	}
}

// BenchmarkScorecard scores the three-Characteristic scorecard with its
// reason codes.
func BenchmarkScorecard(b *testing.B) {
	m, err := pmml.Compile(strings.NewReader(scorecardDoc("pointsBelow")), pmml.Limits{})
	if err != nil {
		b.Fatal(err)
	}
	row, out := m.NewRow(), m.NewOutput()
	row.SetFloat(0, -1)
	row.SetFloat(1, 5)
	row.SetString(2, "y")
	b.ReportAllocs()
	for b.Loop() {
		if err := m.Score(row, out); err != nil {
			b.Fatal(err)
		}
	}
}
