package pmml_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/scoring/pmml"
)

// TestCompileSeeds checks that the fuzz seeds compile, so fuzzing starts
// from documents that reach scoring.
func TestCompileSeeds(t *testing.T) {
	t.Parallel()
	for i, seed := range compileSeeds {
		if _, err := pmml.Compile(strings.NewReader(seed), pmml.Limits{}); err != nil {
			t.Errorf("seed %d: %v", i, err)
		}
	}
}

// transform wraps one DerivedField expression over sl (double) and sp
// (string) in a regression whose prediction is that field.
func transform(expr, dataType string) string {
	return doc(`
		<DataField name="sl" optype="continuous" dataType="double"/>
		<DataField name="sp" optype="categorical" dataType="string"/>
		<DataField name="y" optype="continuous" dataType="double"/>`, `
	<TreeModel functionName="regression">
		<MiningSchema><MiningField name="y" usageType="target"/><MiningField name="sl"/><MiningField name="sp"/></MiningSchema>
		<Output><OutputField name="out" feature="transformedValue" dataType="`+dataType+`"><FieldRef field="d"/></OutputField></Output>
		<LocalTransformations><DerivedField name="d" optype="continuous" dataType="`+dataType+`">`+expr+`</DerivedField></LocalTransformations>
		<Node score="1"><True/></Node>
	</TreeModel>`)
}

