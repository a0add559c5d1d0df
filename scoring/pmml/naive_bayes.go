package pmml

import (
	"encoding/xml"
	"math"
)

// naiveBayesKind is a NaiveBayesModel: prior counts of the target's
// categories (BayesOutput) and, per input field (BayesInput), either
// counts of the field's values per category (PairCounts, optionally after
// a Discretize) or a distribution of the field per category
// (TargetValueStats).
type naiveBayesKind struct {
	m      *model
	inputs *xnode
	output *xnode
}

func newNaiveBayesKind(m *model) kindCompiler { return &naiveBayesKind{m: m} }

func (k *naiveBayesKind) element(_ *decoder, p *parser, se xml.StartElement) error {
	name := se.Name.Local
	if name != "BayesInputs" && name != "BayesOutput" {
		return unsupported(name, p.line(), "<"+name+"> in a NaiveBayesModel")
	}
	if (name == "BayesInputs" && k.inputs != nil) || (name == "BayesOutput" && k.output != nil) {
		return p.errorf("the NaiveBayesModel has a second <%s>", name)
	}
	x, err := p.element(se)
	if err != nil {
		return err
	}
	if name == "BayesInputs" {
		k.inputs = x
	} else {
		k.output = x
	}
	return nil
}

// naiveBayes is a compiled NaiveBayesModel. Probabilities are summed as
// logarithms and turned into a distribution by softmax, as JPMML does.
type naiveBayes struct {
	// prior is ln(count) of each class in BayesOutput, -Inf for a class
	// BayesOutput does not count.
	prior     []float64
	inputs    []bayesInput
	threshold float64
}

// bayesInput is one BayesInput.
type bayesInput struct {
	slot int32
	// discretize is the BayesInput's DerivedField, applied to the field
	// before its value is looked up in values.
	discretize expr
	// values are the PairCounts' values; logs has, per value, one
	// ln(probability) per class (0 for a class the PairCounts does not
	// count), with the threshold standing in for zero counts.
	values []Value
	logs   []float64
	// stats are the distributions of a continuous field (TargetValueStats).
	stats []bayesStat
}

// bayesStat is one TargetValueStat: the field's distribution in a class.
type bayesStat struct {
	class   int32
	poisson bool
	mean    float64
	// sd and logNorm are the standard deviation and ln(sd·√(2π)) of a
	// Gaussian.
	sd, logNorm float64
}

func (k *naiveBayesKind) compile(mc *modelCtx) (evaluator, error) {
	m := k.m
	switch {
	case !mc.classification():
		return nil, unsupported(m.kind, m.line, "functionName "+m.functionName+" of a NaiveBayesModel")
	case mc.cm.float:
		return nil, unsupported(m.kind, m.line, "x-mathContext float in a NaiveBayesModel")
	case k.inputs == nil:
		return nil, elemErrorf(m.kind, m.line, "has no BayesInputs")
	case k.output == nil:
		return nil, elemErrorf(m.kind, m.line, "has no BayesOutput")
	}
	ts := attrOrDefault(m.attrs, "threshold", "")
	if ts == "" {
		return nil, elemErrorf(m.kind, m.line, "has no threshold")
	}
	threshold, err := parseNumber(ts)
	if err != nil {
		return nil, elemErrorf(m.kind, m.line, "has threshold %q, which is not a number", ts)
	}
	nb := &naiveBayes{threshold: threshold}
	// BayesOutput first: its categories are the model's.
	counted, priors, err := nb.compileOutput(mc, k.output)
	if err != nil {
		return nil, err
	}
	for _, x := range k.inputs.kids {
		switch {
		case x.space != mc.c.space:
			continue
		case x.name == "Extension":
			// R's pmml package wrote continuous BayesInputs in an
			// Extension before PMML 4.2 had TargetValueStats.
			for _, y := range x.kids {
				if y.space == mc.c.space && y.name == "BayesInput" {
					if err := nb.compileInput(mc, y, counted); err != nil {
						return nil, err
					}
				}
			}
		case x.name == "BayesInput":
			if err := nb.compileInput(mc, x, counted); err != nil {
				return nil, err
			}
		default:
			return nil, unsupported(x.name, x.line, "<"+x.name+"> in BayesInputs")
		}
	}
	nb.prior = make([]float64, len(mc.cm.classes))
	for i := range nb.prior {
		nb.prior[i] = math.Inf(-1)
		if counted[i] {
			nb.prior[i] = priors[i]
		}
	}
	return nb, nil
}

