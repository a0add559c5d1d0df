package pmml

import (
	"encoding/xml"
	"math"
)

// neuralKind is a NeuralNetwork: NeuralInputs that derive the input
// neurons' values from fields, NeuralLayers of Neurons fed by weighted
// connections, and NeuralOutputs that map output neurons to the target
// (its categories for classification, its value for regression).
//
// The network is kept as xnodes while the document streams (a network
// is at most a few thousand connections) and compiled into flat arrays:
// every input and neuron is an index into one []float64 per row.
type neuralKind struct {
	m       *model
	inputs  *xnode
	layers  []*xnode
	outputs *xnode
}

func newNeuralKind(m *model) kindCompiler { return &neuralKind{m: m} }

func (k *neuralKind) element(_ *decoder, p *parser, se xml.StartElement) error {
	name := se.Name.Local
	switch name {
	case "NeuralInputs", "NeuralLayer", "NeuralOutputs":
	default:
		return unsupported(name, p.line(), "<"+name+"> in a NeuralNetwork")
	}
	if (name == "NeuralInputs" && k.inputs != nil) || (name == "NeuralOutputs" && k.outputs != nil) {
		return p.errorf("the NeuralNetwork has a second <%s>", name)
	}
	x, err := p.element(se)
	if err != nil {
		return err
	}
	switch name {
	case "NeuralInputs":
		k.inputs = x
	case "NeuralLayer":
		k.layers = append(k.layers, x)
	default:
		k.outputs = x
	}
	return nil
}

// Activation functions of a NeuralLayer.
const (
	actThreshold uint8 = iota
	actLogistic
	actTanh
	actIdentity
	actExponential
	actReciprocal
	actSquare
	actGauss
	actSine
	actCosine
	actElliott
	actArctan
	actRectifier
	actRadialBasis
)

var activationFunctions = map[string]uint8{
	"threshold": actThreshold, "logistic": actLogistic, "tanh": actTanh, "identity": actIdentity,
	"exponential": actExponential, "reciprocal": actReciprocal, "square": actSquare, "Gauss": actGauss,
	"sine": actSine, "cosine": actCosine, "Elliott": actElliott, "arctan": actArctan,
	"rectifier": actRectifier, "radialBasis": actRadialBasis,
}

// neuralNet is a compiled NeuralNetwork. A row's values live in
// result.scratch: first the inputs, then every neuron in document order.
type neuralNet struct {
	inputs  []expr
	layers  []neuralLayer
	neurons []neuron
	// from and weight are the connections of all neurons, each neuron's
	// side by side; from indexes the row's values.
	from   []int32
	weight []float64
	// units are the value indexes of the NeuralOutputs' neurons; for
	// classification class[i] is the category units[i] gives the
	// probability of, and entity[c] the id of the neuron of category c.
	units  []int32
	class  []int32
	entity []string
	// denorm maps a regression output back from the normalised scale of
	// a NormContinuous, when the NeuralOutput has one.
	denorm *linearNorm
}

// neuralLayer is a range of neurons with their activation and
// normalisation.
type neuralLayer struct {
	start, end int32
	act        uint8
	norm       uint8
	threshold  float64
}

// neuron is one Neuron: bias and connection range, and for a radial
// basis layer -2·width² and fan-in·ln(altitude).
type neuron struct {
	bias         float64
	con0, con1   int32
	denom, logAl float64
}

// linearNorm is the LinearNorm points of a NormContinuous.
type linearNorm struct {
	orig, norm []float64
}

func (k *neuralKind) compile(mc *modelCtx) (evaluator, error) {
	m := k.m
	switch {
	case mc.cm.float:
		return nil, unsupported(m.kind, m.line, "x-mathContext float in a NeuralNetwork")
	case k.inputs == nil:
		return nil, elemErrorf(m.kind, m.line, "has no NeuralInputs")
	case len(k.layers) == 0:
		return nil, elemErrorf(m.kind, m.line, "has no NeuralLayer")
	case k.outputs == nil:
		return nil, elemErrorf(m.kind, m.line, "has no NeuralOutputs")
	}
	nn := &neuralNet{}
	ids := map[string]int32{}
	if err := nn.compileInputs(mc, k.inputs, ids); err != nil {
		return nil, err
	}
	net, err := newLayerDefaults(m)
	if err != nil {
		return nil, err
	}
	for _, x := range k.layers {
		if err := nn.compileLayer(mc, x, net, ids); err != nil {
			return nil, err
		}
	}
	if err := nn.compileOutputs(mc, k.outputs, ids); err != nil {
		return nil, err
	}
	mc.cm.scratch = len(nn.inputs) + len(nn.neurons)
	return nn, nil
}

