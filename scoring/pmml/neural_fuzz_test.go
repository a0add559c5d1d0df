package pmml_test

import (
	"testing"
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
	f.Fuzz(fuzzCompiled)
}
