package pmml

import "math"

func (rg *regression) eval(s *state, r *result) {
	n, d := len(rg.tables), len(rg.dense)
	if cap(s.floats) < n+d {
		s.floats = make([]float64, n+d)
	}
	ys, xs := s.floats[:n], s.floats[n:n+d]
	for i, slot := range rg.dense {
		v := s.get(slot)
		if v.Kind != KindNumber && v.Kind != KindBool {
			return // "If the input value is missing, the result is missing"
		}
		xs[i] = v.Num
	}
	for i := range rg.tables {
		start := 0.0
		if d > 0 {
			start = dot(rg.coefs[i], xs)
		}
		y, ok := rg.tables[i].value(s, start, rg.float)
		if !ok {
			return // "If one or more RegressionTables cannot be evaluated", Targets' priors decide
		}
		ys[i] = y
	}
	if len(rg.class) == 0 {
		r.setNumber(rg.round(normalize(rg.norm, ys[0])))
		return
	}
	rg.probabilities(ys)
	probs := r.probabilities()
	for i, y := range ys {
		probs[rg.class[i]] = y
	}
	r.argmax()
}

// probabilities turns the tables' values into class probabilities in
// place, as JPMML does: two categories are a binomial model whose second
// probability is the rest of the first; softmax and simplemax normalise
// over all; none leaves the last category the rest.
func (rg *regression) probabilities(ys []float64) {
	n := len(ys)
	switch {
	case rg.ordinal:
		sum := 0.0
		for i := 0; i < n-1; i++ {
			p := rg.round(binomial(rg.norm, ys[i]))
			ys[i] = rg.round(p - sum)
			sum = p
		}
		ys[n-1] = rg.round(1 - sum)
	case rg.norm == normSoftmax && n == 2 && rg.tables[1].isDefault(), n == 2 && rg.norm != normSoftmax && rg.norm != normSimplemax:
		method := rg.norm
		if method == normSoftmax {
			method = normLogit
		}
		ys[0] = rg.round(binomial(method, ys[0]))
		ys[1] = rg.round(1 - ys[0])
	case rg.norm == normNone:
		sum := 0.0
		for i := 0; i < n-1; i++ {
			sum += ys[i]
		}
		ys[n-1] = rg.round(1 - sum)
	default: // softmax, simplemax
		if rg.norm == normSoftmax {
			// Subtracting the largest value keeps exp from overflowing
			// and does not change the quotients.
			top := ys[0]
			for _, y := range ys {
				top = math.Max(top, y)
			}
			for i := range ys {
				ys[i] = math.Exp(ys[i] - top)
			}
		}
		sum := 0.0
		for _, y := range ys {
			sum += y
		}
		for i := range ys {
			ys[i] = rg.round(ys[i] / sum)
		}
	}
}

func (rg *regression) round(f float64) float64 {
	if rg.float {
		return float64(float32(f))
	}
	return f
}

// dot is the dot product of two vectors of the same length.
func dot(a, b []float64) float64 {
	b = b[:len(a)]
	y := 0.0
	for i, x := range a {
		y += x * b[i]
	}
	return y
}

// value computes a RegressionTable from start, the dense part of its
// numeric predictors: false when a numeric input is missing. The terms are
// added in JPMML's order, so sums round as they do there.
func (t *regTable) value(s *state, start float64, float bool) (float64, bool) {
	if float {
		return t.value32(s)
	}
	y := start
	for i := range t.numeric {
		p := &t.numeric[i]
		v := s.get(p.slot)
		if v.Kind != KindNumber && v.Kind != KindBool {
			return 0, false
		}
		x := v.Num
		if p.exponent != 1 {
			x = math.Pow(x, p.exponent)
		}
		y += p.coef * x
	}
	for i := range t.cats {
		p := &t.cats[i]
		if v := s.get(p.slot); v.Kind != KindMissing && equalValues(*v, p.value) {
			y += p.coef
		}
	}
	for i := range t.terms {
		p := &t.terms[i]
		x := p.coef
		for _, slot := range p.slots {
			v := s.get(slot)
			if v.Kind != KindNumber && v.Kind != KindBool {
				return 0, false
			}
			x *= v.Num
		}
		y += x
	}
	return y + t.intercept, true
}

// value32 is value in float32 arithmetic.
func (t *regTable) value32(s *state) (float64, bool) {
	var y float32
	for i := range t.numeric {
		p := &t.numeric[i]
		v := s.get(p.slot)
		if v.Kind != KindNumber && v.Kind != KindBool {
			return 0, false
		}
		x := float32(v.Num)
		if p.exponent != 1 {
			x = float32(math.Pow(float64(x), p.exponent))
		}
		y += float32(p.coef) * x
	}
	for i := range t.cats {
		p := &t.cats[i]
		if v := s.get(p.slot); v.Kind != KindMissing && equalValues(*v, p.value) {
			y += float32(p.coef)
		}
	}
	for i := range t.terms {
		p := &t.terms[i]
		x := float32(p.coef)
		for _, slot := range p.slots {
			v := s.get(slot)
			if v.Kind != KindNumber && v.Kind != KindBool {
				return 0, false
			}
			x *= float32(v.Num)
		}
		y += x
	}
	return float64(y + float32(t.intercept)), true
}

// isDefault reports whether a table is the constant 0 that sklearn2pmml
// and R write for the reference category of a binary model.
func (t *regTable) isDefault() bool {
	return len(t.numeric) == 0 && len(t.cats) == 0 && len(t.terms) == 0 && t.intercept == 0
}

// normalize applies a regression normalizationMethod.
func normalize(method uint8, y float64) float64 {
	switch method {
	case normNone:
		return y
	case normExp:
		return math.Exp(y)
	}
	return binomial(method, y)
}

// binomial maps a linear predictor to a probability by the inverse of a
// link function.
func binomial(method uint8, y float64) float64 {
	switch method {
	case normLogit, normSoftmax:
		return 1 / (1 + math.Exp(-y))
	case normProbit:
		return 0.5 * math.Erfc(-y/math.Sqrt2)
	case normCloglog:
		return 1 - math.Exp(-math.Exp(y))
	case normLoglog:
		return math.Exp(-math.Exp(-y))
	case normCauchit:
		return 0.5 + math.Atan(y)/math.Pi
	case normNone:
		return math.Max(0, math.Min(1, y))
	}
	return y
}
