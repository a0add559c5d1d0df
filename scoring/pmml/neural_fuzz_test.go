package pmml_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/scoring/pmml"
)

// FuzzCompileNeuralBayes is FuzzCompile seeded with neural networks and
// naive Bayes models, so mutations reach their decoders: layers,
// connections, activations, outputs, pair counts and distributions.
func FuzzCompileNeuralBayes(f *testing.F) {
	layer := `<NeuralLayer threshold="0.2"><Neuron id="h" bias="0.1"><Con from="i1" weight="1"/><Con from="i2" weight="-2"/></Neuron></NeuralLayer>`
	f.Add([]byte(neuralDoc("regression", `activationFunction="threshold"`, layer+
		`<NeuralOutputs><NeuralOutput outputNeuron="h"><DerivedField><NormContinuous field="y"><LinearNorm orig="1" norm="0"/><LinearNorm orig="3" norm="1"/></NormContinuous></DerivedField></NeuralOutput></NeuralOutputs>`)))
	f.Add([]byte(neuralDoc("regression", `activationFunction="radialBasis" width="2" altitude="3"`, layer+
		`<NeuralOutputs><NeuralOutput outputNeuron="h"><DerivedField><FieldRef field="y"/></DerivedField></NeuralOutput></NeuralOutputs>`)))
	f.Add([]byte(neuralDoc("classification", `activationFunction="Elliott" normalizationMethod="simplemax"`, layer+
		`<NeuralLayer normalizationMethod="softmax"><Neuron id="oa"><Con from="h" weight="1"/></Neuron><Neuron id="ob"><Con from="i1" weight="1"/></Neuron></NeuralLayer>
<NeuralOutputs><NeuralOutput outputNeuron="oa"><DerivedField><NormDiscrete field="y" value="a"/></DerivedField></NeuralOutput>
<NeuralOutput outputNeuron="ob"><DerivedField><NormDiscrete field="y" value="b"/></DerivedField></NeuralOutput></NeuralOutputs>`)))
	f.Add([]byte(bayesDoc()))
	f.Add([]byte(bayesDoc(` threshold="0.001"`, ` threshold="0"`)))
	lim := pmml.Limits{MaxBytes: 1 << 16, MaxDepth: 64, MaxNodes: 1000, MaxSegments: 100}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := pmml.Compile(bytes.NewReader(data), lim)
		if err != nil {
			var e *scoregate.Error
			if !errors.As(err, &e) || e.Message == "" ||
				!(e.Class == scoregate.BadUserArgument && e.Code == scoregate.CodeInvalidModel) &&
					!(e.Class == scoregate.RequestEntityTooLarge && e.Code == scoregate.CodeModelTooLarge) {
				t.Fatalf("error %v (%T); want InvalidModel or ModelTooLarge with a message", err, err)
			}
			return
		}
		row, out := m.NewRow(), m.NewOutput()
		scoreChecked(t, m, row, out)
		for _, s := range []string{"1.5", "0", "-1e308", "v"} {
			for i := range row {
				row.SetString(i, s)
			}
			scoreChecked(t, m, row, out)
		}
	})
}