// compileOutput reads the BayesOutput's counts: which classes it counts
// and the logarithm of their counts.
func (nb *naiveBayes) compileOutput(mc *modelCtx, x *xnode) ([]bool, []float64, error) {
	if err := nb.checkTarget(mc, x); err != nil {
		return nil, nil, err
	}
	tvc := x.kid("TargetValueCounts")
	if tvc == nil {
		return nil, nil, x.errorf("has no TargetValueCounts")
	}
	var counted []bool
	var priors []float64
	for _, c := range tvc.kids {
		if c.space != mc.c.space || c.name != "TargetValueCount" {
			continue
		}
		value, count, err := targetValueCount(c)
		if err != nil {
			return nil, nil, err
		}
		class := mc.class(value)
		for len(counted) <= int(class) {
			counted, priors = append(counted, false), append(priors, 0)
		}
		counted[class] = true
		priors[class] += math.Log(count)
	}
	if len(priors) == 0 {
		return nil, nil, tvc.errorf("has no TargetValueCount")
	}
	for len(counted) < len(mc.cm.classes) {
		counted, priors = append(counted, false), append(priors, 0)
	}
	return counted, priors, nil
}

// checkTarget checks that a BayesOutput is about the model's target.
func (nb *naiveBayes) checkTarget(mc *modelCtx, x *xnode) error {
	name := x.attrOr("fieldName", x.attrOr("field", ""))
	if name == "" {
		return x.errorf("has no fieldName attribute")
	}
	if mc.target >= 0 && mc.c.slots[mc.target].name != name {
		return unsupported(x.name, x.line, "a BayesOutput for a field other than the model's target")
	}
	return nil
}

func targetValueCount(c *xnode) (string, float64, error) {
	value, err := c.need("value")
	if err != nil {
		return "", 0, err
	}
	count, err := c.float("count", math.NaN())
	if err != nil || math.IsNaN(count) || count < 0 {
		return "", 0, c.errorf("needs a count that is a number ≥ 0")
	}
	return value, count, nil
}

// knownClass returns the class of a category BayesOutput counts.
func knownClass(mc *modelCtx, counted []bool, x *xnode, value string) (int32, error) {
	i := classOf(mc.cm, mc.c.literal(value, mc.targetDT), value)
	if i < 0 || int(i) >= len(counted) || !counted[i] {
		return 0, x.errorf("refers to category %q, which the BayesOutput does not count", value)
	}
	return i, nil
}

// compileInput compiles a BayesInput.
func (nb *naiveBayes) compileInput(mc *modelCtx, x *xnode, counted []bool) error {
	name, err := x.need("fieldName")
	if err != nil {
		return err
	}
	in := bayesInput{}
	if in.slot, err = mc.c.ref(mc.sc, x, name); err != nil {
		return err
	}
	dt := literalType(mc.c.slots[in.slot].dt)
	var pairs []*xnode
	var stats *xnode
	for _, k := range x.kids {
		switch {
		case k.space != mc.c.space || k.name == "Extension":
		case k.name == "DerivedField":
			if in.discretize, dt, err = compileBayesDiscretize(mc, k); err != nil {
				return err
			}
		case k.name == "PairCounts":
			pairs = append(pairs, k)
		case k.name == "TargetValueStats" && stats == nil:
			stats = k
		default:
			return unsupported(k.name, k.line, "<"+k.name+"> in a BayesInput")
		}
	}
	switch {
	case stats != nil && (len(pairs) > 0 || in.discretize != nil):
		return x.errorf("has both TargetValueStats and PairCounts or a DerivedField")
	case stats != nil:
		if err := in.compileStats(mc, stats, counted); err != nil {
			return err
		}
	default:
		if err := in.compilePairs(mc, pairs, dt, counted, nb.threshold); err != nil {
			return err
		}
	}
	nb.inputs = append(nb.inputs, in)
	return nil
}

