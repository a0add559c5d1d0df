package pmml_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/scoring/pmml"
)

// The conformance corpus lives outside the repository (most of it is
// AGPL-licensed test data that must not be copied in): in
// $SCOREGATE_PMML_CORPUS, or ../shared/pmml-corpus beside the repository.
// Each case is a folder <case>/ holding model.pmml.

// corpusDir returns the corpus folder, skipping the test when the default
// one is absent and failing it when SCOREGATE_PMML_CORPUS names a missing
// one.
func corpusDir(tb testing.TB) string {
	tb.Helper()
	if dir := os.Getenv("SCOREGATE_PMML_CORPUS"); dir != "" {
		if _, err := os.Stat(dir); err != nil {
			tb.Fatalf("SCOREGATE_PMML_CORPUS: %v", err)
		}
		return dir
	}
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for root := wd; ; root = filepath.Dir(root) {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			dir := filepath.Join(root, "..", "shared", "pmml-corpus")
			if _, err := os.Stat(dir); err != nil {
				tb.Skipf("PMML conformance corpus not found at %s; set SCOREGATE_PMML_CORPUS to its folder to run this test", dir)
			}
			return dir
		}
		if filepath.Dir(root) == root {
			tb.Skipf("no go.mod above %s, so no default PMML corpus; set SCOREGATE_PMML_CORPUS", wd)
		}
	}
}

// inspectFile inspects one corpus model.
func inspectFile(tb testing.TB, path string) scoregate.ModelInfo {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	info, err := pmml.Inspect(f, pmml.DefaultLimits())
	if err != nil {
		tb.Fatalf("Inspect(%s): %v", path, err)
	}
	return info
}

// TestInspectCorpus inspects every model of the corpus.
func TestInspectCorpus(t *testing.T) {
	t.Parallel()
	paths, err := filepath.Glob(filepath.Join(corpusDir(t), "*", "model.pmml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no <case>/model.pmml in the corpus (%v)", err)
	}
	for _, path := range paths {
		t.Run(filepath.Base(filepath.Dir(path)), func(t *testing.T) {
			t.Parallel()
			info := inspectFile(t, path)
			if info.Kind == "" || info.FunctionName == "" || len(info.Input.Fields) == 0 || len(info.Output.Fields) == 0 {
				t.Errorf("incomplete schema: %s", describe(info))
			}
		})
	}
}

func names(fs []scoregate.Field) []string {
	var ns []string
	for _, f := range fs {
		ns = append(ns, f.Name)
	}
	return ns
}

// field returns the field called name, failing the test when there is none.
func field(t *testing.T, s scoregate.Schema, name string) scoregate.Field {
	t.Helper()
	f, ok := s.Field(name)
	if !ok {
		t.Fatalf("no field %q in %q", name, names(s.Fields))
	}
	return f
}

