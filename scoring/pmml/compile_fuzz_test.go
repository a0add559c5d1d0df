package pmml_test

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/fixtures"
	"github.com/scoregate/scoregate/scoring/pmml"
)

// compileSeeds are small documents that reach every part of Compile:
// transformations, each model kind and combination method, the missing
// value strategies.
var compileSeeds = []string{
	doc(irisDict, treeModel),
	doc(irisDict, `<TransformationDictionary>
		<DefineFunction name="twice" optype="continuous" dataType="double"><ParameterField name="x"/><Apply function="*"><FieldRef field="x"/><Constant>2</Constant></Apply></DefineFunction>
		<DerivedField name="d" optype="continuous" dataType="double"><Apply function="twice"><FieldRef field="sl"/></Apply></DerivedField>
		<DerivedField name="bin" optype="categorical" dataType="string"><Discretize field="d" defaultValue="mid" mapMissingTo="none"><DiscretizeBin binValue="low"><Interval closure="openOpen" rightMargin="5"/></DiscretizeBin></Discretize></DerivedField>
		<DerivedField name="m" optype="categorical" dataType="string"><MapValues outputColumn="out" defaultValue="x"><FieldColumnPair field="bin" column="in"/><InlineTable><row><in>low</in><out>L</out></row></InlineTable></MapValues></DerivedField>
	</TransformationDictionary>
	<RegressionModel functionName="classification" normalizationMethod="softmax">
		<MiningSchema><MiningField name="species" usageType="target"/><MiningField name="sl" missingValueReplacement="5" outliers="asExtremeValues" lowValue="0" highValue="9"/><MiningField name="pl" invalidValueTreatment="asMissing"/></MiningSchema>
		<Output><OutputField name="p" feature="probability" value="setosa"/><OutputField name="t" feature="transformedValue"><Apply function="if"><Apply function="isMissing"><FieldRef field="m"/></Apply><Constant>1</Constant><NormContinuous field="d"><LinearNorm orig="0" norm="0"/><LinearNorm orig="10" norm="1"/></NormContinuous></Apply></OutputField></Output>
		<RegressionTable intercept="1" targetCategory="setosa"><NumericPredictor name="d" coefficient="0.5"/><CategoricalPredictor name="m" value="L" coefficient="1"/></RegressionTable>
		<RegressionTable intercept="0" targetCategory="versicolor"><PredictorTerm coefficient="2"><FieldRef field="sl"/><FieldRef field="pl"/></PredictorTerm></RegressionTable>
	</RegressionModel>`),
	doc(irisDict, `<MiningModel functionName="classification">
		<MiningSchema><MiningField name="species" usageType="target"/><MiningField name="sl"/><MiningField name="pl"/></MiningSchema>
		<Segmentation multipleModelMethod="majorityVote">
			<Segment id="a"><SimplePredicate field="sl" operator="greaterThan" value="1"/>`+treeModel+`</Segment>
			<Segment id="b"><True/><TreeModel functionName="classification" missingValueStrategy="defaultChild"><MiningSchema><MiningField name="species" usageType="target"/><MiningField name="pl"/></MiningSchema>
				<Node id="r" score="setosa" defaultChild="l"><True/><Node id="l" score="versicolor"><CompoundPredicate booleanOperator="surrogate"><SimplePredicate field="pl" operator="lessThan" value="2"/><False/></CompoundPredicate></Node><Node score="virginica"><SimpleSetPredicate field="pl" booleanOperator="isNotIn"><Array type="real">1 2 "3"</Array></SimpleSetPredicate></Node></Node>
			</TreeModel></Segment>
		</Segmentation></MiningModel>`),
	doc(irisDict, `<MiningModel functionName="regression" x-mathContext="float">
		<MiningSchema><MiningField name="sl"/><MiningField name="pl"/></MiningSchema>
		<Targets><Target rescaleConstant="0.5" castInteger="round" min="0" max="100"/></Targets>
		<Segmentation multipleModelMethod="modelChain">
			<Segment><True/><TreeModel functionName="regression" noTrueChildStrategy="returnLastPrediction"><MiningSchema><MiningField name="sl"/></MiningSchema><Output><OutputField name="s1" feature="predictedValue"/></Output>
				<Node score="1"><True/><Node score="2"><SimplePredicate field="sl" operator="isMissing"/></Node></Node></TreeModel></Segment>
			<Segment><True/><RegressionModel functionName="regression" normalizationMethod="exp"><MiningSchema><MiningField name="s1"/></MiningSchema><RegressionTable intercept="0"><NumericPredictor name="s1" coefficient="1" exponent="2"/></RegressionTable></RegressionModel></Segment>
		</Segmentation></MiningModel>`),
}