// TestExpressions scores transformations written from the PMML 4.4
// specification, Discretize above all: no corpus case uses it.
func TestExpressions(t *testing.T) {
	t.Parallel()
	discretize := `<Discretize field="sl" mapMissingTo="missing" defaultValue="other">
		<DiscretizeBin binValue="low"><Interval closure="openClosed" rightMargin="1"/></DiscretizeBin>
		<DiscretizeBin binValue="mid"><Interval closure="openOpen" leftMargin="1" rightMargin="5"/></DiscretizeBin>
		<DiscretizeBin binValue="high"><Interval closure="closedOpen" leftMargin="5"/></DiscretizeBin>
	</Discretize>`
	tests := []struct {
		name, expr, dataType string
		sl                   any // float64, string, or nil for missing
		sp                   string
		want                 string // "" for missing
	}{
		{"discretize low edge closed", discretize, "string", 1.0, "", "low"},
		{"discretize open interval", discretize, "string", 3.0, "", "mid"},
		{"discretize closed left", discretize, "string", 5.0, "", "high"},
		{"discretize missing", discretize, "string", nil, "", "missing"},
		{"discretize no bin", `<Discretize field="sl" defaultValue="none"><DiscretizeBin binValue="a"><Interval closure="closedClosed" leftMargin="0" rightMargin="1"/></DiscretizeBin></Discretize>`, "string", 2.0, "", "none"},
		{"discretize no default", `<Discretize field="sl"><DiscretizeBin binValue="a"><Interval closure="closedClosed" leftMargin="0" rightMargin="1"/></DiscretizeBin></Discretize>`, "string", 2.0, "", ""},
		{"norm continuous interpolates", `<NormContinuous field="sl"><LinearNorm orig="0" norm="0"/><LinearNorm orig="10" norm="1"/><LinearNorm orig="20" norm="3"/></NormContinuous>`, "double", 15.0, "", "2"},
		{"norm continuous extrapolates", `<NormContinuous field="sl"><LinearNorm orig="0" norm="0"/><LinearNorm orig="10" norm="1"/></NormContinuous>`, "double", 20.0, "", "2"},
		{"norm continuous extreme", `<NormContinuous field="sl" outliers="asExtremeValues"><LinearNorm orig="0" norm="0"/><LinearNorm orig="10" norm="1"/></NormContinuous>`, "double", 20.0, "", "1"},
		{"norm continuous missing", `<NormContinuous field="sl" mapMissingTo="-1"><LinearNorm orig="0" norm="0"/><LinearNorm orig="10" norm="1"/></NormContinuous>`, "double", nil, "", "-1"},
		{"norm discrete", `<NormDiscrete field="sp" value="a"/>`, "double", 1.0, "a", "1"},
		{"map values default", `<MapValues outputColumn="o" defaultValue="?"><FieldColumnPair field="sp" column="i"/><InlineTable><row><i>a</i><o>A</o></row></InlineTable></MapValues>`, "string", 1.0, "b", "?"},
		{"map values hit", `<MapValues outputColumn="o"><FieldColumnPair field="sp" column="i"/><InlineTable><row><i>a</i><o>A</o></row></InlineTable></MapValues>`, "string", 1.0, "a", "A"},
		{"arithmetic", `<Apply function="+"><FieldRef field="sl"/><Apply function="pow"><Constant>2</Constant><Constant>3</Constant></Apply></Apply>`, "double", 1.5, "", "9.5"},
		{"missing propagates", `<Apply function="*"><FieldRef field="sl"/><Constant>2</Constant></Apply>`, "double", nil, "", ""},
		{"mapMissingTo", `<Apply function="*" mapMissingTo="7"><FieldRef field="sl"/><Constant>2</Constant></Apply>`, "double", nil, "", "7"},
		{"if and comparison", `<Apply function="if"><Apply function="greaterThan"><FieldRef field="sl"/><Constant>2</Constant></Apply><Constant>10</Constant><Constant>20</Constant></Apply>`, "double", 3.0, "", "10"},
		{"string functions", `<Apply function="concat"><Apply function="uppercase"><FieldRef field="sp"/></Apply><Constant dataType="string">-</Constant><Apply function="substring"><Constant dataType="string">scoregate</Constant><Constant>1</Constant><Constant>5</Constant></Apply></Apply>`, "string", 1.0, "ab", "AB-score"},
		{"isIn", `<Apply function="isIn"><FieldRef field="sp"/><Constant>x</Constant><Constant>y</Constant></Apply>`, "boolean", 1.0, "y", "true"},
		{"threshold and round", `<Apply function="round"><Apply function="*"><Apply function="threshold"><FieldRef field="sl"/><Constant>1</Constant></Apply><Constant>2.6</Constant></Apply></Apply>`, "double", 2.0, "", "3"},
		{"integer cast", `<Apply function="floor"><FieldRef field="sl"/></Apply>`, "integer", 2.7, "", "2"},
		{"float cast", `<FieldRef field="sl"/>`, "float", 0.1, "", "0.10000000149011612"},
		{"date", `<Apply function="dateDaysSinceYear"><Constant dataType="date">1970-01-11</Constant><Constant>1970</Constant></Apply>`, "double", 1.0, "", "10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := pmml.Compile(strings.NewReader(transform(tt.expr, tt.dataType)), pmml.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			row, out := m.NewRow(), m.NewOutput()
			switch v := tt.sl.(type) {
			case float64:
				row.SetFloat(0, v)
			case string:
				row.SetString(0, v)
			}
			if tt.sp != "" {
				row.SetString(1, tt.sp)
			}
			if err := m.Score(row, out); err != nil {
				t.Fatal(err)
			}
			if got := out[0].String(); got != tt.want {
				t.Errorf("got %s %q; want %q", out[0].Kind, got, tt.want)
			}
		})
	}
}

