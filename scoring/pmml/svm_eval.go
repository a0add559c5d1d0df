package pmml

import "math"

func (sv *svm) eval(s *state, r *result) {
	nIn := len(sv.inputs)
	input := r.scratch[:nIn]
	kernels := r.scratch[nIn : nIn+sv.nVectors]
	for i := range sv.inputs {
		in := &sv.inputs[i]
		v := s.get(in.slot)
		switch {
		case v.Kind == KindMissing || v.Kind == KindInvalid:
			return // no prediction without every VectorField, as JPMML
		case in.cat:
			input[i] = 0
			if equalValues(*v, in.value) {
				input[i] = 1
			}
		case v.Kind == KindNumber || v.Kind == KindBool:
			input[i] = v.Num
		default:
			return
		}
	}
	// Machines share support vectors (OneAgainstOne above all), so each
	// vector's kernel is computed once per row.
	for j := range kernels {
		kernels[j] = sv.kernelOf(input, sv.vectors[j*nIn:(j+1)*nIn])
	}
	if sv.regression {
		r.setNumber(sv.machines[0].value(kernels))
		return
	}
	if sv.method == svmOneAgainstAll {
		sv.oneAgainstAll(kernels, r)
		return
	}
	sv.oneAgainstOne(kernels, r)
}

// oneAgainstAll predicts the category whose machine gives the smallest
// value: JPMML reads the values as distances. Ties go to the first machine.
func (sv *svm) oneAgainstAll(kernels []float64, r *result) {
	best, bestValue := int32(-1), math.Inf(1)
	for i := range sv.machines {
		m := &sv.machines[i]
		y := m.value(kernels)
		if math.IsNaN(y) {
			return
		}
		if best < 0 || y < bestValue {
			best, bestValue = m.class, y
		}
	}
	r.class, r.ok = best, best >= 0
}

// oneAgainstOne lets each machine vote and predicts the category with the
// most votes; its probability is its share of the votes. A machine votes
// for targetCategory when its value is below the threshold, else for
// alternateTargetCategory (with alternateBinaryTargetCategory: a rounded
// value of 1 for targetCategory, 0 for the alternate). Ties go to the
// category that got its first vote first, as in JPMML's vote map.
func (sv *svm) oneAgainstOne(kernels []float64, r *result) {
	votes := r.probabilities()
	first := r.scratch[len(sv.inputs)+sv.nVectors : len(sv.inputs)+sv.nVectors+sv.classes]
	for i := range first {
		first[i] = math.Inf(1)
	}
	for i := range sv.machines {
		m := &sv.machines[i]
		y := m.value(kernels)
		var class int32
		switch {
		case math.IsNaN(y):
			r.hasProbs = false
			return
		case sv.binaryAlt >= 0:
			switch math.Floor(y + 0.5) { // Java's Math.round
			case 1:
				class = m.class
			case 0:
				class = sv.binaryAlt
			default:
				r.hasProbs = false
				return // "The numeric prediction must be between 0 and 1"
			}
		case y < m.threshold:
			class = m.class
		default:
			class = m.alt
		}
		if votes[class] == 0 {
			first[class] = float64(i)
		}
		votes[class]++
	}
	best := int32(-1)
	for c := range votes {
		if votes[c] == 0 {
			continue
		}
		if best < 0 || votes[c] > votes[best] || (votes[c] == votes[best] && first[c] < first[best]) {
			best = int32(c)
		}
	}
	n := float64(len(sv.machines))
	for c := range votes {
		votes[c] /= n
	}
	r.class, r.ok = best, best >= 0
}

// value is the machine's decision value: the coefficients times the
// kernels, then absoluteValue, added in JPMML's order.
func (m *svmMachine) value(kernels []float64) float64 {
	y := 0.0
	for i, v := range m.vectors {
		y += m.coefs[i] * kernels[v]
	}
	return y + m.absolute
}

// kernelOf computes the kernel of the input x with support vector z.
func (sv *svm) kernelOf(x, z []float64) float64 {
	switch sv.kernel {
	case kernelRBF:
		d := 0.0
		for i := range x {
			t := x[i] - z[i]
			d += t * t
		}
		return math.Exp(-sv.gamma * d)
	case kernelPolynomial:
		return math.Pow(sv.gamma*svmDot(x, z)+sv.coef0, sv.degree)
	case kernelSigmoid:
		return math.Tanh(sv.gamma*svmDot(x, z) + sv.coef0)
	}
	return svmDot(x, z)
}

func svmDot(x, z []float64) float64 {
	d := 0.0
	for i := range x {
		d += x[i] * z[i]
	}
	return d
}