// TestInspectCorpusFacts checks schema facts read off the corpus files by
// hand, across exporters and model types.
func TestInspectCorpusFacts(t *testing.T) {
	t.Parallel()
	dir := corpusDir(t)
	iris := []string{"Sepal_Length", "Sepal_Width", "Petal_Length", "Petal_Width"}
	tests := []struct {
		name    string // case folder
		kind    string
		inputs  []string
		outputs []string
		check   func(t *testing.T, info scoregate.ModelInfo)
	}{{
		name: "rattle-DecisionTreeIris", kind: "TreeModel", inputs: iris,
		outputs: []string{"Predicted_Species", "Probability_setosa", "Probability_versicolor", "Probability_virginica"},
		check: func(t *testing.T, info scoregate.ModelInfo) {
			want := []scoregate.Interval{{Closure: "closedClosed", Left: ptr(4.3), Right: ptr(7.9)}}
			if got := field(t, info.Input, "Sepal_Length").Intervals; !reflect.DeepEqual(got, want) {
				t.Errorf("Sepal_Length intervals = %s", describe(info))
			}
			if p := field(t, info.Output, "Probability_versicolor"); p.Feature != "probability" || p.TargetValue != "versicolor" {
				t.Errorf("Probability_versicolor = %+v", p)
			}
		},
	}, {
		// MiningSchema order, not DataDictionary order.
		name: "sklearn-DecisionTreeIris", kind: "TreeModel",
		inputs:  []string{"Petal.Width", "Petal.Length", "Sepal.Length"},
		outputs: []string{"probability(setosa)", "probability(versicolor)", "probability(virginica)"},
	}, {
		// PMML 3.2 in the PMML-3_1 namespace.
		name: "rapidminer-DecisionTreeIris", kind: "TreeModel", inputs: iris,
		outputs: []string{"prediction(Species)", "confidence(setosa)", "confidence(versicolor)", "confidence(virginica)"},
		check: func(t *testing.T, info scoregate.ModelInfo) {
			if f := field(t, info.Output, "prediction(Species)"); f.Feature != "predictedValue" || f.DataType != "string" {
				t.Errorf("prediction(Species) = %+v", f)
			}
		},
	}, {
		name: "sklearn-LightGBMAudit", kind: "MiningModel",
		check: func(t *testing.T, info scoregate.ModelInfo) {
			// Income has <Value value="NaN" property="missing"/>: not a valid value.
			if f := field(t, info.Input, "Income"); len(f.Values) != 0 || len(f.Intervals) != 1 || *f.Intervals[0].Right != 481259.5 {
				t.Errorf("Income = %+v", f)
			}
			if f := field(t, info.Input, "Gender"); !reflect.DeepEqual(f.Values, []string{"Female", "Male"}) || f.OpType != "categorical" {
				t.Errorf("Gender = %+v", f)
			}
		},
	}, {
		name: "gopmml-CashOutFraudRF", kind: "MiningModel",
		outputs: []string{"probability(false)", "probability(true)"},
		check: func(t *testing.T, info scoregate.ModelInfo) {
			for _, f := range info.Input.Fields {
				if !f.Optional { // every input has a missingValueReplacement
					t.Errorf("%s is not Optional", f.Name)
				}
			}
		},
	}, {
		// No Output: the target and one probability per DataField Value.
		name: "dmgspec-TreeMissingDefaultChild", kind: "TreeModel",
		inputs:  []string{"temperature", "humidity", "outlook"},
		outputs: []string{"whatIdo", "probability(will play)", "probability(may play)", "probability(no play)"},
		check: func(t *testing.T, info scoregate.ModelInfo) {
			if f := field(t, info.Input, "outlook"); !reflect.DeepEqual(f.Values, []string{"sunny", "overcast", "rain"}) {
				t.Errorf("outlook values = %q", f.Values)
			}
			if f := field(t, info.Output, "whatIdo"); !reflect.DeepEqual(f.Values, []string{"will play", "may play", "no play"}) || f.Feature != "predictedValue" {
				t.Errorf("whatIdo = %+v", f)
			}
		},
	}, {
		// No Output: categories from Targets.
		name: "knime-SupportVectorMachineIris", kind: "SupportVectorMachineModel", inputs: iris,
		outputs: []string{"Species", "probability(setosa)", "probability(versicolor)", "probability(virginica)"},
	}, {
		// No Output at the top; the nested segments' Outputs do not count.
		name: "cpmml-HousingGBTClassifier_PCA", kind: "MiningModel",
		outputs: []string{"median_house_value", "probability(false)", "probability(true)"},
		check: func(t *testing.T, info scoregate.ModelInfo) {
			if f := field(t, info.Output, "median_house_value"); f.DataType != "boolean" {
				t.Errorf("median_house_value = %+v", f)
			}
		},
	}, {
		name: "sklearn-LinearRegressionAuto", kind: "RegressionModel",
		inputs:  []string{"cylinders", "model_year", "origin", "displacement", "horsepower", "weight", "acceleration"},
		outputs: []string{"mpg"},
		check: func(t *testing.T, info scoregate.ModelInfo) {
			f := field(t, info.Input, "cylinders")
			if f.DataType != "integer" || f.OpType != "categorical" || !reflect.DeepEqual(f.Values, []string{"3", "4", "5", "6", "8"}) {
				t.Errorf("cylinders = %+v", f)
			}
		},
	}, {
		// OutputFields without dataType: inferred.
		name: "rattle-KMeansIris", kind: "ClusteringModel", inputs: iris,
		outputs: []string{"predictedValue", "clusterAffinity_1", "clusterAffinity_2", "clusterAffinity_3"},
		check: func(t *testing.T, info scoregate.ModelInfo) {
			if f := field(t, info.Output, "predictedValue"); f.DataType != "string" {
				t.Errorf("predictedValue = %+v", f)
			}
			if f := field(t, info.Output, "clusterAffinity_2"); f.DataType != "double" || f.Feature != "clusterAffinity" {
				t.Errorf("clusterAffinity_2 = %+v", f)
			}
		},
	}, {
		name: "dmgspec-KNNIrisTwoTargets", kind: "NearestNeighborModel",
		inputs:  []string{"petal length", "petal width", "sepal length", "sepal width"},
		outputs: []string{"output_1", "output_2"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			info := inspectFile(t, filepath.Join(dir, tt.name, "model.pmml"))
			if info.Kind != tt.kind {
				t.Errorf("Kind = %q; want %q", info.Kind, tt.kind)
			}
			if tt.inputs != nil && !reflect.DeepEqual(names(info.Input.Fields), tt.inputs) {
				t.Errorf("inputs = %q; want %q", names(info.Input.Fields), tt.inputs)
			}
			if tt.outputs != nil && !reflect.DeepEqual(names(info.Output.Fields), tt.outputs) {
				t.Errorf("outputs = %q; want %q", names(info.Output.Fields), tt.outputs)
			}
			if tt.check != nil {
				tt.check(t, info)
			}
		})
	}
}