// TestMiningFieldTreatments covers the MiningSchema's treatment of
// missing, invalid and outlying values.
func TestMiningFieldTreatments(t *testing.T) {
	t.Parallel()
	model := func(attrs string) string {
		return doc(`
		<DataField name="x" optype="continuous" dataType="double"><Interval closure="closedClosed" leftMargin="0" rightMargin="10"/><Value value="-1" property="missing"/></DataField>
		<DataField name="y" optype="continuous" dataType="double"/>`, `
	<RegressionModel functionName="regression">
		<MiningSchema><MiningField name="y" usageType="target"/><MiningField name="x" `+attrs+`/></MiningSchema>
		<RegressionTable intercept="0"><NumericPredictor name="x" coefficient="1"/></RegressionTable>
	</RegressionModel>`)
	}
	tests := []struct {
		name, attrs string
		in          any
		want        string // result, "" missing, "error" a row error
	}{
		{"valid", ``, 3.0, "3"},
		{"invalid returns an error", ``, 11.0, "error"},
		{"text in a number field", ``, "abc", "error"},
		{"NaN is invalid", ``, math.NaN(), "error"},
		{"declared missing value", `missingValueReplacement="5"`, -1.0, "5"},
		{"missing replaced", `missingValueReplacement="5"`, nil, "5"},
		{"missing stays missing", ``, nil, ""},
		{"missing returnInvalid", `missingValueTreatment="returnInvalid"`, nil, "error"},
		{"invalid asMissing", `invalidValueTreatment="asMissing" missingValueReplacement="2"`, 11.0, "2"},
		{"invalid asValue", `invalidValueTreatment="asValue" invalidValueReplacement="4"`, 11.0, "4"},
		{"invalid asIs", `invalidValueTreatment="asIs"`, 11.0, "11"},
		{"outliers asExtremeValues", `outliers="asExtremeValues" lowValue="1" highValue="8"`, 9.0, "8"},
		{"outliers asMissingValues", `outliers="asMissingValues" lowValue="1" highValue="8"`, 0.5, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := pmml.Compile(strings.NewReader(model(tt.attrs)), pmml.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			row, out := m.NewRow(), m.NewOutput()
			switch v := tt.in.(type) {
			case float64:
				row.SetFloat(0, v)
			case string:
				row.SetString(0, v)
			}
			err = m.Score(row, out)
			switch {
			case tt.want == "error":
				var e *scoregate.Error
				if !errors.As(err, &e) || e.Target != "x" {
					t.Errorf("Score = %v; want a row error about x", err)
				}
			case err != nil:
				t.Errorf("Score: %v", err)
			case out[0].String() != tt.want:
				t.Errorf("got %s %q; want %q", out[0].Kind, out[0].String(), tt.want)
			}
		})
	}
}

// TestCompileRejects checks that what the evaluator does not implement
// fails Compile with the element and its line, never a silent score.
func TestCompileRejects(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, doc, want string }{
		{"unknown function", transform(`<Apply function="x-unknown"><FieldRef field="sl"/></Apply>`, "double"), `line 13: <Apply> function "x-unknown" is not supported`},
		{"model kind", doc(irisDict, `<TimeSeriesModel functionName="timeSeries"><MiningSchema><MiningField name="sl"/></MiningSchema></TimeSeriesModel>`), "<TimeSeriesModel> this model type is not supported"},
		{"undefined field", transform(`<FieldRef field="nope"/>`, "double"), `<FieldRef> refers to field "nope"`},
		{"derived cycle", transform(`<FieldRef field="d"/>`, "double"), `DerivedField "d" depends on itself`},
		{"recursive function", doc(irisDict, `<TransformationDictionary><DefineFunction name="f" optype="continuous"><ParameterField name="a"/><Apply function="f"><FieldRef field="a"/></Apply></DefineFunction></TransformationDictionary>`+treeModel), `function "f" calls itself`},
		{"unknown strategy", strings.Replace(doc(irisDict, treeModel), `<TreeModel functionName="classification"`, `<TreeModel functionName="classification" missingValueStrategy="guess"`, 1), `unknown missingValueStrategy "guess"`},
		{"element in a node", strings.Replace(doc(irisDict, treeModel), `<True/>`, `<True/><EmbeddedModel/>`, 1), `<EmbeddedModel> in a Node is not supported`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := pmml.Compile(strings.NewReader(tt.doc), pmml.Limits{})
			var e *scoregate.Error
			if !errors.As(err, &e) || e.Code != scoregate.CodeInvalidModel || !strings.Contains(e.Message, tt.want) {
				t.Errorf("Compile = %v; want InvalidModel containing %q", err, tt.want)
			}
		})
	}
}

