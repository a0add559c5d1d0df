package pmml

import (
	"encoding/xml"
	"math"
	"strconv"
)

// clusteringKind is a center-based ClusteringModel: a ComparisonMeasure,
// the ClusteringFields it compares, and a center per Cluster. The row goes
// to the nearest (or most similar) cluster; the cluster's id is the
// predicted value, its name the display value, and the distance to each
// cluster its affinity.
type clusteringKind struct {
	m        *model
	measure  *xnode
	fields   []*xnode
	clusters []*xnode
	missing  *xnode
}

func newClusteringKind(m *model) kindCompiler { return &clusteringKind{m: m} }

// A ClusteringModel's functionName is clustering, which the core accepts
// only for the kinds listed in modelFunctions.
func init() { modelFunctions["ClusteringModel/clustering"] = true }

func (k *clusteringKind) element(_ *decoder, p *parser, se xml.StartElement) error {
	name := se.Name.Local
	switch name {
	case "ComparisonMeasure", "ClusteringField", "Cluster", "MissingValueWeights":
	default:
		// CenterFields (PMML 3) and anything else would change the
		// distances.
		return unsupported(name, p.line(), "<"+name+"> in a ClusteringModel")
	}
	x, err := p.element(se)
	if err != nil {
		return err
	}
	switch name {
	case "ComparisonMeasure":
		k.measure = x
	case "ClusteringField":
		k.fields = append(k.fields, x)
	case "Cluster":
		k.clusters = append(k.clusters, x)
	case "MissingValueWeights":
		k.missing = x
	}
	return nil
}

// Measures of a ComparisonMeasure: distances, then similarities.
const (
	measureEuclidean uint8 = iota
	measureSquaredEuclidean
	measureCityBlock
	measureChebychev
	measureMinkowski
	measureSimpleMatching
	measureJaccard
	measureTanimoto
	measureBinarySimilarity
)

var clusterMeasures = map[string]uint8{
	"euclidean": measureEuclidean, "squaredEuclidean": measureSquaredEuclidean,
	"cityBlock": measureCityBlock, "chebychev": measureChebychev, "minkowski": measureMinkowski,
	"simpleMatching": measureSimpleMatching, "jaccard": measureJaccard,
	"tanimoto": measureTanimoto, "binarySimilarity": measureBinarySimilarity,
}

// Compare functions of a ClusteringField.
const (
	compareAbsDiff uint8 = iota
	compareGaussSim
	compareDelta
	compareEqual
)

var compareFunctions = map[string]uint8{
	"absDiff": compareAbsDiff, "gaussSim": compareGaussSim, "delta": compareDelta, "equal": compareEqual,
}

// clustering is a compiled ClusteringModel.
type clustering struct {
	measure uint8
	// inner and outer are the powers of a distance: the sum of the
	// weighted compared values to the inner power, to the outer power.
	inner, outer float64
	fields       []clusterField
	// centers holds len(fields) numbers per cluster, cluster after
	// cluster.
	centers []float64
	// ids are the clusters' ids, the entityId of the winner.
	ids []string
	// missingWeights are the MissingValueWeights, one per field (1 when
	// absent): the distance is scaled by the sum of the weights over the
	// sum of those of the fields that are present.
	missingWeights []float64
	// binary similarity parameters c11, c10, c01, c00, d11, d10, d01, d00.
	binary [8]float64
}

type clusterField struct {
	slot    int32
	compare uint8
	weight  float64
	// scale is the similarityScale of gaussSim.
	scale float64
}

func (k *clusteringKind) compile(mc *modelCtx) (evaluator, error) {
	m := k.m
	if mc.cm.float {
		return nil, unsupported(m.kind, m.line, "x-mathContext float in a ClusteringModel")
	}
	if mc.cm.function != "clustering" {
		return nil, elemErrorf(m.kind, m.line, "has functionName %q; want clustering", mc.cm.function)
	}
	if class := attrOf(m.attrs, "modelClass"); class != "centerBased" {
		return nil, unsupported(m.kind, m.line, "modelClass "+strconv.Quote(class))
	}
	if len(m.targets) > 0 {
		return nil, unsupported("Targets", m.line, "<Targets> in a ClusteringModel")
	}
	cl := &clustering{}
	if err := cl.compileMeasure(m, k.measure); err != nil {
		return nil, err
	}
	def := compareAbsDiff
	if s := k.measure.attrOr("compareFunction", "absDiff"); s != "" {
		f, ok := compareFunctions[s]
		if !ok {
			return nil, unsupported(k.measure.name, k.measure.line, "compareFunction "+strconv.Quote(s))
		}
		def = f
	}
	for _, x := range k.fields {
		if x.attrOr("isCenterField", "true") == "false" {
			continue // not part of the centers; it only describes them
		}
		f, err := compileClusterField(mc, x, def)
		if err != nil {
			return nil, err
		}
		cl.fields = append(cl.fields, f)
	}
	if len(cl.fields) == 0 {
		return nil, elemErrorf(m.kind, m.line, "has no ClusteringField")
	}
	if len(k.clusters) == 0 {
		return nil, elemErrorf(m.kind, m.line, "has no Cluster")
	}
	cl.missingWeights = make([]float64, len(cl.fields))
	for i := range cl.missingWeights {
		cl.missingWeights[i] = 1
	}
	if k.missing != nil {
		arr := k.missing.kid("Array")
		if arr == nil {
			return nil, k.missing.errorf("has no Array")
		}
		w, err := parseRealArray(arr)
		if err != nil {
			return nil, err
		}
		if len(w) != len(cl.fields) {
			return nil, k.missing.errorf("has %d weights for %d ClusteringFields", len(w), len(cl.fields))
		}
		cl.missingWeights = w
	}
	for i, x := range k.clusters {
		if err := cl.compileCluster(mc, x, i); err != nil {
			return nil, err
		}
	}
	// Scratch: the row's values and which of them are present.
	mc.cm.scratch = 2 * len(cl.fields)
	return cl, nil
}

