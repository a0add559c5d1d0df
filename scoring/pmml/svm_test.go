package pmml_test

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/scoring/pmml"
)

// svmDict has two numeric inputs, a categorical one and both kinds of
// target.
const svmDict = `
	<DataField name="x1" optype="continuous" dataType="double"/>
	<DataField name="x2" optype="continuous" dataType="double"/>
	<DataField name="c" optype="categorical" dataType="string"><Value value="u"/><Value value="v"/></DataField>
	<DataField name="y" optype="categorical" dataType="string"><Value value="a"/><Value value="b"/><Value value="c"/></DataField>
	<DataField name="z" optype="continuous" dataType="double"/>`

// svmModel writes a SupportVectorMachineModel over x1, x2 and c; body is
// the kernel, VectorDictionary and machines.
func svmModel(function, attrs, body string) string {
	target, outputs := "z", `<OutputField name="out" feature="predictedValue"/>`
	if function == "classification" {
		target = "y"
		outputs += `<OutputField name="pa" feature="probability" value="a"/>` +
			`<OutputField name="pb" feature="probability" value="b"/>` +
			`<OutputField name="pc" feature="probability" value="c"/>`
	}
	return doc(svmDict, fmt.Sprintf(`<SupportVectorMachineModel functionName=%q %s>
	<MiningSchema><MiningField name="x1"/><MiningField name="x2"/><MiningField name="c"/><MiningField name="%s" usageType="target"/></MiningSchema>
	<Output>%s</Output>
	%s
	</SupportVectorMachineModel>`, function, attrs, target, outputs, body))
}

// svmVectors is a VectorDictionary over x1 and x2 with v1 = (1, 2), dense,
// and v2 = (-1, 0.5), sparse.
const svmVectors = `<VectorDictionary numberOfVectors="2">
	<VectorFields numberOfFields="2"><FieldRef field="x1"/><FieldRef field="x2"/></VectorFields>
	<VectorInstance id="v1"><Array n="2" type="real">1 2</Array></VectorInstance>
	<VectorInstance id="v2"><REAL-SparseArray n="2"><Indices>1 2</Indices><REAL-Entries>-1 0.5</REAL-Entries></REAL-SparseArray></VectorInstance>
	</VectorDictionary>`

// svmMachine is a SupportVectorMachine: value = c1 K(v1, x) + c2 K(v2, x) + b.
func svmMachine(attrs string, c1, c2, b float64) string {
	return fmt.Sprintf(`<SupportVectorMachine %s><SupportVectors><SupportVector vectorId="v1"/><SupportVector vectorId="v2"/></SupportVectors>
	<Coefficients absoluteValue="%v"><Coefficient value="%v"/><Coefficient value="%v"/></Coefficients></SupportVectorMachine>`, attrs, b, c1, c2)
}

// scoreNamed scores one row given by field name.
func scoreNamed(t *testing.T, m *pmml.Model, in map[string]string) []pmml.Value {
	t.Helper()
	row, out := m.NewRow(), m.NewOutput()
	for i, f := range m.Schema().Input.Fields {
		if v := in[f.Name]; v != "" { // "" stays missing
			row.SetString(i, v)
		}
	}
	if err := m.Score(row, out); err != nil {
		t.Fatalf("Score(%v): %v", in, err)
	}
	return out
}

func compileString(t *testing.T, doc string) *pmml.Model {
	t.Helper()
	m, err := pmml.Compile(strings.NewReader(doc), pmml.DefaultLimits())
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return m
}

// TestSVMKernels checks each kernel on a regression machine against the
// formulas of the PMML spec, restated here.
func TestSVMKernels(t *testing.T) {
	t.Parallel()
	x, v1, v2 := []float64{0.5, -1}, []float64{1, 2}, []float64{-1, 0.5}
	dot := func(a, b []float64) float64 { return a[0]*b[0] + a[1]*b[1] }
	sq := func(a, b []float64) float64 { return (a[0]-b[0])*(a[0]-b[0]) + (a[1]-b[1])*(a[1]-b[1]) }
	tests := []struct {
		name, kernel string
		k            func(a, b []float64) float64
	}{
		{"linear", `<LinearKernelType/>`, dot},
		{"polynomial", `<PolynomialKernelType gamma="0.5" coef0="2" degree="3"/>`, func(a, b []float64) float64 { return math.Pow(0.5*dot(a, b)+2, 3) }},
		{"polynomial defaults", `<PolynomialKernelType/>`, func(a, b []float64) float64 { return dot(a, b) + 1 }},
		{"radial basis", `<RadialBasisKernelType gamma="0.25"/>`, func(a, b []float64) float64 { return math.Exp(-0.25 * sq(a, b)) }},
		{"sigmoid", `<SigmoidKernelType gamma="0.1" coef0="-0.2"/>`, func(a, b []float64) float64 { return math.Tanh(0.1*dot(a, b) - 0.2) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := compileString(t, svmModel("regression", "", tt.kernel+svmVectors+svmMachine("", 0.3, -0.7, 0.1)))
			out := scoreNamed(t, m, map[string]string{"x1": "0.5", "x2": "-1"})
			want := 0.3*tt.k(x, v1) - 0.7*tt.k(x, v2) + 0.1
			if got, ok := out[0].Float(); !ok || math.Abs(got-want) > 1e-12*math.Abs(want) {
				t.Errorf("got %v; want %v", out[0], want)
			}
		})
	}
}

