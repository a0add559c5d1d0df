package pmml

import (
	"math"
	"strings"
)

// expr is a compiled PMML expression. Field references are slot indexes
// and constants are converted values, so evaluating one does not look
// anything up by name or parse anything.
type expr interface {
	eval(s *state) Value
}

// expressionKinds are the PMML expression elements, compiled or refused.
var expressionKinds = map[string]bool{
	"Constant": true, "FieldRef": true, "NormContinuous": true, "NormDiscrete": true,
	"Discretize": true, "MapValues": true, "TextIndex": true, "Apply": true,
	"Aggregate": true, "Lag": true,
}

// exprKid compiles the one expression inside x (a DerivedField,
// OutputField or DefineFunction).
func (c *compiler) exprKid(sc *scope, x *xnode) (expr, error) {
	for _, k := range x.kids {
		if k.space == c.space && expressionKinds[k.name] {
			return c.expr(sc, k)
		}
	}
	return nil, x.errorf("has no expression")
}

// derivedExpr compiles a DerivedField: its expression, converted to the
// field's dataType.
func (c *compiler) derivedExpr(sc *scope, x *xnode) (expr, error) {
	e, err := c.exprKid(sc, x)
	if err != nil {
		return nil, err
	}
	if _, ok := x.attr("dataType"); !ok {
		return e, nil
	}
	dt, err := c.dataTypeAttr(x, "dataType", "")
	if err != nil {
		return nil, err
	}
	return castExpr{e: e, dt: dt}, nil
}

// expr compiles expression element x in scope sc.
func (c *compiler) expr(sc *scope, x *xnode) (expr, error) {
	switch x.name {
	case "Constant":
		return c.constant(x)
	case "FieldRef":
		slot, err := c.fieldSlot(sc, x)
		if err != nil {
			return nil, err
		}
		m, hasMap := x.attr("mapMissingTo")
		if !hasMap {
			return fieldRef{slot}, nil
		}
		return fieldRefMap{slot: slot, mapMissing: c.literal(m, c.slots[slot].dt)}, nil
	case "NormContinuous":
		return c.normContinuous(sc, x)
	case "NormDiscrete":
		return c.normDiscrete(sc, x)
	case "Discretize":
		return c.discretize(sc, x)
	case "MapValues":
		return c.mapValues(sc, x)
	case "Apply":
		return c.apply(sc, x)
	}
	return nil, unsupported(x.name, x.line, "this expression")
}

// literal converts text from the document to a value of type dt.
func (c *compiler) literal(text string, dt dataType) Value {
	return convert(Text(text), dt)
}

// constant compiles a Constant: typed by its dataType, else a number when
// it reads as one.
func (c *compiler) constant(x *xnode) (expr, error) {
	if x.attrOr("missing", "false") == "true" {
		return constExpr{}, nil
	}
	text := strings.TrimSpace(x.text)
	if _, ok := x.attr("dataType"); !ok {
		if f, err := parseNumber(text); err == nil {
			return constExpr{Float(f)}, nil
		}
		return constExpr{Text(text)}, nil
	}
	dt, err := c.dataTypeAttr(x, "dataType", "")
	if err != nil {
		return nil, err
	}
	v := c.literal(text, dt)
	if v.Kind == KindInvalid {
		return nil, x.errorf("value %q is not a %s", text, x.attrOr("dataType", ""))
	}
	return constExpr{v}, nil
}

type constExpr struct{ v Value }

func (e constExpr) eval(*state) Value { return e.v }

type fieldRef struct{ slot int32 }

func (e fieldRef) eval(s *state) Value { return *s.get(e.slot) }

type fieldRefMap struct {
	slot       int32
	mapMissing Value
}

func (e fieldRefMap) eval(s *state) Value {
	if v := s.get(e.slot); v.Kind != KindMissing {
		return *v
	}
	return e.mapMissing
}

// castExpr converts the value of e to a DerivedField's dataType.
type castExpr struct {
	e  expr
	dt dataType
}

func (e castExpr) eval(s *state) Value {
	v := convert(e.e.eval(s), e.dt)
	if v.Kind == KindInvalid {
		return Value{} // a value that has no meaning in the field's type is missing, as JPMML casts
	}
	return v
}

