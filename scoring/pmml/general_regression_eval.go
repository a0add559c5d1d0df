package pmml

import "math"

// Inverse link functions of a generalizedLinear model (linkFunction).
const (
	grmLinkIdentity uint8 = iota
	grmLinkLog
	grmLinkLogc
	grmLinkLogit
	grmLinkProbit
	grmLinkCloglog
	grmLinkLoglog
	grmLinkNegbin
	grmLinkOddspower
	grmLinkPower
)

var grmLinks = map[string]uint8{
	"identity": grmLinkIdentity, "log": grmLinkLog, "logc": grmLinkLogc, "logit": grmLinkLogit,
	"probit": grmLinkProbit, "cloglog": grmLinkCloglog, "loglog": grmLinkLoglog,
	"negbin": grmLinkNegbin, "oddspower": grmLinkOddspower, "power": grmLinkPower,
}

// cumulativeLinks are the cumulativeLink functions of an ordinalMultinomial
// model, as RegressionModel normalization methods.
var cumulativeLinks = map[string]uint8{
	"logit": normLogit, "probit": normProbit, "cloglog": normCloglog, "loglog": normLoglog, "cauchit": normCauchit,
}

// compileLink reads the link function, its parameters, the offset and the
// trials of the model: attributes that only generalizedLinear (and, for
// the offset, ordinalMultinomial) models read. Elsewhere an offset or a
// number of trials would change a score the evaluator does not compute,
// so they are refused.
func (g *generalRegression) compileLink(mc *modelCtx, m *model, mt uint8) error {
	var err error
	if g.offset, err = grmAdjustment(mc, m, "offsetVariable", "offsetValue"); err != nil {
		return err
	}
	if g.trials, err = grmAdjustment(mc, m, "trialsVariable", "trialsValue"); err != nil {
		return err
	}
	if g.offset.set && mt != grmGeneralized && mt != grmOrdinal {
		return unsupported(m.kind, m.line, "an offset in a model that is neither generalizedLinear nor ordinalMultinomial")
	}
	if g.trials.set && mt != grmGeneralized {
		return unsupported(m.kind, m.line, "trials in a model that is not generalizedLinear")
	}
	switch mt {
	case grmLinear, grmCox:
		// JPMML ignores a link function here; one that is not the
		// identity says the model means something this type does not do.
		if name, ok := grmAttr(m, "linkFunction"); ok && name != "identity" {
			return unsupported(m.kind, m.line, "linkFunction "+quoteOrNone(name)+" in a model that is not generalizedLinear")
		}
	case grmOrdinal:
		name, _ := grmAttr(m, "cumulativeLink")
		link, ok := cumulativeLinks[name]
		if !ok {
			return unsupported(m.kind, m.line, "cumulativeLink "+quoteOrNone(name))
		}
		g.link = link
	case grmGeneralized:
		name, _ := grmAttr(m, "linkFunction")
		link, ok := grmLinks[name]
		if !ok {
			return unsupported(m.kind, m.line, "linkFunction "+quoteOrNone(name))
		}
		g.link = link
		dist, hasDist, err := grmFloatAttr(m, "distParameter")
		if err != nil {
			return err
		}
		lp, hasLP, err := grmFloatAttr(m, "linkParameter")
		if err != nil {
			return err
		}
		switch {
		case (link == grmLinkNegbin) != hasDist:
			return elemErrorf(m.kind, m.line, "has linkFunction %s and distParameter present=%t; negbin, and only negbin, needs one", name, hasDist)
		case (link == grmLinkPower || link == grmLinkOddspower) != hasLP:
			return elemErrorf(m.kind, m.line, "has linkFunction %s and linkParameter present=%t; power and oddspower, and only they, need one", name, hasLP)
		}
		g.distParam, g.linkParam = dist, lp
	}
	return nil
}

func quoteOrNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return `"` + s + `"`
}

// grmFloatAttr reads a numeric attribute of the model element.
func grmFloatAttr(m *model, name string) (float64, bool, error) {
	s, ok := grmAttr(m, name)
	if !ok {
		return 0, false, nil
	}
	f, err := parseNumber(s)
	if err != nil {
		return 0, true, elemErrorf(m.kind, m.line, "has %s=%q, which is not a number", name, s)
	}
	return f, true, nil
}

// grmAdjustment reads an offset or trials: a field, else a constant.
func grmAdjustment(mc *modelCtx, m *model, variable, value string) (grmAdjust, error) {
	if name, ok := grmAttr(m, variable); ok {
		slot, err := mc.c.ref(mc.sc, &xnode{name: m.kind, line: m.line}, name)
		return grmAdjust{set: true, slot: slot, name: name}, err
	}
	f, ok, err := grmFloatAttr(m, value)
	return grmAdjust{set: ok, slot: -1, value: f, name: value}, err
}

// get returns the offset or trials for the row; ok is false (and the row
// failed) when its field is missing.
func (a *grmAdjust) get(s *state) (float64, bool) {
	if a.slot < 0 {
		return a.value, true
	}
	v := s.get(a.slot)
	if v.Kind != KindNumber && v.Kind != KindBool {
		s.failf(a.name, "%s is missing or not a number", a.name)
		return 0, false
	}
	return v.Num, true
}

