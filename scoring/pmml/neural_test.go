package pmml_test

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scoregate/scoregate/scoring/pmml"
)

// neuralDoc wraps the body of a NeuralNetwork (its layers and outputs)
// in a document with two continuous inputs x1, x2 and a target y, which
// is continuous for regression and has the categories a, b, c for
// classification.
func neuralDoc(function, attrs, body string) string {
	target := `<DataField name="y" optype="continuous" dataType="double"/>`
	output := `<OutputField name="out" feature="predictedValue"/>`
	if function == "classification" {
		target = `<DataField name="y" optype="categorical" dataType="string"><Value value="a"/><Value value="b"/><Value value="c"/></DataField>`
		output += `<OutputField name="pa" feature="probability" value="a"/><OutputField name="pb" feature="probability" value="b"/>` +
			`<OutputField name="pc" feature="probability" value="c"/><OutputField name="id" feature="entityId"/>`
	}
	return `<PMML version="4.4" xmlns="http://www.dmg.org/PMML-4_4"><Header/>
<DataDictionary>
 <DataField name="x1" optype="continuous" dataType="double"/>
 <DataField name="x2" optype="continuous" dataType="double"/>
 ` + target + `
</DataDictionary>
<NeuralNetwork functionName="` + function + `" ` + attrs + `>
 <MiningSchema><MiningField name="x1"/><MiningField name="x2"/><MiningField name="y" usageType="target"/></MiningSchema>
 <Output>` + output + `</Output>
 <NeuralInputs>
  <NeuralInput id="i1"><DerivedField optype="continuous" dataType="double"><FieldRef field="x1"/></DerivedField></NeuralInput>
  <NeuralInput id="i2"><DerivedField optype="continuous" dataType="double">
   <NormContinuous field="x2"><LinearNorm orig="0" norm="-1"/><LinearNorm orig="10" norm="1"/></NormContinuous>
  </DerivedField></NeuralInput>
 </NeuralInputs>
` + body + `
</NeuralNetwork></PMML>`
}

func compileNeural(t *testing.T, doc string) *pmml.Model {
	t.Helper()
	m, err := pmml.Compile(strings.NewReader(doc), pmml.DefaultLimits())
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return m
}

// scoreNeural scores x1, x2 (NaN for missing) and returns the outputs.
func scoreNeural(t *testing.T, m *pmml.Model, x1, x2 float64) []pmml.Value {
	t.Helper()
	row, out := m.NewRow(), m.NewOutput()
	for i, x := range []float64{x1, x2} {
		if !math.IsNaN(x) {
			row.SetFloat(i, x)
		}
	}
	if err := m.Score(row, out); err != nil {
		t.Fatalf("Score: %v", err)
	}
	return out
}

func nearValue(got pmml.Value, want float64) bool {
	f, ok := got.Float()
	return ok && math.Abs(f-want) <= 1e-12*math.Max(1, math.Abs(want))
}