// compileInputs compiles each NeuralInput's DerivedField with the core's
// expression compiler, in the model's scope.
func (nn *neuralNet) compileInputs(mc *modelCtx, x *xnode, ids map[string]int32) error {
	for _, in := range x.kids {
		switch {
		case in.space != mc.c.space || in.name == "Extension":
			continue
		case in.name != "NeuralInput":
			return unsupported(in.name, in.line, "<"+in.name+"> in NeuralInputs")
		}
		id, err := in.need("id")
		if err != nil {
			return err
		}
		if _, dup := ids[id]; dup {
			return in.errorf("has id %q, which an earlier input or neuron has", id)
		}
		df := in.kid("DerivedField")
		if df == nil {
			return in.errorf("has no DerivedField")
		}
		e, err := mc.c.derivedExpr(mc.sc, df)
		if err != nil {
			return err
		}
		ids[id] = int32(len(nn.inputs))
		nn.inputs = append(nn.inputs, e)
	}
	if len(nn.inputs) == 0 {
		return x.errorf("has no NeuralInput")
	}
	return nil
}

// layerDefaults are the attributes a NeuralLayer (and a Neuron) inherits
// from the NeuralNetwork, or from its layer.
type layerDefaults struct {
	act                        string
	norm                       string
	threshold, width, altitude float64
}

func newLayerDefaults(m *model) (layerDefaults, error) {
	d := layerDefaults{
		act:  attrOrDefault(m.attrs, "activationFunction", ""),
		norm: attrOrDefault(m.attrs, "normalizationMethod", "none"),
	}
	var err error
	num := func(name string, def float64) float64 {
		s := attrOrDefault(m.attrs, name, "")
		if s == "" || err != nil {
			return def
		}
		f, perr := parseNumber(s)
		if perr != nil {
			err = elemErrorf(m.kind, m.line, "has %s=%q, which is not a number", name, s)
		}
		return f
	}
	d.threshold, d.width, d.altitude = num("threshold", 0), num("width", math.NaN()), num("altitude", 1)
	if d.act == "" {
		return d, elemErrorf(m.kind, m.line, "has no activationFunction")
	}
	return d, err
}

// compileLayer compiles a NeuralLayer. A connection may come from any
// input or neuron defined before it, as JPMML resolves them.
func (nn *neuralNet) compileLayer(mc *modelCtx, x *xnode, net layerDefaults, ids map[string]int32) error {
	actName := x.attrOr("activationFunction", net.act)
	act, ok := activationFunctions[actName]
	if !ok {
		return unsupported(x.name, x.line, "activationFunction "+actName)
	}
	normName := x.attrOr("normalizationMethod", net.norm)
	norm, ok := normalizations[normName]
	if !ok || (norm != normNone && norm != normSoftmax && norm != normSimplemax) {
		return unsupported(x.name, x.line, "normalizationMethod "+normName)
	}
	l := neuralLayer{start: int32(len(nn.neurons)), act: act, norm: norm}
	var err error
	if l.threshold, err = x.float("threshold", net.threshold); err != nil {
		return err
	}
	width, err := x.float("width", net.width)
	if err != nil {
		return err
	}
	altitude, err := x.float("altitude", net.altitude)
	if err != nil {
		return err
	}
	base := int32(len(nn.inputs))
	for _, nx := range x.kids {
		switch {
		case nx.space != mc.c.space || nx.name == "Extension":
			continue
		case nx.name != "Neuron":
			return unsupported(nx.name, nx.line, "<"+nx.name+"> in a NeuralLayer")
		}
		id, err := nx.need("id")
		if err != nil {
			return err
		}
		if _, dup := ids[id]; dup {
			return nx.errorf("has id %q, which an earlier input or neuron has", id)
		}
		n := neuron{con0: int32(len(nn.from))}
		if n.bias, err = nx.float("bias", 0); err != nil {
			return err
		}
		for _, cx := range nx.kids {
			switch {
			case cx.space != mc.c.space || cx.name == "Extension":
				continue
			case cx.name != "Con":
				return unsupported(cx.name, cx.line, "<"+cx.name+"> in a Neuron")
			}
			from, err := cx.need("from")
			if err != nil {
				return err
			}
			src, ok := ids[from]
			if !ok {
				return cx.errorf("comes from %q, which is no input or earlier neuron", from)
			}
			w, err := cx.float("weight", math.NaN())
			if err != nil || math.IsNaN(w) {
				return cx.errorf("needs a numeric weight")
			}
			nn.from, nn.weight = append(nn.from, src), append(nn.weight, w)
		}
		n.con1 = int32(len(nn.from))
		if act == actRadialBasis {
			w, err := nx.float("width", width)
			if err != nil {
				return err
			}
			a, err := nx.float("altitude", altitude)
			if err != nil {
				return err
			}
			if math.IsNaN(w) || w == 0 {
				return nx.errorf("of a radialBasis layer needs a non-zero width (on the Neuron, its layer or the network)")
			}
			n.denom = -2 * w * w
			if a != 1 {
				n.logAl = math.Log(a) * float64(n.con1-n.con0)
			}
		}
		ids[id] = base + int32(len(nn.neurons))
		nn.neurons = append(nn.neurons, n)
	}
	l.end = int32(len(nn.neurons))
	if l.end == l.start {
		return x.errorf("has no Neuron")
	}
	nn.layers = append(nn.layers, l)
	return nil
}

