package pmml_test

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/scoring/pmml"
)

// doc returns a PMML 4.4 document with the given DataDictionary content and
// model element.
func doc(dict, model string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
	<Header description="test"/>
	<DataDictionary>` + dict + `
	</DataDictionary>
	` + model + `
</PMML>
`
}

// irisDict declares four measurements and a species.
const irisDict = `
		<DataField name="sl" optype="continuous" dataType="double"/>
		<DataField name="sw" optype="continuous" dataType="double"/>
		<DataField name="pl" optype="continuous" dataType="double"/>
		<DataField name="pw" optype="continuous" dataType="double"/>
		<DataField name="species" optype="categorical" dataType="string">
			<Value value="setosa"/><Value value="versicolor"/><Value value="virginica"/>
		</DataField>`

func ptr(f float64) *float64 { return &f }

// in and out build expected fields.
func in(name, dataType, opType string) scoregate.Field {
	return scoregate.Field{Name: name, DataType: dataType, OpType: opType}
}

func out(name, dataType, opType, feature, value string) scoregate.Field {
	return scoregate.Field{Name: name, DataType: dataType, OpType: opType, Feature: feature, TargetValue: value}
}

func prob(class string) scoregate.Field {
	return out("probability("+class+")", "double", "continuous", "probability", class)
}

func withValues(f scoregate.Field, values ...string) scoregate.Field {
	f.Values = values
	return f
}

func TestInspect(t *testing.T) {
	t.Parallel()
	species := withValues(out("species", "string", "categorical", "predictedValue", ""), "setosa", "versicolor", "virginica")
	irisInputs := []scoregate.Field{
		in("sl", "double", "continuous"), in("sw", "double", "continuous"),
		in("pl", "double", "continuous"), in("pw", "double", "continuous"),
	}
	tests := []struct {
		name string
		doc  string
		want scoregate.ModelInfo
	}{{
		name: "usage types: only active fields are inputs",
		doc: doc(irisDict+`
		<DataField name="id" optype="categorical" dataType="string"/>
		<DataField name="basket" optype="categorical" dataType="string"/>
		<DataField name="seq" optype="continuous" dataType="integer"/>
		<DataField name="freq" optype="continuous" dataType="double"/>
		<DataField name="w" optype="continuous" dataType="double"/>`, `
	<TreeModel functionName="regression">
		<MiningSchema>
			<MiningField name="pw" usageType="target"/>
			<MiningField name="sl"/>
			<MiningField name="id" usageType="supplementary"/>
			<MiningField name="sw" usageType="active"/>
			<MiningField name="basket" usageType="group"/>
			<MiningField name="seq" usageType="order"/>
			<MiningField name="freq" usageType="frequencyWeight"/>
			<MiningField name="w" usageType="analysisWeight"/>
		</MiningSchema>
		<Node score="1"><True/></Node>
	</TreeModel>`),
		want: scoregate.ModelInfo{
			Kind: "TreeModel", FunctionName: "regression",
			Input:  scoregate.Schema{Fields: []scoregate.Field{in("sl", "double", "continuous"), in("sw", "double", "continuous")}},
			Output: scoregate.Schema{Fields: []scoregate.Field{out("pw", "double", "continuous", "predictedValue", "")}},
		},
	}, {
		name: "PMML 3 predicted usage is a target; no Output gives class probabilities",
		doc: doc(irisDict, `
	<TreeModel functionName="classification">
		<MiningSchema>
			<MiningField name="sl"/><MiningField name="sw"/><MiningField name="pl"/><MiningField name="pw"/>
			<MiningField name="species" usageType="predicted"/>
		</MiningSchema>
		<Node score="setosa"><True/></Node>
	</TreeModel>`),
		want: scoregate.ModelInfo{
			Kind: "TreeModel", FunctionName: "classification",
			Input:  scoregate.Schema{Fields: irisInputs},
			Output: scoregate.Schema{Fields: []scoregate.Field{species, prob("setosa"), prob("versicolor"), prob("virginica")}},
		},
	}, {
		name: "no Output: categories come from Targets first",
		doc: doc(irisDict, `
	<NaiveBayesModel functionName="classification" threshold="0.001">
		<MiningSchema>
			<MiningField name="pl"/><MiningField name="species" usageType="target"/>
		</MiningSchema>
		<Targets><Target field="species" optype="categorical">
			<TargetValue value="virginica" priorProbability="0.5"/><TargetValue value="setosa" priorProbability="0.5"/>
		</Target></Targets>
		<BayesInputs/><BayesOutput fieldName="species"/>
	</NaiveBayesModel>`),
		want: scoregate.ModelInfo{
			Kind: "NaiveBayesModel", FunctionName: "classification",
			Input:  scoregate.Schema{Fields: []scoregate.Field{in("pl", "double", "continuous")}},
			Output: scoregate.Schema{Fields: []scoregate.Field{species, prob("virginica"), prob("setosa")}},
		},
	}, {
		name: "no Output and no target: one predicted value",
		doc: doc(irisDict, `
	<ClusteringModel functionName="clustering" modelClass="centerBased" numberOfClusters="1">
		<MiningSchema><MiningField name="sl"/></MiningSchema>
		<ComparisonMeasure kind="distance"><squaredEuclidean/></ComparisonMeasure>
		<ClusteringField field="sl"/>
		<Cluster id="1"><Array n="1" type="real">5.8</Array></Cluster>
	</ClusteringModel>`),
		want: scoregate.ModelInfo{
			Kind: "ClusteringModel", FunctionName: "clustering",
			Input:  scoregate.Schema{Fields: []scoregate.Field{in("sl", "double", "continuous")}},
			Output: scoregate.Schema{Fields: []scoregate.Field{out("predictedValue", "string", "categorical", "predictedValue", "")}},
		},
	}, {
		name: "Output: final fields in order, types inferred from feature and target",
		doc: doc(irisDict, `
	<RegressionModel functionName="classification" normalizationMethod="softmax">
		<MiningSchema>
			<MiningField name="species" usageType="target"/><MiningField name="pl"/>
		</MiningSchema>
		<Output>
			<OutputField name="label"/>
			<OutputField name="p_setosa" feature="probability" value="setosa"/>
			<OutputField name="raw" optype="continuous" dataType="double" isFinalResult="false"/>
			<OutputField name="p_max" feature="probability"/>
			<OutputField name="shown" feature="predictedDisplayValue"/>
			<OutputField name="score" feature="transformedValue" dataType="float">
				<Apply function="*"><FieldRef field="raw"/><Constant>2</Constant></Apply>
			</OutputField>
			<OutputField name="cluster" feature="clusterId"/>
		</Output>
		<RegressionTable intercept="1" targetCategory="setosa"/>
	</RegressionModel>`),
		want: scoregate.ModelInfo{
			Kind: "RegressionModel", FunctionName: "classification",
			Input: scoregate.Schema{Fields: []scoregate.Field{in("pl", "double", "continuous")}},
			Output: scoregate.Schema{Fields: []scoregate.Field{
				withValues(out("label", "string", "categorical", "predictedValue", ""), "setosa", "versicolor", "virginica"),
				out("p_setosa", "double", "continuous", "probability", "setosa"),
				out("p_max", "double", "continuous", "probability", ""),
				out("shown", "string", "categorical", "predictedDisplayValue", ""),
				out("score", "float", "continuous", "transformedValue", ""),
				out("cluster", "integer", "continuous", "clusterId", ""),
			}},
		},
	}, {
		name: "Output without final results counts as no Output",
		doc: doc(irisDict, `
	<RegressionModel functionName="regression">
		<MiningSchema><MiningField name="pl"/><MiningField name="pw" usageType="target"/></MiningSchema>
		<Output><OutputField name="raw" dataType="double" isFinalResult="false"/></Output>
		<RegressionTable intercept="0.5"/>
	</RegressionModel>`),
		want: scoregate.ModelInfo{
			Kind: "RegressionModel", FunctionName: "regression",
			Input:  scoregate.Schema{Fields: []scoregate.Field{in("pl", "double", "continuous")}},
			Output: scoregate.Schema{Fields: []scoregate.Field{out("pw", "double", "continuous", "predictedValue", "")}},
		},
	}, {
		name: "intervals, valid values only, optype override and replacement",
		doc: doc(`
		<DataField name="x" optype="continuous" dataType="double">
			<Interval closure="closedOpen" leftMargin="0" rightMargin="1.5"/>
			<Interval closure="openClosed" leftMargin="2"/>
			<Interval closure="openOpen" leftMargin="-INF" rightMargin="-1"/>
			<Value value="NaN" property="missing"/>
			<Value value="-999" property="invalid"/>
		</DataField>
		<DataField name="color" optype="categorical" dataType="string">
			<Value value="red" property="valid"/><Value value="?" property="missing"/>
			<Value value="green"/><Value value="plaid" property="invalid"/>
		</DataField>
		<DataField name="grade" optype="continuous" dataType="integer"/>
		<DataField name="y" optype="continuous" dataType="double"/>`, `
	<GeneralRegressionModel functionName="regression" modelType="generalLinear">
		<MiningSchema>
			<MiningField name="x" missingValueReplacement="0.5" missingValueTreatment="asMean"/>
			<MiningField name="color" missingValueTreatment="asMode"/>
			<MiningField name="grade" optype="ordinal" missingValueReplacement=""/>
			<MiningField name="y" usageType="target"/>
		</MiningSchema>
		<ParameterList/>
	</GeneralRegressionModel>`),
		want: scoregate.ModelInfo{
			Kind: "GeneralRegressionModel", FunctionName: "regression",
			Input: scoregate.Schema{Fields: []scoregate.Field{
				{Name: "x", DataType: "double", OpType: "continuous", Optional: true, Intervals: []scoregate.Interval{
					{Closure: "closedOpen", Left: ptr(0), Right: ptr(1.5)},
					{Closure: "openClosed", Left: ptr(2)},
					{Closure: "openOpen", Left: ptr(math.Inf(-1)), Right: ptr(-1)},
				}},
				withValues(in("color", "string", "categorical"), "red", "green"),
				{Name: "grade", DataType: "integer", OpType: "ordinal", Optional: true},
			}},
			Output: scoregate.Schema{Fields: []scoregate.Field{out("y", "double", "continuous", "predictedValue", "")}},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := pmml.Inspect(strings.NewReader(tt.doc), pmml.DefaultLimits())
			if err != nil {
				t.Fatalf("Inspect: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Inspect =\n%s\nwant\n%s", describe(got), describe(tt.want))
			}
		})
	}
}

// describe prints a ModelInfo readably, pointers included.
func describe(info scoregate.ModelInfo) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s/%s\n", info.Kind, info.FunctionName)
	for _, s := range []struct {
		dir string
		fs  []scoregate.Field
	}{{"in", info.Input.Fields}, {"out", info.Output.Fields}} {
		for _, f := range s.fs {
			fmt.Fprintf(&b, "  %s %q %s/%s values=%q optional=%v feature=%q target=%q", s.dir, f.Name, f.DataType, f.OpType, f.Values, f.Optional, f.Feature, f.TargetValue)
			for _, in := range f.Intervals {
				fmt.Fprintf(&b, " %s[%s,%s]", in.Closure, bound(in.Left), bound(in.Right))
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func bound(f *float64) string {
	if f == nil {
		return "nil"
	}
	return fmt.Sprint(*f)
}