func TestNeuralNetworkActivations(t *testing.T) {
	t.Parallel()
	// One neuron: z = 0.5·x1 + 0.25·i2 + bias, with i2 = x2/5 - 1.
	const x1, x2, bias = 1.5, 7.0, -0.3
	z := 0.5*x1 + 0.25*(x2/5-1) + bias
	tests := []struct {
		act  string
		want float64
	}{
		{"logistic", 1 / (1 + math.Exp(-z))},
		{"tanh", math.Tanh(z)},
		{"identity", z},
		{"exponential", math.Exp(z)},
		{"reciprocal", 1 / z},
		{"square", z * z},
		{"Gauss", math.Exp(-z * z)},
		{"sine", math.Sin(z)},
		{"cosine", math.Cos(z)},
		{"Elliott", z / (1 + math.Abs(z))},
		{"arctan", 2 * math.Atan(z) / math.Pi},
		{"rectifier", math.Max(0, z)},
		{"threshold", 1}, // z > the default threshold 0
	}
	for _, tt := range tests {
		t.Run(tt.act, func(t *testing.T) {
			t.Parallel()
			body := fmt.Sprintf(`<NeuralLayer activationFunction=%q><Neuron id="n" bias="%g"><Con from="i1" weight="0.5"/><Con from="i2" weight="0.25"/></Neuron></NeuralLayer>
<NeuralOutputs><NeuralOutput outputNeuron="n"><DerivedField><FieldRef field="y"/></DerivedField></NeuralOutput></NeuralOutputs>`, tt.act, bias)
			// The network's function is overridden by the layer's.
			m := compileNeural(t, neuralDoc("regression", `activationFunction="identity"`, body))
			if got := scoreNeural(t, m, x1, x2)[0]; !nearValue(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNeuralNetworkThresholdAndRadialBasis(t *testing.T) {
	t.Parallel()
	layer := `<NeuralLayer><Neuron id="n" bias="-0.3"><Con from="i1" weight="0.5"/></Neuron></NeuralLayer>
<NeuralOutputs><NeuralOutput outputNeuron="n"><DerivedField><FieldRef field="y"/></DerivedField></NeuralOutput></NeuralOutputs>`
	m := compileNeural(t, neuralDoc("regression", `activationFunction="threshold" threshold="0.5"`, layer))
	if got := scoreNeural(t, m, 1.5, 0)[0]; !nearValue(got, 0) { // 0.45 is not above 0.5
		t.Errorf("threshold: got %v, want 0", got)
	}
	if got := scoreNeural(t, m, 1.7, 0)[0]; !nearValue(got, 1) {
		t.Errorf("threshold: got %v, want 1", got)
	}

	// radialBasis ignores the bias: exp(fanIn·ln(altitude) - Σ(x-w)²/(2·width²)),
	// the neuron's width over the layer's over the network's.
	rbf := `<NeuralLayer width="3" altitude="2"><Neuron id="n" bias="100" width="1.5"><Con from="i1" weight="0.5"/><Con from="i2" weight="-1"/></Neuron>
<Neuron id="m"><Con from="i1" weight="1"/></Neuron></NeuralLayer>
<NeuralLayer activationFunction="identity"><Neuron id="o"><Con from="n" weight="1"/><Con from="m" weight="10"/></Neuron></NeuralLayer>
<NeuralOutputs><NeuralOutput outputNeuron="o"><DerivedField><FieldRef field="y"/></DerivedField></NeuralOutput></NeuralOutputs>`
	m = compileNeural(t, neuralDoc("regression", `activationFunction="radialBasis" width="7"`, rbf))
	const x1, x2 = 2.0, 5.0 // i2 = 0
	n := math.Exp(2*math.Log(2) - ((x1-0.5)*(x1-0.5)+1)/(2*1.5*1.5))
	mm := math.Exp(math.Log(2) - (x1-1)*(x1-1)/(2*3*3))
	if got := scoreNeural(t, m, x1, x2)[0]; !nearValue(got, n+10*mm) {
		t.Errorf("radialBasis: got %v, want %v", got, n+10*mm)
	}
}

func TestNeuralNetworkClassification(t *testing.T) {
	t.Parallel()
	// Three output neurons over two hidden ones; the output layer's
	// normalizationMethod overrides the network's.
	body := func(norm string) string {
		return `<NeuralLayer><Neuron id="h1" bias="0.1"><Con from="i1" weight="1"/></Neuron><Neuron id="h2" bias="-0.2"><Con from="i2" weight="2"/></Neuron></NeuralLayer>
<NeuralLayer activationFunction="identity" ` + norm + `>
 <Neuron id="oa" bias="0.5"><Con from="h1" weight="1"/><Con from="h2" weight="-1"/></Neuron>
 <Neuron id="ob" bias="0.1"><Con from="h1" weight="-1"/><Con from="h2" weight="2"/></Neuron>
 <Neuron id="oc" bias="0.2"><Con from="h1" weight="0.5"/><Con from="h2" weight="0.5"/></Neuron>
</NeuralLayer>
<NeuralOutputs>
 <NeuralOutput outputNeuron="oa"><DerivedField><NormDiscrete field="y" value="a"/></DerivedField></NeuralOutput>
 <NeuralOutput outputNeuron="ob"><DerivedField><NormDiscrete field="y" value="b"/></DerivedField></NeuralOutput>
 <NeuralOutput outputNeuron="oc"><DerivedField><NormDiscrete field="y" value="c"/></DerivedField></NeuralOutput>
</NeuralOutputs>`
	}
	const x1, x2 = 0.3, 6.0
	h1 := 1 / (1 + math.Exp(-(x1 + 0.1)))
	h2 := 1 / (1 + math.Exp(-(2*(x2/5-1) - 0.2)))
	raw := []float64{h1 - h2 + 0.5, -h1 + 2*h2 + 0.1, 0.5*h1 + 0.5*h2 + 0.2}
	softmax := make([]float64, 3)
	simplemax := make([]float64, 3)
	var se, ss float64
	for _, y := range raw {
		se, ss = se+math.Exp(y), ss+y
	}
	for i, y := range raw {
		softmax[i], simplemax[i] = math.Exp(y)/se, y/ss
	}
	tests := []struct {
		name, attrs, norm string
		want              []float64
	}{
		{"none", `activationFunction="logistic"`, ``, raw},
		{"softmax", `activationFunction="logistic" normalizationMethod="softmax"`, ``, softmax},
		{"layer softmax", `activationFunction="logistic"`, `normalizationMethod="softmax"`, softmax},
		{"layer simplemax", `activationFunction="logistic"`, `normalizationMethod="simplemax"`, simplemax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// normalizationMethod of the network applies to every layer
			// without its own, the hidden one too.
			want := tt.want
			if tt.name == "softmax" {
				e1, e2 := math.Exp(h1), math.Exp(h2)
				g1, g2 := e1/(e1+e2), e2/(e1+e2)
				r := []float64{g1 - g2 + 0.5, -g1 + 2*g2 + 0.1, 0.5*g1 + 0.5*g2 + 0.2}
				s := math.Exp(r[0]) + math.Exp(r[1]) + math.Exp(r[2])
				want = []float64{math.Exp(r[0]) / s, math.Exp(r[1]) / s, math.Exp(r[2]) / s}
			}
			m := compileNeural(t, neuralDoc("classification", tt.attrs, body(tt.norm)))
			out := scoreNeural(t, m, x1, x2)
			best := 0
			for i := range want {
				if !nearValue(out[1+i], want[i]) {
					t.Errorf("probability of %c: got %v, want %v", 'a'+i, out[1+i], want[i])
				}
				if want[i] > want[best] {
					best = i
				}
			}
			if got := out[0].String(); got != string(rune('a'+best)) {
				t.Errorf("predicted %q, want %c", got, 'a'+best)
			}
			if got := out[4].String(); got != "o"+string(rune('a'+best)) {
				t.Errorf("entityId %q, want the winning neuron o%c", got, 'a'+best)
			}
		})
	}
}

func TestNeuralNetworkDenormalizesAndMissing(t *testing.T) {
	t.Parallel()
	body := `<NeuralLayer activationFunction="identity"><Neuron id="n"><Con from="i1" weight="1"/><Con from="i2" weight="0"/></Neuron></NeuralLayer>
<NeuralOutputs><NeuralOutput outputNeuron="n"><DerivedField>
 <NormContinuous field="y"><LinearNorm orig="10" norm="0"/><LinearNorm orig="20" norm="0.5"/><LinearNorm orig="100" norm="1"/></NormContinuous>
</DerivedField></NeuralOutput></NeuralOutputs>`
	doc := neuralDoc("regression", `activationFunction="logistic"`, body)
	doc = strings.Replace(doc, "<NeuralInputs>", `<Targets><Target field="y"><TargetValue defaultValue="-1"/></Target></Targets><NeuralInputs>`, 1)
	m := compileNeural(t, doc)
	tests := []struct {
		name   string
		x1, x2 float64
		want   float64
	}{
		{"first piece", 0.25, 1, 15},
		{"second piece", 0.75, 1, 60},
		{"extrapolated", 1.5, 1, 180},
		{"below", -0.5, 1, 0},
		{"missing input gives the default", math.NaN(), 1, -1},
		{"missing unconnected input too", 0.5, math.NaN(), -1},
	}
	for _, tt := range tests {
		if got := scoreNeural(t, m, tt.x1, tt.x2)[0]; !nearValue(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestNeuralNetworkRejects(t *testing.T) {
	t.Parallel()
	out := `<NeuralOutputs><NeuralOutput outputNeuron="n"><DerivedField><FieldRef field="y"/></DerivedField></NeuralOutput></NeuralOutputs>`
	layer := `<NeuralLayer><Neuron id="n"><Con from="i1" weight="1"/></Neuron></NeuralLayer>`
	tests := []struct {
		name, function, attrs, body, want string
	}{
		{"activation", "regression", `activationFunction="softsign"`, layer + out, "<NeuralLayer> activationFunction softsign is not supported"},
		{"normalization", "regression", `activationFunction="logistic" normalizationMethod="probit"`, layer + out, "normalizationMethod probit is not supported"},
		{"no activation", "regression", ``, layer + out, "has no activationFunction"},
		{"unknown source", "regression", `activationFunction="logistic"`, `<NeuralLayer><Neuron id="n"><Con from="zz" weight="1"/></Neuron></NeuralLayer>` + out, `comes from "zz"`},
		{"output expression", "regression", `activationFunction="logistic"`, layer + `<NeuralOutputs><NeuralOutput outputNeuron="n"><DerivedField><Apply function="exp"><FieldRef field="y"/></Apply></DerivedField></NeuralOutput></NeuralOutputs>`, "<Apply> in a NeuralOutput of a regression model is not supported"},
		{"other field", "classification", `activationFunction="logistic"`, layer + `<NeuralOutputs><NeuralOutput outputNeuron="n"><DerivedField><NormDiscrete field="x1" value="1"/></DerivedField></NeuralOutput></NeuralOutputs>`, "field other than the model's target"},
		{"unknown element", "regression", `activationFunction="logistic"`, layer + `<NeuralBias/>` + out, "<NeuralBias> in a NeuralNetwork is not supported"},
		{"rbf without width", "regression", `activationFunction="radialBasis"`, layer + out, "non-zero width"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := pmml.Compile(strings.NewReader(neuralDoc(tt.function, tt.attrs, tt.body)), pmml.DefaultLimits())
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "line") {
				t.Errorf("Compile: %v; want an error naming the line and %q", err, tt.want)
			}
		})
	}
}

// Not parallel: testing.AllocsPerRun refuses to run in a parallel test.
func TestNeuralNetworkScoresWithoutAllocating(t *testing.T) {
	body := `<NeuralLayer><Neuron id="h1" bias="0.1"><Con from="i1" weight="1"/><Con from="i2" weight="1"/></Neuron><Neuron id="h2"><Con from="i2" weight="2"/></Neuron></NeuralLayer>
<NeuralLayer normalizationMethod="softmax"><Neuron id="oa"><Con from="h1" weight="1"/></Neuron><Neuron id="ob"><Con from="h2" weight="1"/></Neuron><Neuron id="oc"><Con from="h2" weight="-1"/></Neuron></NeuralLayer>
<NeuralOutputs>
 <NeuralOutput outputNeuron="oa"><DerivedField><NormDiscrete field="y" value="a"/></DerivedField></NeuralOutput>
 <NeuralOutput outputNeuron="ob"><DerivedField><NormDiscrete field="y" value="b"/></DerivedField></NeuralOutput>
 <NeuralOutput outputNeuron="oc"><DerivedField><NormDiscrete field="y" value="c"/></DerivedField></NeuralOutput>
</NeuralOutputs>`
	m := compileNeural(t, neuralDoc("classification", `activationFunction="tanh"`, body))
	row, out := m.NewRow(), m.NewOutput()
	row.SetFloat(0, 0.4)
	row.SetFloat(1, 3)
	if err := m.Score(row, out); err != nil {
		t.Fatal(err)
	}
	assertScoreNoAllocs(t, "neural network", m, row)
}

// BenchmarkScoreNeuralNetwork scores the corpus' neural networks, one row
// at a time: rattle's Audit network (44 inputs, most of them NormDiscrete
// indicators of categorical fields, 9+1+2 neurons) and KNIME's Iris
// network (4 inputs, 10+3 logistic neurons).
func BenchmarkScoreNeuralNetwork(b *testing.B) {
	for _, name := range []string{"rattle-NeuralNetworkAudit", "knime-NeuralNetworkIris"} {
		b.Run(name, func(b *testing.B) {
			dir := filepath.Join(corpusDir(b), name)
			doc, err := os.ReadFile(filepath.Join(dir, "model.pmml"))
			if err != nil {
				b.Fatal(err)
			}
			m, err := pmml.Compile(bytes.NewReader(doc), pmml.DefaultLimits())
			if err != nil {
				b.Fatal(err)
			}
			benchmarkScore(b, m, corpusRows(b, m, dir))
		})
	}
}
