package pmml

import (
	"encoding/xml"
	"strconv"
)

// knnKind is a NearestNeighborModel: the training instances themselves,
// a comparison measure and the fields it compares. A row is scored from
// the k instances nearest to it.
type knnKind struct {
	m                          *model
	training, measure, kinputs *xnode
}

func newNearestNeighborKind(m *model) kindCompiler { return &knnKind{m: m} }

// A NearestNeighborModel may predict several targets at once.
func init() { modelFunctions["NearestNeighborModel/mixed"] = true }

func (k *knnKind) element(_ *decoder, p *parser, se xml.StartElement) error {
	var dst **xnode
	switch se.Name.Local {
	case "TrainingInstances":
		dst = &k.training
	case "ComparisonMeasure":
		dst = &k.measure
	case "KNNInputs":
		dst = &k.kinputs
	default:
		return unsupported(se.Name.Local, p.line(), "<"+se.Name.Local+"> in a NearestNeighborModel")
	}
	if *dst != nil {
		return p.errorf("the NearestNeighborModel has a second <%s>", se.Name.Local)
	}
	x, err := p.element(se)
	if err == nil {
		*dst = x
	}
	return err
}

// Compare functions of a KNNInput.
const (
	knnAbsDiff uint8 = iota
	knnDelta
	knnEqual
)

var knnCompareFunctions = map[string]uint8{"absDiff": knnAbsDiff, "delta": knnDelta, "equal": knnEqual}

// Comparison measures.
const (
	knnEuclidean uint8 = iota
	knnSquaredEuclidean
	knnCityBlock
	knnChebychev
	knnMinkowski
	knnSimpleMatching // similarities from here on
	knnJaccard
	knnTanimoto
	knnBinarySimilarity
)

var knnMeasures = map[string]uint8{
	"euclidean": knnEuclidean, "squaredEuclidean": knnSquaredEuclidean, "cityBlock": knnCityBlock,
	"chebychev": knnChebychev, "minkowski": knnMinkowski, "simpleMatching": knnSimpleMatching,
	"jaccard": knnJaccard, "tanimoto": knnTanimoto, "binarySimilarity": knnBinarySimilarity,
}

// Scoring methods.
const (
	knnAverage uint8 = iota
	knnMedian
	knnWeightedAverage
	knnMajorityVote
	knnWeightedMajorityVote
)

var (
	knnContinuousMethods  = map[string]uint8{"average": knnAverage, "median": knnMedian, "weightedAverage": knnWeightedAverage}
	knnCategoricalMethods = map[string]uint8{"majorityVote": knnMajorityVote, "weightedMajorityVote": knnWeightedMajorityVote}
)

// knn is a compiled NearestNeighborModel. The training instances are
// kept column-compact: x holds their KNN input values row after row,
// each target its values in a slice of its own.
type knn struct {
	k          int
	inputs     []knnInput
	measure    uint8
	similarity bool
	p          float64    // minkowski p-parameter
	bin        [8]float64 // binarySimilarity c00, c01, c10, c11, d00, d01, d10, d11
	rows       int
	x          []float64
	ids        []string
	targets    []knnTarget
	threshold  float64
	contMethod uint8
	catMethod  uint8
	// primary tells how the first target's prediction becomes the
	// model's: as a number, as a class of the classification, or (in a
	// mixed model) as its value.
	primary uint8
	float   bool
	// maxLabels is the most categories of any categorical target.
	maxLabels int
	// squares is set for the common case of a (squared) euclidean
	// distance of absDiff inputs, which compare does without switches.
	squares bool
	// sources are the InstanceField columns of the targets, while
	// compiling.
	sources []knnTargetSource
}

// How the first target's prediction is reported.
const (
	knnPrimaryNumber uint8 = iota
	knnPrimaryClass
	knnPrimaryValue
)

// knnInput is a KNNInput. A categorical input (compared with delta or
// equal) is coded as the index of its value in cats.
type knnInput struct {
	slot    int32
	weight  float64
	compare uint8
	cats    map[string]float64
}

// knnTarget is one target field: its training values, a number per
// instance or the index of its category in labels.
type knnTarget struct {
	categorical bool
	nums        []float64
	cats        []int32
	labels      []Value
	// counts is the number of training instances per label, which
	// breaks ties of a vote.
	counts []int
	// class maps a label to its index among the classes of a
	// classification model.
	class []int32
}