// compileMeasure reads the ComparisonMeasure.
func (cl *clustering) compileMeasure(m *model, x *xnode) error {
	if x == nil {
		return elemErrorf(m.kind, m.line, "has no ComparisonMeasure")
	}
	var measure *xnode
	for _, kid := range x.kids {
		if kid.space == x.space && kid.name != "Extension" {
			measure = kid
		}
	}
	if measure == nil {
		return x.errorf("has no measure")
	}
	kind, ok := clusterMeasures[measure.name]
	if !ok {
		return unsupported(measure.name, measure.line, "the measure <"+measure.name+">")
	}
	similarity := kind >= measureSimpleMatching
	switch k := x.attrOr("kind", ""); {
	case k == "distance" && similarity, k == "similarity" && !similarity:
		return x.errorf("has kind %q but measure <%s>", k, measure.name)
	case k != "distance" && k != "similarity":
		return x.errorf("has unknown kind %q", k)
	}
	cl.measure, cl.inner, cl.outer = kind, 1, 1
	switch kind {
	case measureEuclidean:
		cl.inner, cl.outer = 2, 0.5
	case measureSquaredEuclidean:
		cl.inner = 2
	case measureMinkowski:
		p, err := measure.float("p-parameter", math.NaN())
		if err != nil || math.IsNaN(p) || p <= 0 {
			return measure.errorf("needs a positive p-parameter")
		}
		cl.inner, cl.outer = p, 1/p
	case measureBinarySimilarity:
		for i, name := range []string{"c11-parameter", "c10-parameter", "c01-parameter", "c00-parameter", "d11-parameter", "d10-parameter", "d01-parameter", "d00-parameter"} {
			v, err := measure.float(name, math.NaN())
			if err != nil || math.IsNaN(v) {
				return measure.errorf("needs a numeric %s", name)
			}
			cl.binary[i] = v
		}
	}
	return nil
}

// compileClusterField reads a ClusteringField that is part of the centers.
func compileClusterField(mc *modelCtx, x *xnode, def uint8) (clusterField, error) {
	f := clusterField{compare: def}
	name, err := x.need("field")
	if err != nil {
		return f, err
	}
	if f.slot, err = mc.c.ref(mc.sc, x, name); err != nil {
		return f, err
	}
	if f.weight, err = x.float("fieldWeight", 1); err != nil {
		return f, err
	}
	if s, ok := x.attr("compareFunction"); ok {
		c, known := compareFunctions[s]
		if !known {
			return f, unsupported(x.name, x.line, "compareFunction "+strconv.Quote(s))
		}
		f.compare = c
	}
	if f.scale, err = x.float("similarityScale", math.NaN()); err != nil {
		return f, err
	}
	if f.compare == compareGaussSim && (math.IsNaN(f.scale) || f.scale == 0) {
		return f, x.errorf("uses gaussSim without a similarityScale")
	}
	for _, kid := range x.kids {
		if kid.space == x.space && kid.name != "Extension" {
			// Comparisons (compareFunction table) and
			// FieldValueCounts.
			return f, unsupported(kid.name, kid.line, "<"+kid.name+"> in a ClusteringField")
		}
	}
	return f, nil
}

// compileCluster reads the i-th Cluster: its center, and its id (the
// 1-based index when it has none) as a class of the model.
func (cl *clustering) compileCluster(mc *modelCtx, x *xnode, i int) error {
	arr := x.kid("Array")
	if arr == nil {
		return unsupported(x.name, x.line, "a Cluster without an Array center")
	}
	center, err := parseRealArray(arr)
	if err != nil {
		return err
	}
	if len(center) != len(cl.fields) {
		return x.errorf("has %d center values for %d ClusteringFields", len(center), len(cl.fields))
	}
	if cl.measure >= measureSimpleMatching {
		for _, v := range center {
			if v != 0 && v != 1 {
				return x.errorf("has a center value %v; a binary similarity needs 0 or 1", v)
			}
		}
	}
	for _, kid := range x.kids {
		switch {
		case kid.space != x.space, kid.name == "Array", kid.name == "Extension",
			kid.name == "KohonenMap", kid.name == "Partition", kid.name == "Covariances":
			// They describe the cluster; scoring does not read them.
		default:
			return unsupported(kid.name, kid.line, "<"+kid.name+"> in a Cluster")
		}
	}
	id := x.attrOr("id", strconv.Itoa(i+1))
	if class := mc.class(id); int(class) != i {
		return x.errorf("has id %q, which another Cluster has", id)
	}
	mc.cm.display[i] = x.attrOr("name", "")
	cl.ids = append(cl.ids, id)
	cl.centers = append(cl.centers, center...)
	return nil
}
