package pmml

import (
	"encoding/xml"
	"math"
	"strconv"
)

// scorecardKind is a Scorecard: an initial score plus, per Characteristic,
// the partial score of its first Attribute whose predicate is true, with
// reason codes ranked by how far each partial score falls from its
// baseline.
type scorecardKind struct {
	m     *model
	chars *xnode
}

func newScorecardKind(m *model) kindCompiler { return &scorecardKind{m: m} }

func (k *scorecardKind) element(_ *decoder, p *parser, se xml.StartElement) error {
	if se.Name.Local != "Characteristics" {
		return unsupported(se.Name.Local, p.line(), "<"+se.Name.Local+"> in a Scorecard")
	}
	if k.chars != nil {
		return p.errorf("the Scorecard has a second <Characteristics>")
	}
	x, err := p.element(se)
	if err == nil {
		k.chars = x
	}
	return err
}

// scorecard is a compiled Scorecard.
type scorecard struct {
	initial float64
	chars   []scChar
	// reasons is set when the model ranks reason codes (useReasonCodes);
	// codes are the distinct reason codes, which scAttr.code indexes.
	reasons     bool
	pointsAbove bool
	codes       []string
	float       bool
}

// scChar is a Characteristic: its Attributes in document order.
type scChar struct {
	baseline float64
	attrs    []scAttr
}

// scAttr is an Attribute: a predicate and a partial score, fixed or an
// expression (ComplexPartialScore).
type scAttr struct {
	pred    predicate
	score   float64
	complex expr
	code    int32 // index in scorecard.codes, or -1 without reason codes
}

// Reason code algorithms of a Scorecard.
var scorecardAlgorithms = map[string]bool{"pointsBelow": false, "pointsAbove": true}

// scorecardBaselineMethods are the values of Scorecard@baselineMethod. They say how
// the producer chose the baselines; scoring only reads the baselines.
var scorecardBaselineMethods = map[string]bool{"max": true, "min": true, "mean": true, "neutral": true, "other": true}

func (k *scorecardKind) compile(mc *modelCtx) (evaluator, error) {
	m := k.m
	if m.functionName != "regression" {
		return nil, unsupported(m.kind, m.line, "functionName "+m.functionName)
	}
	sc := &scorecard{float: mc.cm.float}
	var err error
	if sc.initial, err = scAttrFloat(m, "initialScore", 0); err != nil {
		return nil, err
	}
	switch v := attrOrDefault(m.attrs, "useReasonCodes", "true"); v {
	case "true", "1":
		sc.reasons = true
	case "false", "0":
	default:
		return nil, elemErrorf(m.kind, m.line, "has useReasonCodes=%q; want true or false", v)
	}
	algo := attrOrDefault(m.attrs, "reasonCodeAlgorithm", "pointsBelow")
	above, ok := scorecardAlgorithms[algo]
	if !ok {
		return nil, unsupported(m.kind, m.line, "reasonCodeAlgorithm "+strconv.Quote(algo))
	}
	sc.pointsAbove = above
	if method := attrOrDefault(m.attrs, "baselineMethod", "other"); !scorecardBaselineMethods[method] {
		return nil, elemErrorf(m.kind, m.line, "has unknown baselineMethod %q", method)
	}
	baseline, err := scAttrFloat(m, "baselineScore", math.NaN())
	if err != nil {
		return nil, err
	}
	if k.chars == nil {
		return nil, elemErrorf(m.kind, m.line, "has no Characteristics")
	}
	for _, x := range k.chars.kids {
		switch {
		case x.space != mc.c.space || x.name == "Extension":
		case x.name == "Characteristic":
			ch, err := sc.characteristic(mc, x, baseline)
			if err != nil {
				return nil, err
			}
			sc.chars = append(sc.chars, ch)
		default:
			return nil, unsupported(x.name, x.line, "<"+x.name+"> in Characteristics")
		}
	}
	if len(sc.chars) == 0 {
		return nil, k.chars.errorf("has no Characteristic")
	}
	// Scratch: the points of each reason code, then the order in which
	// codes were first met in the row.
	mc.cm.scratch = 2 * len(sc.codes)
	return sc, nil
}

// scAttrFloat reads a numeric attribute of the model element.
func scAttrFloat(m *model, name string, def float64) (float64, error) {
	s := attrOf(m.attrs, name)
	if s == "" {
		return def, nil
	}
	f, err := parseNumber(s)
	if err != nil {
		return 0, elemErrorf(m.kind, m.line, "has %s=%q, which is not a number", name, s)
	}
	return f, nil
}

// characteristic compiles a Characteristic, whose baseline and reason
// code its Attributes inherit.
func (sc *scorecard) characteristic(mc *modelCtx, x *xnode, baseline float64) (scChar, error) {
	ch := scChar{}
	var err error
	if ch.baseline, err = x.float("baselineScore", baseline); err != nil {
		return ch, err
	}
	if sc.reasons && math.IsNaN(ch.baseline) {
		return ch, x.errorf("has no baselineScore, and the Scorecard has none, so its reason codes cannot be ranked")
	}
	code := x.attrOr("reasonCode", "")
	for _, a := range x.kids {
		switch {
		case a.space != mc.c.space || a.name == "Extension":
		case a.name == "Attribute":
			at, err := sc.attribute(mc, a, code)
			if err != nil {
				return ch, err
			}
			ch.attrs = append(ch.attrs, at)
		default:
			return ch, unsupported(a.name, a.line, "<"+a.name+"> in a Characteristic")
		}
	}
	if len(ch.attrs) == 0 {
		return ch, x.errorf("has no Attribute")
	}
	return ch, nil
}

// attribute compiles an Attribute: its predicate, its partial score and
// its reason code (its own, else its Characteristic's).
func (sc *scorecard) attribute(mc *modelCtx, x *xnode, code string) (scAttr, error) {
	at := scAttr{code: -1}
	score, hasScore := x.attr("partialScore")
	if hasScore {
		f, err := x.parseFloat("partialScore", score)
		if err != nil {
			return at, err
		}
		at.score = f
	}
	for _, k := range x.kids {
		switch {
		case k.space != mc.c.space || k.name == "Extension":
		case predicateKinds[k.name]:
			if at.pred != nil {
				return at, x.errorf("has more than one predicate")
			}
			p, err := mc.c.predicate(mc.sc, k)
			if err != nil {
				return at, err
			}
			at.pred = p
		case k.name == "ComplexPartialScore":
			e, err := mc.c.exprKid(mc.sc, k)
			if err != nil {
				return at, err
			}
			at.complex = e
		default:
			return at, unsupported(k.name, k.line, "<"+k.name+"> in an Attribute")
		}
	}
	switch {
	case at.pred == nil:
		return at, x.errorf("has no predicate")
	case at.complex == nil && !hasScore:
		return at, x.errorf("has neither a partialScore nor a ComplexPartialScore")
	}
	if !sc.reasons {
		return at, nil
	}
	code = x.attrOr("reasonCode", code)
	if code == "" {
		return at, x.errorf("has no reasonCode, and neither has its Characteristic")
	}
	at.code = sc.intern(code)
	return at, nil
}

// intern returns the index of a reason code in sc.codes.
func (sc *scorecard) intern(code string) int32 {
	for i, c := range sc.codes {
		if c == code {
			return int32(i)
		}
	}
	sc.codes = append(sc.codes, code)
	return int32(len(sc.codes) - 1)
}