// compileBayesDiscretize compiles the DerivedField of a BayesInput, which
// PMML allows to be a Discretize of the field only.
func compileBayesDiscretize(mc *modelCtx, x *xnode) (expr, dataType, error) {
	var d *xnode
	for _, k := range x.kids {
		if k.space == mc.c.space && expressionKinds[k.name] {
			d = k
			break
		}
	}
	if d == nil {
		return nil, 0, x.errorf("has no expression")
	}
	if d.name != "Discretize" {
		return nil, 0, unsupported(d.name, d.line, "<"+d.name+"> in the DerivedField of a BayesInput (only Discretize is)")
	}
	e, err := mc.c.derivedExpr(mc.sc, x)
	if err != nil {
		return nil, 0, err
	}
	dt, err := mc.c.dataTypeAttr(x, "dataType", d.attrOr("dataType", "string"))
	if err != nil {
		return nil, 0, err
	}
	return e, literalType(dt), nil
}

// compilePairs compiles the PairCounts of a categorical input into a
// table of log probabilities: count / (the class's count over all the
// input's values), or the threshold for a zero count.
func (in *bayesInput) compilePairs(mc *modelCtx, pairs []*xnode, dt dataType, counted []bool, threshold float64) error {
	type cell struct {
		class int32
		count float64
	}
	n := len(counted)
	sums := make([]float64, n)
	cells := make([][]cell, len(pairs))
	for i, p := range pairs {
		value, err := p.need("value")
		if err != nil {
			return err
		}
		v := mc.c.literal(value, dt)
		if v.Kind == KindInvalid {
			v = Text(value)
		}
		in.values = append(in.values, v)
		tvc := p.kid("TargetValueCounts")
		if tvc == nil {
			return p.errorf("has no TargetValueCounts")
		}
		for _, c := range tvc.kids {
			if c.space != mc.c.space || c.name != "TargetValueCount" {
				continue
			}
			label, count, err := targetValueCount(c)
			if err != nil {
				return err
			}
			class, err := knownClass(mc, counted, c, label)
			if err != nil {
				return err
			}
			sums[class] += count
			cells[i] = append(cells[i], cell{class, count})
		}
	}
	in.logs = make([]float64, len(pairs)*n)
	for i := range pairs {
		row := in.logs[i*n : (i+1)*n]
		for _, c := range cells[i] {
			p := threshold
			if c.count != 0 {
				p = c.count / sums[c.class]
			}
			row[c.class] += math.Log(p)
		}
	}
	return nil
}

// compileStats compiles the TargetValueStats of a continuous input.
func (in *bayesInput) compileStats(mc *modelCtx, x *xnode, counted []bool) error {
	for _, s := range x.kids {
		if s.space != mc.c.space || s.name != "TargetValueStat" {
			continue
		}
		value, err := s.need("value")
		if err != nil {
			return err
		}
		st := bayesStat{}
		if st.class, err = knownClass(mc, counted, s, value); err != nil {
			return err
		}
		var dist *xnode
		for _, k := range s.kids {
			if k.space == mc.c.space && k.name != "Extension" {
				dist = k
				break
			}
		}
		if dist == nil {
			return s.errorf("has no distribution")
		}
		if dist.name != "GaussianDistribution" && dist.name != "PoissonDistribution" {
			return unsupported(dist.name, dist.line, "<"+dist.name+"> in a NaiveBayesModel")
		}
		if st.mean, err = dist.float("mean", math.NaN()); err != nil || math.IsNaN(st.mean) {
			return dist.errorf("needs a numeric mean")
		}
		switch dist.name {
		case "GaussianDistribution":
			variance, err := dist.float("variance", math.NaN())
			if err != nil || math.IsNaN(variance) {
				return dist.errorf("needs a numeric variance")
			}
			if variance <= 0 {
				continue // JPMML ignores a degenerate distribution
			}
			st.sd = math.Sqrt(variance)
			st.logNorm = math.Log(st.sd) + 0.5*math.Log(2*math.Pi)
		default:
			if st.mean <= 0 {
				return dist.errorf("needs a mean > 0")
			}
			st.poisson = true
		}
		in.stats = append(in.stats, st)
	}
	if len(in.stats) == 0 && len(x.kids) == 0 {
		return x.errorf("has no TargetValueStat")
	}
	return nil
}