func (k *knnKind) compile(mc *modelCtx) (evaluator, error) {
	m := k.m
	switch {
	case k.training == nil:
		return nil, elemErrorf(m.kind, m.line, "has no TrainingInstances")
	case k.measure == nil:
		return nil, elemErrorf(m.kind, m.line, "has no ComparisonMeasure")
	case k.kinputs == nil:
		return nil, elemErrorf(m.kind, m.line, "has no KNNInputs")
	case m.functionName == "mixed" && len(m.targets) > 0:
		return nil, unsupported("Targets", m.line, "Targets of a mixed NearestNeighborModel")
	}
	nn := &knn{float: mc.cm.float}
	var err error
	if nn.k, err = strconv.Atoi(attrOf(m.attrs, "numberOfNeighbors")); err != nil || nn.k < 1 {
		return nil, elemErrorf(m.kind, m.line, "has numberOfNeighbors=%q; want a positive integer", attrOf(m.attrs, "numberOfNeighbors"))
	}
	if nn.threshold, err = scAttrFloat(m, "threshold", 0.001); err != nil {
		return nil, err
	}
	method := attrOrDefault(m.attrs, "continuousScoringMethod", "average")
	var ok bool
	if nn.contMethod, ok = knnContinuousMethods[method]; !ok {
		return nil, unsupported(m.kind, m.line, "continuousScoringMethod "+strconv.Quote(method))
	}
	method = attrOrDefault(m.attrs, "categoricalScoringMethod", "majorityVote")
	if nn.catMethod, ok = knnCategoricalMethods[method]; !ok {
		return nil, unsupported(m.kind, m.line, "categoricalScoringMethod "+strconv.Quote(method))
	}
	if err := nn.compileMeasure(mc, k.measure); err != nil {
		return nil, err
	}
	if nn.similarity && (nn.contMethod == knnWeightedAverage || nn.catMethod == knnWeightedMajorityVote) {
		return nil, unsupported(m.kind, m.line, "a weighted scoring method with a similarity measure")
	}
	if err := nn.compileInputs(mc, k.kinputs, k.measure.attrOr("compareFunction", "absDiff")); err != nil {
		return nil, err
	}
	nn.squares = nn.measure == knnEuclidean || nn.measure == knnSquaredEuclidean
	for _, in := range nn.inputs {
		nn.squares = nn.squares && in.compare == knnAbsDiff
	}
	if err := nn.compileInstances(mc, k.training, attrOf(m.attrs, "instanceIdVariable")); err != nil {
		return nil, err
	}
	if nn.k > nn.rows {
		return nil, elemErrorf(m.kind, m.line, "asks for %d neighbours of %d training instances", nn.k, nn.rows)
	}
	for _, f := range m.output {
		switch f.feature {
		case featurePredictedValue, "predictedDisplayValue", "entityId", "transformedValue", "decision":
		default:
			return nil, unsupported("OutputField", f.line, "feature "+strconv.Quote(f.feature)+" of a NearestNeighborModel")
		}
	}
	// Scratch: the row's inputs, the distance to every instance, the
	// nearest instances, their target values (for a median) and a vote
	// per category.
	mc.cm.scratch = len(nn.inputs) + nn.rows + 2*nn.k + nn.maxLabels
	return nn, nil
}

// compileMeasure reads the ComparisonMeasure.
func (nn *knn) compileMeasure(mc *modelCtx, x *xnode) error {
	kind := x.attrOr("kind", "")
	if kind != "distance" && kind != "similarity" {
		return x.errorf("has kind=%q; want distance or similarity", kind)
	}
	var mx *xnode
	for _, k := range x.kids {
		if k.space != mc.c.space || k.name == "Extension" {
			continue
		}
		if mx != nil {
			return x.errorf("has more than one measure")
		}
		mx = k
	}
	if mx == nil {
		return x.errorf("has no measure")
	}
	measure, ok := knnMeasures[mx.name]
	if !ok {
		return unsupported(mx.name, mx.line, "the comparison measure <"+mx.name+">")
	}
	nn.measure, nn.similarity = measure, measure >= knnSimpleMatching
	if nn.similarity != (kind == "similarity") {
		return x.errorf("has kind=%q, but <%s> is not a %s measure", kind, mx.name, kind)
	}
	switch measure {
	case knnMinkowski:
		p, err := mx.float("p-parameter", 0)
		if err != nil {
			return err
		}
		if p <= 0 {
			return mx.errorf("needs a positive p-parameter")
		}
		nn.p = p
	case knnBinarySimilarity:
		for i, name := range []string{"c00-parameter", "c01-parameter", "c10-parameter", "c11-parameter", "d00-parameter", "d01-parameter", "d10-parameter", "d11-parameter"} {
			s, err := mx.need(name)
			if err != nil {
				return err
			}
			if nn.bin[i], err = mx.parseFloat(name, s); err != nil {
				return err
			}
		}
	}
	return nil
}

// compileInputs reads the KNNInputs.
func (nn *knn) compileInputs(mc *modelCtx, x *xnode, defCompare string) error {
	for _, k := range x.kids {
		if k.space != mc.c.space || k.name == "Extension" {
			continue
		}
		if k.name != "KNNInput" {
			return unsupported(k.name, k.line, "<"+k.name+"> in KNNInputs")
		}
		field, err := k.need("field")
		if err != nil {
			return err
		}
		in := knnInput{}
		if in.slot, err = mc.c.ref(mc.sc, k, field); err != nil {
			return err
		}
		if in.weight, err = k.float("fieldWeight", 1); err != nil {
			return err
		}
		if in.weight <= 0 {
			return k.errorf("has fieldWeight %v; want a positive number", in.weight)
		}
		cf := k.attrOr("compareFunction", defCompare)
		var ok bool
		if in.compare, ok = knnCompareFunctions[cf]; !ok {
			return unsupported(k.name, k.line, "compareFunction "+strconv.Quote(cf))
		}
		if !mc.c.slots[in.slot].dt.numeric() {
			if in.compare == knnAbsDiff || nn.similarity {
				return unsupported(k.name, k.line, "a non-numeric input compared with "+cf)
			}
			in.cats = map[string]float64{}
		}
		nn.inputs = append(nn.inputs, in)
	}
	if len(nn.inputs) == 0 {
		return x.errorf("has no KNNInput")
	}
	return nil
}