func (g *generalRegression) eval(s *state, r *result) {
	switch {
	case g.cox != nil:
		g.evalCox(s, r)
	case g.order == nil:
		y, ok := g.dot(s, g.eqs[0])
		if ok && g.modelType == grmGeneralized {
			y, ok = g.inverseLink(s, y)
		}
		if ok {
			r.setNumber(y)
		}
	default:
		g.evalClasses(s, r)
	}
}

// evalClasses computes the probabilities of a classification in the order
// of g.order, the reference category last.
func (g *generalRegression) evalClasses(s *state, r *result) {
	n := len(g.order)
	probs := r.probabilities()
	prev := 0.0 // generalizedLinear: the previous probability; ordinal: the previous cumulative one
	for i := range n - 1 {
		y, ok := g.dot(s, g.eqs[i])
		if !ok {
			r.hasProbs = false
			return
		}
		switch g.modelType {
		case grmGeneralized:
			if y, ok = g.inverseLink(s, y); !ok {
				r.hasProbs = false
				return
			}
			prev = y
		case grmMultinomial:
			y = math.Exp(y)
		case grmOrdinal:
			if g.offset.set {
				off, ok := g.offset.get(s)
				if !ok {
					r.hasProbs = false
					return
				}
				y += off
			}
			cum := binomial(g.link, y)
			y, prev = cum-prev, cum
		}
		probs[g.order[i]] = y
	}
	last := g.order[n-1]
	switch g.modelType {
	case grmGeneralized, grmOrdinal:
		probs[last] = 1 - prev
	case grmMultinomial:
		probs[last] = 1 // exp(0): the reference category's parameters are 0
		sum := 0.0
		for _, c := range g.order {
			sum += probs[c]
		}
		for _, c := range g.order {
			probs[c] /= sum
		}
	}
	// The most probable class wins; a tie goes to the first in evaluation
	// order, as JPMML breaks it.
	best := g.order[0]
	for _, c := range g.order[1:] {
		if probs[c] > probs[best] {
			best = c
		}
	}
	r.class, r.ok = best, !math.IsNaN(probs[best])
}

// dot computes a linear predictor: false when an input it needs is
// missing.
func (g *generalRegression) dot(s *state, eq []grmTerm) (float64, bool) {
	y := 0.0
	for _, t := range eq {
		if t.row < 0 {
			y += t.beta
			continue
		}
		x, ok := g.rows[t.row].value(s)
		if !ok {
			return 0, false
		}
		y += t.beta * x
	}
	return y, true
}

// value computes a PPMatrix row: 1 when every factor has its level (0
// otherwise, whatever the covariates), times each covariate's power.
func (row *grmRow) value(s *state) (float64, bool) {
	p := 1.0
	for i := range row.factors {
		f := &row.factors[i]
		v := s.get(f.slot)
		if v.Kind == KindMissing || v.Kind == KindInvalid {
			return 0, false
		}
		if !equalValues(*v, f.value) {
			p = 0
		}
	}
	if p == 0 {
		return 0, true
	}
	for i := range row.covariates {
		c := &row.covariates[i]
		v := s.get(c.slot)
		if v.Kind != KindNumber && v.Kind != KindBool {
			return 0, false
		}
		if c.exponent == 1 {
			p *= v.Num
		} else {
			p *= math.Pow(v.Num, c.exponent)
		}
	}
	return p, true
}

// inverseLink maps the linear predictor of a generalizedLinear model to
// its prediction: offset, inverse link, then trials.
func (g *generalRegression) inverseLink(s *state, y float64) (float64, bool) {
	if g.offset.set {
		off, ok := g.offset.get(s)
		if !ok {
			return 0, false
		}
		y += off
	}
	switch g.link {
	case grmLinkLog:
		y = math.Exp(y)
	case grmLinkLogc:
		y = 1 - math.Exp(y)
	case grmLinkLogit:
		y = 1 / (1 + math.Exp(-y))
	case grmLinkProbit:
		y = binomial(normProbit, y)
	case grmLinkCloglog:
		y = 1 - math.Exp(-math.Exp(y))
	case grmLinkLoglog:
		y = math.Exp(-math.Exp(-y))
	case grmLinkNegbin:
		y = 1 / (g.distParam * (math.Exp(-y) - 1))
	case grmLinkOddspower:
		if d := g.linkParam; d != 0 {
			y = 1 / (1 + math.Pow(1+d*y, -(1/d)))
		} else {
			y = 1 / (1 + math.Exp(-y))
		}
	case grmLinkPower:
		if d := g.linkParam; d != 0 {
			y = math.Pow(y, 1/d)
		} else {
			y = math.Exp(y)
		}
	}
	if g.trials.set {
		n, ok := g.trials.get(s)
		if !ok {
			return 0, false
		}
		if n != math.Trunc(n) {
			s.failf(g.trials.name, "%s is %v, not a whole number of trials", g.trials.name, n)
			return 0, false
		}
		y *= n
	}
	return y, true
}