// compileOutputs maps the output neurons to the target: by NormDiscrete to
// a category's probability, by FieldRef or NormContinuous to the value of
// a regression.
func (nn *neuralNet) compileOutputs(mc *modelCtx, x *xnode, ids map[string]int32) error {
	target := ""
	if mc.target >= 0 {
		target = mc.c.slots[mc.target].name
	}
	for _, ox := range x.kids {
		switch {
		case ox.space != mc.c.space || ox.name == "Extension":
			continue
		case ox.name != "NeuralOutput":
			return unsupported(ox.name, ox.line, "<"+ox.name+"> in NeuralOutputs")
		}
		id, err := ox.need("outputNeuron")
		if err != nil {
			return err
		}
		unit, ok := ids[id]
		if !ok {
			return ox.errorf("has outputNeuron %q, which is no neuron", id)
		}
		df := ox.kid("DerivedField")
		if df == nil {
			return ox.errorf("has no DerivedField")
		}
		var e *xnode
		for _, k := range df.kids {
			if k.space == mc.c.space && expressionKinds[k.name] {
				e = k
				break
			}
		}
		if e == nil {
			return df.errorf("has no expression")
		}
		classify := mc.classification()
		if (classify && e.name != "NormDiscrete") || (!classify && e.name != "FieldRef" && e.name != "NormContinuous") {
			return unsupported(e.name, e.line, "<"+e.name+"> in a NeuralOutput of a "+mc.cm.function+" model")
		}
		if field := e.attrOr("field", ""); target != "" && field != target {
			return unsupported(e.name, e.line, "a NeuralOutput for a field other than the model's target")
		}
		if classify {
			value, err := e.need("value")
			if err != nil {
				return err
			}
			nn.units, nn.class = append(nn.units, unit), append(nn.class, mc.class(value))
			for len(nn.entity) < len(mc.cm.classes) {
				nn.entity = append(nn.entity, "")
			}
			nn.entity[nn.class[len(nn.class)-1]] = id
			continue
		}
		if len(nn.units) > 0 {
			return unsupported(ox.name, ox.line, "a second NeuralOutput of a regression")
		}
		nn.units = append(nn.units, unit)
		if e.name == "NormContinuous" {
			if nn.denorm, err = compileDenorm(e); err != nil {
				return err
			}
		}
	}
	if len(nn.units) == 0 {
		return x.errorf("has no NeuralOutput")
	}
	for len(nn.entity) < len(mc.cm.classes) {
		nn.entity = append(nn.entity, "")
	}
	return nil
}

// compileDenorm reads the LinearNorms of a NormContinuous that a
// regression output is denormalised by.
func compileDenorm(x *xnode) (*linearNorm, error) {
	orig, norm, err := linearNorms(x)
	if err != nil {
		return nil, err
	}
	for i := 1; i < len(norm); i++ {
		if norm[i] <= norm[i-1] {
			return nil, unsupported(x.name, x.line, "denormalising a NormContinuous whose norm values do not increase with orig")
		}
	}
	return &linearNorm{orig: orig, norm: norm}, nil
}
