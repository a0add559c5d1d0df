package pmml

import (
	"encoding/xml"
	"math"
	"strconv"
)

// miningKind is a MiningModel: a Segmentation of models, each in a Segment
// with a predicate and a weight, combined by multipleModelMethod.
type miningKind struct {
	m         *model
	segs      []rawSegment
	hasSeg    bool
	segLine   int
	method    string
	missing   string
	threshold string
}

type rawSegment struct {
	id     string
	weight string
	pred   *xnode
	model  *rawModel
	line   int
}

func newMiningKind(m *model) kindCompiler { return &miningKind{m: m} }

func (k *miningKind) element(d *decoder, p *parser, se xml.StartElement) error {
	if se.Name.Local != "Segmentation" {
		return unsupported(se.Name.Local, p.line(), "<"+se.Name.Local+"> in a MiningModel")
	}
	if k.hasSeg {
		return p.errorf("the MiningModel has a second Segmentation")
	}
	k.hasSeg, k.segLine = true, p.line()
	k.method = attrOr(se, "multipleModelMethod", "")
	k.missing = attrOr(se, "missingPredictionTreatment", "continue")
	k.threshold = attrOr(se, "missingThreshold", "1")
	return p.children(func(c xml.StartElement) error {
		switch {
		case c.Name.Space != p.space || c.Name.Local == "Extension":
			return p.skip()
		case c.Name.Local != "Segment":
			return unsupported(c.Name.Local, p.line(), "<"+c.Name.Local+"> in a Segmentation")
		}
		if err := d.countSegment(p); err != nil {
			return err
		}
		s := rawSegment{id: attrOr(c, "id", ""), weight: attrOr(c, "weight", "1"), line: p.line()}
		if s.id == "" {
			s.id = strconv.Itoa(len(k.segs) + 1) // JPMML's implicit id
		}
		err := p.children(func(e xml.StartElement) error {
			switch name := e.Name.Local; {
			case e.Name.Space != p.space || name == "Extension":
				return p.skip()
			case predicateKinds[name] && s.pred == nil && s.model == nil:
				x, err := p.element(e)
				s.pred = x
				return err
			case modelKinds[name] && s.model == nil:
				rm, err := d.nestedModel(p, e)
				s.model = rm
				return err
			}
			return unsupported(e.Name.Local, p.line(), "<"+e.Name.Local+"> in a Segment")
		})
		if err != nil {
			return err
		}
		if s.pred == nil || s.model == nil {
			return invalidf(s.line, "a Segment needs a predicate and a model")
		}
		k.segs = append(k.segs, s)
		return nil
	})
}

// Combination methods.
const (
	mmSum uint8 = iota
	mmAverage
	mmWeightedAverage
	mmWeightedSum
	mmMedian
	mmWeightedMedian
	mmMax
	mmMajorityVote
	mmWeightedMajorityVote
	mmSelectFirst
	mmSelectAll
	mmModelChain
)

var multipleModelMethods = map[string]uint8{
	"sum": mmSum, "average": mmAverage, "weightedAverage": mmWeightedAverage, "weightedSum": mmWeightedSum,
	"median": mmMedian, "weightedMedian": mmWeightedMedian, "max": mmMax, "majorityVote": mmMajorityVote,
	"weightedMajorityVote": mmWeightedMajorityVote, "selectFirst": mmSelectFirst, "selectAll": mmSelectAll,
	"modelChain": mmModelChain,
}

// Missing prediction treatments.
const (
	mpContinue uint8 = iota
	mpReturnMissing
	mpSkipSegment
)

// mining is a compiled MiningModel.
type mining struct {
	segs      []segment
	method    uint8
	missing   uint8
	threshold float64
	classify  bool
	float     bool
	weightSum float64
	// base starts a float sum (see compile).
	base float32
}

type segment struct {
	id     string
	weight float64
	pred   predicate
	cm     *compiledModel
	// classMap maps the segment's classes to the MiningModel's.
	classMap []int32
	// fast is set for a regression tree segment that always applies and
	// whose result only the sum needs: it is scored with tree.predict,
	// skipping the result bookkeeping of 200 trees a row.
	fast *tree
}

func (k *miningKind) compile(mc *modelCtx) (evaluator, error) {
	m := k.m
	if !k.hasSeg {
		return nil, elemErrorf(m.kind, m.line, "has no Segmentation")
	}
	method, ok := multipleModelMethods[k.method]
	if !ok {
		return nil, elemErrorf("Segmentation", k.segLine, "has unknown multipleModelMethod %q", k.method)
	}
	mg := &mining{method: method, classify: mc.classification(), float: mc.cm.float}
	switch k.missing {
	case "continue":
	case "returnMissing":
		mg.missing = mpReturnMissing
	case "skipSegment":
		mg.missing = mpSkipSegment
	default:
		return nil, elemErrorf("Segmentation", k.segLine, "has unknown missingPredictionTreatment %q", k.missing)
	}
	threshold, err := parseNumber(k.threshold)
	if err != nil {
		return nil, elemErrorf("Segmentation", k.segLine, "has missingThreshold %q, not a number", k.threshold)
	}
	mg.threshold = threshold
	switch {
	case mg.classify && (method == mmSum || method == mmWeightedSum || method == mmWeightedMedian || method == mmMedian):
		return nil, unsupported("Segmentation", k.segLine, "multipleModelMethod "+k.method+" for classification")
	case !mg.classify && (method == mmMajorityVote || method == mmWeightedMajorityVote):
		return nil, unsupported("Segmentation", k.segLine, "multipleModelMethod "+k.method+" for regression")
	}
	mc.cm.segments = map[string]*compiledModel{}
	for _, rs := range k.segs {
		s := segment{id: rs.id}
		if s.weight, err = parseNumber(rs.weight); err != nil {
			return nil, elemErrorf("Segment", rs.line, "has weight %q, not a number", rs.weight)
		}
		if s.pred, err = mc.c.predicate(mc.sc, rs.pred); err != nil {
			return nil, err
		}
		if s.cm, err = mc.c.model(rs.model.hdr, mc.sc, false); err != nil {
			return nil, err
		}
		if method == mmModelChain {
			// Later segments see this one's OutputFields.
			for i, name := range s.cm.outNames {
				mc.sc.names[name] = s.cm.outSlots[i]
			}
		}
		if mg.classify {
			for _, cl := range s.cm.classes {
				s.classMap = append(s.classMap, mc.class(cl.String()))
			}
		}
		if tr, ok := s.cm.eval.(*tree); ok && !tr.classify && len(s.cm.outputs) == 0 && s.cm.tgt.identity &&
			!s.cm.tgt.hasDefault && s.pred == constPred(triTrue) {
			s.fast = tr
		}
		mc.cm.segments[s.id] = s.cm
		mg.weightSum += s.weight
		mg.segs = append(mg.segs, s)
	}
	if tp := &mc.cm.tgt; mg.float && method == mmSum && tp.factor == 1 && tp.constant != 0 && tp.cast == "" &&
		math.IsInf(tp.min, -1) && math.IsInf(tp.max, 1) {
		// XGBoost starts its float32 sum at the base score and adds the
		// trees to it; adding the base last, as the Target says, rounds
		// differently in a fifth of the rows of the corpus' XGBoost
		// cases. The sum starts at the constant instead.
		mg.base, tp.constant, tp.identity = float32(tp.constant), 0, true
	}
	if method == mmMedian || method == mmWeightedMedian || (mg.classify && method == mmMax) {
		mc.cm.scratch = 2 * len(mg.segs)
	}
	return mg, nil
}