// normDiscrete compiles NormDiscrete: 1 when the field equals value, else 0.
type normDiscreteExpr struct {
	slot       int32
	value      Value
	mapMissing Value
}

func (c *compiler) normDiscrete(sc *scope, x *xnode) (expr, error) {
	slot, err := c.fieldSlot(sc, x)
	if err != nil {
		return nil, err
	}
	v, err := x.need("value")
	if err != nil {
		return nil, err
	}
	if m := x.attrOr("method", "indicator"); m != "indicator" {
		return nil, unsupported(x.name, x.line, "method "+m)
	}
	e := normDiscreteExpr{slot: slot, value: c.literal(v, c.slots[slot].dt)}
	if m, ok := x.attr("mapMissingTo"); ok {
		f, err := x.parseFloat("mapMissingTo", m)
		if err != nil {
			return nil, err
		}
		e.mapMissing = Float(f)
	}
	return e, nil
}

func (e normDiscreteExpr) eval(s *state) Value {
	v := s.get(e.slot)
	switch v.Kind {
	case KindMissing, KindInvalid:
		return e.mapMissing
	}
	if equalValues(*v, e.value) {
		return Float(1)
	}
	return Float(0)
}

// normContinuous compiles NormContinuous: piecewise linear interpolation
// between LinearNorm points, extrapolated from the outer pieces unless
// outliers says otherwise.
type normContinuousExpr struct {
	slot       int32
	orig, norm []float64
	outliers   string
	mapMissing Value
}

func (c *compiler) normContinuous(sc *scope, x *xnode) (expr, error) {
	slot, err := c.fieldSlot(sc, x)
	if err != nil {
		return nil, err
	}
	e := normContinuousExpr{slot: slot, outliers: x.attrOr("outliers", "asIs")}
	if !outlierTreatments[e.outliers] {
		return nil, x.errorf("has unknown outliers %q", e.outliers)
	}
	if m, ok := x.attr("mapMissingTo"); ok {
		f, err := x.parseFloat("mapMissingTo", m)
		if err != nil {
			return nil, err
		}
		e.mapMissing = Float(f)
	}
	orig, norm, err := linearNorms(x)
	if err != nil {
		return nil, err
	}
	e.orig, e.norm = orig, norm
	return e, nil
}

// linearNorms reads the LinearNorm points of a NormContinuous: at least
// two, each with orig and norm, orig strictly increasing.
func linearNorms(x *xnode) (orig, norm []float64, err error) {
	for _, k := range x.kids {
		if k.name != "LinearNorm" {
			continue
		}
		o, err := k.float("orig", math.NaN())
		if err != nil {
			return nil, nil, err
		}
		n, err := k.float("norm", math.NaN())
		if err != nil {
			return nil, nil, err
		}
		if math.IsNaN(o) || math.IsNaN(n) || (len(orig) > 0 && o <= orig[len(orig)-1]) {
			return nil, nil, k.errorf("needs orig and norm, with orig increasing")
		}
		orig, norm = append(orig, o), append(norm, n)
	}
	if len(orig) < 2 {
		return nil, nil, x.errorf("needs at least two LinearNorm elements")
	}
	return orig, norm, nil
}

func (e normContinuousExpr) eval(s *state) Value {
	v := s.get(e.slot)
	if v.Kind != KindNumber && v.Kind != KindBool {
		return e.mapMissing
	}
	x, n := v.Num, len(e.orig)
	if x < e.orig[0] || x > e.orig[n-1] {
		switch e.outliers {
		case "asMissingValues":
			return Value{}
		case "asExtremeValues":
			if x < e.orig[0] {
				return Float(e.norm[0])
			}
			return Float(e.norm[n-1])
		}
	}
	i := 1
	for i < n-1 && x > e.orig[i] {
		i++
	}
	o0, o1, n0, n1 := e.orig[i-1], e.orig[i], e.norm[i-1], e.norm[i]
	return Float(n0 + (x-o0)*(n1-n0)/(o1-o0))
}

// fieldSlot resolves the "field" attribute of x, which every expression
// reading one field has, to that field's slot.
func (c *compiler) fieldSlot(sc *scope, x *xnode) (int32, error) {
	name, err := x.need("field")
	if err != nil {
		return 0, err
	}
	return c.ref(sc, x, name)
}
