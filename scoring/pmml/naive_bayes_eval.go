package pmml

import "math"

// eval multiplies, as a sum of logarithms, each class's prior by the
// probability of every input that is not missing, then normalises.
func (nb *naiveBayes) eval(s *state, r *result) {
	logs := r.probabilities()
	copy(logs, nb.prior)
	for i := len(nb.prior); i < len(logs); i++ {
		logs[i] = math.Inf(-1) // a category Targets added, which BayesOutput does not count
	}
	n := len(nb.prior)
	for i := range nb.inputs {
		in := &nb.inputs[i]
		var v Value
		if in.discretize != nil {
			v = in.discretize.eval(s)
		} else {
			v = *s.get(in.slot)
		}
		if v.Kind == KindMissing || v.Kind == KindInvalid {
			continue // "missing values are ignored"
		}
		if in.stats != nil {
			if v.Kind != KindNumber && v.Kind != KindBool {
				continue
			}
			for j := range in.stats {
				st := &in.stats[j]
				p := st.density(v.Num)
				if p < nb.threshold {
					p = nb.threshold
				}
				logs[st.class] += math.Log(p)
			}
			continue
		}
		for k := range in.values {
			if equalValues(v, in.values[k]) {
				for c, l := range in.logs[k*n : (k+1)*n] {
					logs[c] += l
				}
				break
			}
		}
	}
	normalizeLayer(normSoftmax, logs)
	r.argmax()
}

// density is the probability density (Gaussian) or mass (Poisson) of x.
func (st *bayesStat) density(x float64) float64 {
	if st.poisson {
		k := math.Trunc(x)
		if k < 0 {
			return 0
		}
		lg, _ := math.Lgamma(k + 1)
		return math.Exp(k*math.Log(st.mean) - st.mean - lg)
	}
	z := (x - st.mean) / st.sd
	return math.Exp(-0.5*z*z - st.logNorm)
}
