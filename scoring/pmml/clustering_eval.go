package pmml

import "math"

func (cl *clustering) eval(s *state, r *result) {
	n := len(cl.fields)
	x := r.scratch[:n]
	present := r.scratch[n : 2*n] // 1 when the field has a value
	total, have := 0.0, 0.0
	for i := range cl.fields {
		v := s.get(cl.fields[i].slot)
		total += cl.missingWeights[i]
		switch v.Kind {
		case KindNumber, KindBool:
			x[i], present[i] = v.Num, 1
			have += cl.missingWeights[i]
		case KindMissing:
			present[i] = 0
		default:
			return // a value the numeric centers cannot be compared with
		}
	}
	if have == 0 {
		return // nothing to compare
	}
	aff := r.affinity[:len(cl.ids)]
	if cl.measure >= measureSimpleMatching {
		if have != total || !cl.similarities(x, aff) {
			return // binary similarities need every field, 0 or 1
		}
	} else {
		adjust := total / have
		for c := range aff {
			aff[c] = cl.distance(x, present, cl.centers[c*n:(c+1)*n], adjust)
		}
	}
	best := 0
	for c := 1; c < len(aff); c++ {
		if cl.measure >= measureSimpleMatching && aff[c] > aff[best] || cl.measure < measureSimpleMatching && aff[c] < aff[best] {
			best = c
		}
	}
	if math.IsNaN(aff[best]) {
		return
	}
	r.ok, r.class, r.hasAffinity, r.entity = true, int32(best), true, cl.ids[best]
}

// distance computes the distance of the row to one center: each field's
// compared value to the inner power, weighted, summed (or the largest, for
// chebychev), scaled for missing fields, to the outer power.
func (cl *clustering) distance(x, present, center []float64, adjust float64) float64 {
	d := 0.0
	for i := range cl.fields {
		if present[i] == 0 {
			continue
		}
		f := &cl.fields[i]
		c := clusterCompare(f, x[i], center[i])
		switch cl.inner {
		case 1:
			c = math.Abs(c)
		case 2:
			c *= c
		default:
			c = math.Pow(math.Abs(c), cl.inner)
		}
		c *= f.weight
		if cl.measure == measureChebychev {
			d = math.Max(d, c)
		} else {
			d += c
		}
	}
	d *= adjust
	if cl.outer == 0.5 {
		return math.Sqrt(d)
	}
	if cl.outer != 1 {
		return math.Pow(d, cl.outer)
	}
	return d
}

// clusterCompare applies a ClusteringField's compareFunction.
func clusterCompare(f *clusterField, x, y float64) float64 {
	switch f.compare {
	case compareGaussSim:
		z := x - y
		return math.Exp(-math.Ln2 * z * z / (f.scale * f.scale))
	case compareDelta:
		if x == y {
			return 0
		}
		return 1
	case compareEqual:
		if x == y {
			return 1
		}
		return 0
	}
	return math.Abs(x - y)
}

// similarities fills aff with the binary similarity of the row to each
// center; false when an input is neither 0 nor 1.
func (cl *clustering) similarities(x, aff []float64) bool {
	for _, v := range x {
		if v != 0 && v != 1 {
			return false
		}
	}
	n := len(cl.fields)
	for c := range aff {
		center := cl.centers[c*n : (c+1)*n]
		var a11, a10, a01, a00 float64
		for i, v := range x {
			switch {
			case v == 1 && center[i] == 1:
				a11++
			case v == 1:
				a10++
			case center[i] == 1:
				a01++
			default:
				a00++
			}
		}
		switch cl.measure {
		case measureSimpleMatching:
			aff[c] = (a11 + a00) / (a11 + a10 + a01 + a00)
		case measureJaccard:
			aff[c] = a11 / (a11 + a10 + a01)
		case measureTanimoto:
			aff[c] = (a11 + a00) / (a11 + 2*(a10+a01) + a00)
		case measureBinarySimilarity:
			b := &cl.binary
			aff[c] = (b[0]*a11 + b[1]*a10 + b[2]*a01 + b[3]*a00) / (b[4]*a11 + b[5]*a10 + b[6]*a01 + b[7]*a00)
		}
	}
	return true
}
