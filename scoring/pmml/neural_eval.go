package pmml

import "math"

// eval runs the network forward. A missing input makes the whole network
// missing, as in JPMML, so Targets' priors or default value decide.
func (nn *neuralNet) eval(s *state, r *result) {
	vals := r.scratch
	for i, e := range nn.inputs {
		v := e.eval(s)
		if v.Kind != KindNumber && v.Kind != KindBool {
			return
		}
		vals[i] = v.Num
	}
	base := int32(len(nn.inputs))
	for li := range nn.layers {
		l := &nn.layers[li]
		for j := l.start; j < l.end; j++ {
			n := &nn.neurons[j]
			z := 0.0
			if l.act == actRadialBasis {
				for c := n.con0; c < n.con1; c++ {
					d := vals[nn.from[c]] - nn.weight[c]
					z += d * d
				}
				z = expExact(z/n.denom + n.logAl)
			} else {
				for c := n.con0; c < n.con1; c++ {
					z += nn.weight[c] * vals[nn.from[c]]
				}
				z = activate(l.act, z+n.bias, l.threshold)
			}
			vals[base+j] = z
		}
		normalizeLayer(l.norm, vals[base+l.start:base+l.end])
	}
	if nn.class == nil {
		y := vals[nn.units[0]]
		if nn.denorm != nil {
			y = nn.denorm.inverse(y)
		}
		r.setNumber(y)
		return
	}
	probs := r.probabilities()
	for i, u := range nn.units {
		probs[nn.class[i]] = vals[u]
	}
	r.argmax()
	// Targets may add categories after the network is compiled, which no
	// neuron stands for.
	if r.ok && int(r.class) < len(nn.entity) {
		r.entity = nn.entity[r.class]
	}
}

// activate applies a NeuralLayer's activation function to a neuron's
// weighted sum z.
func activate(act uint8, z, threshold float64) float64 {
	switch act {
	case actThreshold:
		if z > threshold {
			return 1
		}
		return 0
	case actLogistic:
		return 1 / (1 + expExact(-z))
	case actTanh:
		return math.Tanh(z)
	case actExponential:
		return expExact(z)
	case actReciprocal:
		return 1 / z
	case actSquare:
		return z * z
	case actGauss:
		return expExact(-(z * z))
	case actSine:
		return math.Sin(z)
	case actCosine:
		return math.Cos(z)
	case actElliott:
		return z / (1 + math.Abs(z))
	case actArctan:
		return 2 * math.Atan(z) / math.Pi
	case actRectifier:
		return math.Max(0, z)
	}
	return z // identity
}

// normalizeLayer applies a layer's normalizationMethod to its outputs in
// place, as JPMML does: softmax shifted by the largest value, and no
// division when the sum is already 1.
func normalizeLayer(norm uint8, ys []float64) {
	switch norm {
	case normSoftmax:
		top := math.Inf(-1)
		for _, y := range ys {
			top = math.Max(top, y)
		}
		for i := range ys {
			ys[i] = expExact(ys[i] - top)
		}
	case normSimplemax:
	default:
		return
	}
	sum := 0.0
	for _, y := range ys {
		sum += y
	}
	if sum == 1 {
		return
	}
	for i := range ys {
		ys[i] /= sum
	}
}

// inverse maps a normalised value back to the original scale, extending
// the outer pieces beyond the points as NormContinuous does.
func (ln *linearNorm) inverse(y float64) float64 {
	n := len(ln.norm)
	i := 1
	for i < n-1 && y > ln.norm[i] {
		i++
	}
	o0, o1, n0, n1 := ln.orig[i-1], ln.orig[i], ln.norm[i-1], ln.norm[i]
	return (y-n0)/(n1-n0)*(o1-o0) + o0
}