// FuzzCompile feeds Compile arbitrary documents: it must never panic,
// must blame every failure on the document with an InvalidModel or
// ModelTooLarge error, and must score what it accepts without panicking.
func FuzzCompile(f *testing.F) {
	f.Add(fixtures.DemoModel)
	f.Add(fixtures.DemoModelV2)
	for _, seed := range compileSeeds {
		f.Add([]byte(seed))
	}
	f.Fuzz(fuzzCompiled)
}

// fuzzLimits keep fuzzed documents small enough to compile quickly.
var fuzzLimits = pmml.Limits{MaxBytes: 1 << 16, MaxDepth: 64, MaxNodes: 1000, MaxSegments: 100}

// fuzzCompiled is the body of every Compile fuzz target: Compile must
// blame any failure on the document (InvalidModel or ModelTooLarge, with a
// message), and what it accepts must score, or refuse as a row error,
// rows of missing values and of assorted text in every field.
func fuzzCompiled(t *testing.T, data []byte) {
	m, err := pmml.Compile(bytes.NewReader(data), fuzzLimits)
	if err != nil {
		checkDocumentError(t, err)
		return
	}
	row, out := m.NewRow(), m.NewOutput()
	scoreChecked(t, m, row, out)
	for _, text := range []string{"1.5", "0", "-1e308", "v"} {
		for i := range row {
			row.SetString(i, text)
		}
		scoreChecked(t, m, row, out)
	}
}

// scoreChecked scores a row, failing on an error that is not a row error.
func scoreChecked(t *testing.T, m *pmml.Model, row pmml.Row, out []pmml.Value) {
	t.Helper()
	if err := m.Score(row, out); err != nil {
		var e *scoregate.Error
		if !errors.As(err, &e) || e.Class != scoregate.BadUserArgument {
			t.Fatalf("Score error %v (%T) is not a BadUserArgument", err, err)
		}
	}
}

// FuzzScore scores the demo model with arbitrary inputs: NaN, infinities,
// huge and unknown strings. It must never panic, and must either score
// the row or reject it with a BadUserArgument naming the field.
func FuzzScore(f *testing.F) {
	m, err := pmml.Compile(bytes.NewReader(fixtures.DemoModel), pmml.DefaultLimits())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(5.1, 3.5, 1.4, 0.2, "", uint8(0))
	f.Add(math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), "NaN", uint8(0b1010))
	f.Add(1e308, -1e308, 5e-324, 7.0, strings.Repeat("x", 1<<16), uint8(0b1111))
	f.Add(6.0, 3.0, 4.8, 1.8, "4.8e0", uint8(0b0100))
	f.Fuzz(func(t *testing.T, a, b, c, d float64, s string, mode uint8) {
		row, out := m.NewRow(), m.NewOutput()
		for i, v := range []float64{a, b, c, d} {
			switch mode >> (2 * i) & 3 {
			case 0:
				row.SetFloat(i, v)
			case 1:
				row.SetString(i, s)
			case 2:
				row.SetMissing(i)
			case 3:
				row.SetString(i, " "+s+" ")
			}
		}
		err := m.Score(row, out)
		if err != nil {
			var e *scoregate.Error
			if !errors.As(err, &e) || e.Class != scoregate.BadUserArgument || e.Target == "" {
				t.Fatalf("Score error %v; want a BadUserArgument naming the field", err)
			}
			return
		}
		for i, v := range out {
			if v.Kind == pmml.KindNumber && (math.IsNaN(v.Num) || v.Num < 0 || v.Num > 1) && i > 0 {
				t.Fatalf("probability %d = %v", i, v.Num)
			}
		}
	})
}

// checkDocumentError fails t unless err blames the document: an
// InvalidModel or ModelTooLarge *scoregate.Error with a message.
func checkDocumentError(t *testing.T, err error) {
	t.Helper()
	var e *scoregate.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *scoregate.Error", err, err)
	}
	ok := (e.Class == scoregate.BadUserArgument && e.Code == scoregate.CodeInvalidModel) ||
		(e.Class == scoregate.RequestEntityTooLarge && e.Code == scoregate.CodeModelTooLarge)
	if !ok || e.Message == "" {
		t.Fatalf("error %s/%s %q; want InvalidModel or ModelTooLarge with a message", e.Class, e.Code, e.Message)
	}
}