// TestSVMClassification checks how machines combine: OneAgainstAll picks
// the smallest value, OneAgainstOne votes (ties to the category voted for
// first), alternateBinaryTargetCategory rounds.
func TestSVMClassification(t *testing.T) {
	t.Parallel()
	linear := `<LinearKernelType/>` + svmVectors
	// With linear kernel, K(v1, x) = x1 + 2 x2 and K(v2, x) = -x1 + x2/2.
	oneAll := svmModel("classification", `classificationMethod="OneAgainstAll"`, linear+
		svmMachine(`targetCategory="a"`, 1, 0, 0)+ // K1
		svmMachine(`targetCategory="b"`, -1, 0, 0)+ // -K1
		svmMachine(`targetCategory="c"`, 0, 0, -5)) // -5
	oneOne := svmModel("classification", `classificationMethod="OneAgainstOne"`, linear+
		svmMachine(`targetCategory="a" alternateTargetCategory="b"`, 1, 0, 0)+ // K1 < 0: a
		svmMachine(`targetCategory="a" alternateTargetCategory="c"`, 0, 1, 0)+ // K2 < 0: a
		svmMachine(`targetCategory="b" alternateTargetCategory="c" threshold="2"`, 1, 0, 0)) // K1 < 2: b
	binary := svmModel("classification", `classificationMethod="OneAgainstOne" alternateBinaryTargetCategory="b"`, linear+
		svmMachine(`targetCategory="a"`, 1, 0, 0))
	const third, twoThirds = "0.3333333333333333", "0.6666666666666666"
	tests := []struct {
		name, doc, x1, x2 string
		want              string // predicted, pa, pb, pc
	}{
		{"one against all, b smallest", oneAll, "3", "2", "b 0 1 0"},
		{"one against all, a smallest", oneAll, "-3", "-2", "a 1 0 0"},
		{"one against all, c smallest", oneAll, "1", "1", "c 0 0 1"},
		{"one against one, majority", oneOne, "-1", "1", "b 0 " + twoThirds + " " + third},
		{"one against one, threshold", oneOne, "1", "-1", "a " + twoThirds + " " + third + " 0"},
		{"one against one, alternates", oneOne, "-2", "3", "c 0 " + third + " " + twoThirds},
		{"one against one, tie to the first vote", oneOne, "1", "1", "b " + third + " " + third + " " + third},
		{"binary rounds to 1", binary, "0.6", "0.2", "a 1 0 0"},
		{"binary rounds to 0", binary, "0.2", "0", "b 0 1 0"},
		{"binary out of range", binary, "3", "0", "   "},
		{"missing input", oneOne, "1", "", "   "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := compileString(t, tt.doc)
			out := scoreNamed(t, m, map[string]string{"x1": tt.x1, "x2": tt.x2})
			var got []string
			for _, v := range out {
				got = append(got, v.String())
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("got %q; want %q", strings.Join(got, " "), tt.want)
			}
		})
	}
}

// TestSVMCategoricalVectorField checks a PMML 4.4 CategoricalPredictor in
// VectorFields: 1 when the field has its value. The sparse vector has no
// n: it is as long as the VectorFields.
func TestSVMCategoricalVectorField(t *testing.T) {
	t.Parallel()
	m := compileString(t, svmModel("regression", "", `<LinearKernelType/><VectorDictionary>
	<VectorFields><FieldRef field="x1"/><CategoricalPredictor name="c" value="u" coefficient="1"/></VectorFields>
	<VectorInstance id="1"><REAL-SparseArray><Indices>2</Indices><REAL-Entries>3</REAL-Entries></REAL-SparseArray></VectorInstance>
	</VectorDictionary>
	<SupportVectorMachine><SupportVectors><SupportVector vectorId="1"/></SupportVectors><Coefficients absoluteValue="1"><Coefficient value="2"/></Coefficients></SupportVectorMachine>`))
	for c, want := range map[string]string{"u": "7", "v": "1"} {
		if out := scoreNamed(t, m, map[string]string{"x1": "5", "c": c}); out[0].String() != want {
			t.Errorf("c=%s: got %v; want %s", c, out[0], want)
		}
	}
}