// TestCompileLimits checks MaxNodes and MaxSegments.
func TestCompileLimits(t *testing.T) {
	t.Parallel()
	forest := genForest(3, 3, 2, 0)
	if _, err := pmml.Compile(strings.NewReader(string(forest)), pmml.Limits{MaxSegments: 2}); err == nil || !strings.Contains(err.Error(), "more than 2 Segments") {
		t.Errorf("MaxSegments 2: %v", err)
	}
	if _, err := pmml.Compile(strings.NewReader(string(forest)), pmml.Limits{MaxNodes: 10}); err == nil || !strings.Contains(err.Error(), "more than 10 tree Nodes") {
		t.Errorf("MaxNodes 10: %v", err)
	}
	if _, err := pmml.Compile(strings.NewReader(string(forest)), pmml.Limits{}); err != nil {
		t.Errorf("default limits: %v", err)
	}
}

// TestSchemaMatchesInspect checks that Compile reports the schema Inspect
// does, for the corpus.
func TestSchemaMatchesInspect(t *testing.T) {
	t.Parallel()
	for _, seed := range compileSeeds {
		m, err := pmml.Compile(strings.NewReader(seed), pmml.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		info, err := pmml.Inspect(strings.NewReader(seed), pmml.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if describe(m.Schema()) != describe(info) {
			t.Errorf("Compile schema %s; Inspect %s", describe(m.Schema()), describe(info))
		}
	}
}

// TestScoreBatch checks that batch scoring on all cores gives what Score
// gives row by row, errors included.
func TestScoreBatch(t *testing.T) {
	t.Parallel()
	m, err := pmml.Compile(strings.NewReader(string(genForest(20, 6, 5, 3))), pmml.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	rows := randomRows(m, 1000)
	rows[17].SetString(2, "not a number") // a row error
	outs, errs := make([][]pmml.Value, len(rows)), make([]error, len(rows))
	for i := range outs {
		outs[i] = m.NewOutput()
	}
	if failed := m.ScoreBatch(rows, outs, errs); failed != 1 || errs[17] == nil {
		t.Fatalf("ScoreBatch failed %d rows (row 17: %v); want row 17 alone", failed, errs[17])
	}
	want := m.NewOutput()
	for i, row := range rows {
		err := m.Score(row, want)
		if (err != nil) != (errs[i] != nil) {
			t.Fatalf("row %d: Score error %v, ScoreBatch error %v", i, err, errs[i])
		}
		for j := range want {
			if want[j] != outs[i][j] {
				t.Fatalf("row %d output %d: Score %v, ScoreBatch %v", i, j, want[j], outs[i][j])
			}
		}
	}
}

// TestSegmentation combines three constant trees by each method.
func TestSegmentation(t *testing.T) {
	t.Parallel()
	seg := func(id, weight, pred, score, function string) string {
		return `<Segment id="` + id + `" weight="` + weight + `">` + pred + `<TreeModel functionName="` + function + `"><MiningSchema><MiningField name="sl"/></MiningSchema><Node score="` + score + `"><True/></Node></TreeModel></Segment>`
	}
	mining := func(function, method, segs, output string) string {
		target := `<MiningField name="y" usageType="target"/>`
		dict := `<DataField name="sl" optype="continuous" dataType="double"/><DataField name="y" optype="continuous" dataType="double"/>`
		if function == "classification" {
			dict = `<DataField name="sl" optype="continuous" dataType="double"/><DataField name="y" optype="categorical" dataType="string"><Value value="a"/><Value value="b"/></DataField>`
		}
		return doc(dict, `<MiningModel functionName="`+function+`"><MiningSchema>`+target+`<MiningField name="sl"/></MiningSchema>`+output+`
			<Segmentation multipleModelMethod="`+method+`">`+segs+`</Segmentation></MiningModel>`)
	}
	numbers := seg("1", "1", "<True/>", "1", "regression") + seg("2", "1", "<True/>", "2", "regression") + seg("3", "2", "<True/>", "6", "regression")
	labels := seg("1", "1", "<True/>", "a", "classification") + seg("2", "1", "<True/>", "b", "classification") + seg("3", "3", "<True/>", "a", "classification")
	tests := []struct {
		name, doc string
		want      []string
	}{
		{"sum", mining("regression", "sum", numbers, ""), []string{"9"}},
		{"average", mining("regression", "average", numbers, ""), []string{"3"}},
		{"weightedAverage", mining("regression", "weightedAverage", numbers, ""), []string{"3.75"}},
		{"weightedSum", mining("regression", "weightedSum", numbers, ""), []string{"15"}},
		{"median", mining("regression", "median", numbers, ""), []string{"2"}},
		{"weightedMedian", mining("regression", "weightedMedian", numbers, ""), []string{"2"}},
		{"max", mining("regression", "max", numbers, ""), []string{"6"}},
		{"modelChain", mining("regression", "modelChain", numbers, ""), []string{"6"}},
		{"selectFirst", mining("regression", "selectFirst", strings.Replace(numbers, "<True/>", "<False/>", 1), ""), []string{"2"}},
		{"selectAll by segmentId", mining("regression", "selectAll", numbers, `<Output><OutputField name="s2" feature="predictedValue" segmentId="2"/><OutputField name="s3" feature="predictedValue" segmentId="3"/></Output>`), []string{"2", "6"}},
		{"majorityVote", mining("classification", "majorityVote", labels, ""), []string{"a", "0.6666666666666666", "0.3333333333333333"}},
		{"weightedMajorityVote", mining("classification", "weightedMajorityVote", strings.Replace(labels, `weight="3"`, `weight="0.5"`, 1), ""), []string{"a", "0.6", "0.4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := pmml.Compile(strings.NewReader(tt.doc), pmml.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			row, out := m.NewRow(), m.NewOutput()
			row.SetFloat(0, 1)
			if err := m.Score(row, out); err != nil {
				t.Fatal(err)
			}
			for i, want := range tt.want {
				if got := out[i].String(); got != want {
					t.Errorf("output %d (%s) = %q; want %q", i, m.Schema().Output.Fields[i].Name, got, want)
				}
			}
		})
	}
}

// TestTargets checks the Target of a regression: clamp, rescale, round,
// and the default value when the model cannot predict.
func TestTargets(t *testing.T) {
	t.Parallel()
	model := func(target string) string {
		return doc(`<DataField name="x" optype="continuous" dataType="double"/><DataField name="y" optype="continuous" dataType="double"/>`, `
	<RegressionModel functionName="regression">
		<MiningSchema><MiningField name="y" usageType="target"/><MiningField name="x"/></MiningSchema>
		<Targets>`+target+`</Targets>
		<RegressionTable intercept="0"><NumericPredictor name="x" coefficient="1"/></RegressionTable>
	</RegressionModel>`)
	}
	tests := []struct {
		name, target string
		x            any
		want         string
	}{
		{"rescale", `<Target field="y" rescaleFactor="2" rescaleConstant="1"/>`, 3.0, "7"},
		{"clamp before rescale", `<Target field="y" max="2" rescaleFactor="10"/>`, 3.0, "20"},
		{"castInteger", `<Target field="y" castInteger="floor"/>`, 3.7, "3"},
		{"default value", `<Target field="y"><TargetValue defaultValue="42"/></Target>`, nil, "42"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := pmml.Compile(strings.NewReader(model(tt.target)), pmml.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			row, out := m.NewRow(), m.NewOutput()
			if f, ok := tt.x.(float64); ok {
				row.SetFloat(0, f)
			}
			if err := m.Score(row, out); err != nil {
				t.Fatal(err)
			}
			if got := out[0].String(); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}