// TestSVMRejects checks that what the evaluator does not implement fails
// Compile naming the element and line.
func TestSVMRejects(t *testing.T) {
	t.Parallel()
	linear := `<LinearKernelType/>` + svmVectors + svmMachine(`targetCategory="a"`, 1, 0, 0)
	tests := []struct{ name, doc, want string }{
		{"maxWins", svmModel("classification", `maxWins="true"`, linear), `<SupportVectorMachineModel> maxWins="true" is not supported`},
		{"coefficients representation", svmModel("classification", `svmRepresentation="Coefficients"`, linear), `svmRepresentation Coefficients is not supported`},
		{"unknown element", svmModel("classification", "", `<SupportVectorMachineX/>`+linear), `<SupportVectorMachineX> in a SupportVectorMachineModel is not supported`},
		{"unknown vector", svmModel("regression", "", `<LinearKernelType/>`+svmVectors+strings.Replace(svmMachine("", 1, 1, 0), `"v2"`, `"v9"`, 1)), `<SupportVector> refers to vector "v9"`},
		{"sparse vector too long", svmModel("regression", "", `<LinearKernelType/>`+strings.Replace(svmVectors, `<REAL-SparseArray n="2">`, `<REAL-SparseArray n="3">`, 1)+svmMachine("", 1, 1, 0)), `<REAL-SparseArray> has n="3" for 2 VectorFields`},
		{"no kernel", svmModel("regression", "", svmVectors+svmMachine("", 1, 1, 0)), `has no kernel`},
		{"one against one without alternate", svmModel("classification", `classificationMethod="OneAgainstOne"`, linear), `has no alternateTargetCategory`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := pmml.Compile(strings.NewReader(tt.doc), pmml.DefaultLimits())
			var e *scoregate.Error
			if !errors.As(err, &e) || e.Code != scoregate.CodeInvalidModel || !strings.Contains(e.Message, tt.want) || !strings.Contains(e.Message, "line ") {
				t.Errorf("Compile = %v; want InvalidModel with a line, containing %q", err, tt.want)
			}
		})
	}
}

// TestSVMScoreAllocs checks that the corpus SVMs score with no allocation.
// Not parallel: testing.AllocsPerRun refuses to run in a parallel test.
func TestSVMScoreAllocs(t *testing.T) {
	for _, name := range []string{"rattle-KernlabSVMIris", "rattle-KernlabSVMAuto", "knime-SupportVectorMachineIris"} {
		assertCorpusNoAllocs(t, name)
	}
}

// corpusCaseModel compiles a corpus case and reads its input rows.
func corpusCaseModel(tb testing.TB, name string) (*pmml.Model, []pmml.Row) {
	tb.Helper()
	dir := filepath.Join(corpusDir(tb), name)
	data, err := os.ReadFile(filepath.Join(dir, "model.pmml"))
	if err != nil {
		tb.Fatal(err)
	}
	m := compileBench(tb, data)
	return m, corpusRows(tb, m, dir)
}

func BenchmarkSVMScore(b *testing.B) {
	for _, name := range []string{"rattle-KernlabSVMIris", "rattle-KernlabSVMAuto", "knime-SupportVectorMachineIris"} {
		b.Run(name, func(b *testing.B) { benchCorpusCase(b, name) })
	}
}

// benchCorpusCase scores the rows of a corpus case round robin.
func benchCorpusCase(b *testing.B, name string) {
	m, rows := corpusCaseModel(b, name)
	out := m.NewOutput()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := m.Score(rows[i%len(rows)], out); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// TestSVMAndClusteringCorpusSchema checks that Compile reports the schema
// Inspect does for the corpus' SVM and clustering models.
func TestSVMAndClusteringCorpusSchema(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"rattle-KernlabSVMIris", "rattle-KernlabSVMAuto", "rattle-LibSVMIris", "knime-SupportVectorMachineIris", "rattle-KMeansIris", "knime-KMeansIris"} {
		data, err := os.ReadFile(filepath.Join(corpusDir(t), name, "model.pmml"))
		if err != nil {
			t.Fatal(err)
		}
		m := compileString(t, string(data))
		info, err := pmml.Inspect(strings.NewReader(string(data)), pmml.DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		if describe(m.Schema()) != describe(info) {
			t.Errorf("%s: Compile schema %s; Inspect %s", name, describe(m.Schema()), describe(info))
		}
	}
}
