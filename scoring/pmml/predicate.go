package pmml

// Results of a predicate: PMML's three-valued logic.
const (
	triFalse uint8 = iota
	triTrue
	triUnknown
)

// predicate is a compiled PMML predicate.
type predicate interface {
	test(s *state) uint8
}

// Simple comparison operators, also the fast-path ops of tree nodes.
const (
	opTrue uint8 = iota
	opFalse
	opLT
	opLE
	opGT
	opGE
	opEQ
	opNE
	opIsMissing
	opIsNotMissing
	// opComplex defers to a compiled predicate.
	opComplex
)

var simpleOps = map[string]uint8{
	"lessThan": opLT, "lessOrEqual": opLE, "greaterThan": opGT, "greaterOrEqual": opGE,
	"equal": opEQ, "notEqual": opNE, "isMissing": opIsMissing, "isNotMissing": opIsNotMissing,
}

// predicateKinds are the PMML predicate elements.
var predicateKinds = map[string]bool{
	"SimplePredicate": true, "SimpleSetPredicate": true, "CompoundPredicate": true, "True": true, "False": true,
}

// predicate compiles predicate element x in scope sc.
func (c *compiler) predicate(sc *scope, x *xnode) (predicate, error) {
	switch x.name {
	case "True":
		return constPred(triTrue), nil
	case "False":
		return constPred(triFalse), nil
	case "SimplePredicate":
		field, err := x.need("field")
		if err != nil {
			return nil, err
		}
		op, err := x.need("operator")
		if err != nil {
			return nil, err
		}
		value, _ := x.attr("value")
		return c.simplePredicate(sc, x, field, op, value)
	case "SimpleSetPredicate":
		return c.setPredicate(sc, x)
	case "CompoundPredicate":
		return c.compoundPredicate(sc, x)
	}
	return nil, unsupported(x.name, x.line, "this predicate")
}

type constPred uint8

func (p constPred) test(*state) uint8 { return uint8(p) }

// simplePred compares a field with a constant of the field's type.
type simplePred struct {
	slot  int32
	op    uint8
	value Value
}

func (c *compiler) simplePredicate(sc *scope, x *xnode, field, operator, value string) (*simplePred, error) {
	op, ok := simpleOps[operator]
	if !ok {
		return nil, x.errorf("has unknown operator %q", operator)
	}
	slot, err := c.ref(sc, x, field)
	if err != nil {
		return nil, err
	}
	p := &simplePred{slot: slot, op: op}
	if op == opIsMissing || op == opIsNotMissing {
		return p, nil
	}
	dt := literalType(c.slots[slot].dt)
	p.value = c.literal(value, dt)
	switch {
	case p.value.Kind == KindInvalid:
		return nil, x.errorf("compares %q with %q, which is not a %s", field, value, dt.name())
	case op != opEQ && op != opNE && !dt.numeric():
		return nil, unsupported(x.name, x.line, "ordering comparison ("+operator+") of the non-numeric field "+field)
	}
	return p, nil
}

func (p *simplePred) test(s *state) uint8 {
	v := s.get(p.slot)
	switch p.op {
	case opIsMissing:
		return b2t(v.Kind == KindMissing)
	case opIsNotMissing:
		return b2t(v.Kind != KindMissing)
	}
	if v.Kind == KindMissing || v.Kind == KindInvalid {
		return triUnknown
	}
	if p.op == opEQ || p.op == opNE {
		return b2t(equalValues(*v, p.value) == (p.op == opEQ))
	}
	return compareOp(p.op, v, p.value.Num)
}

// compareOp applies an ordering op to a number.
func compareOp(op uint8, v *Value, f float64) uint8 {
	if v.Kind != KindNumber {
		return triUnknown
	}
	x := v.Num
	switch op {
	case opLT:
		return b2t(x < f)
	case opLE:
		return b2t(x <= f)
	case opGT:
		return b2t(x > f)
	case opGE:
		return b2t(x >= f)
	case opEQ:
		return b2t(x == f)
	case opNE:
		return b2t(x != f)
	}
	return triUnknown
}

func b2t(b bool) uint8 {
	if b {
		return triTrue
	}
	return triFalse
}

// compoundPred combines predicates with and, or, xor or surrogate.
type compoundPred struct {
	op    string
	preds []predicate
}

func (c *compiler) compoundPredicate(sc *scope, x *xnode) (predicate, error) {
	p := &compoundPred{op: x.attrOr("booleanOperator", "")}
	switch p.op {
	case "and", "or", "xor", "surrogate":
	default:
		return nil, x.errorf("has unknown booleanOperator %q", p.op)
	}
	for _, k := range x.kids {
		if k.space != c.space || !predicateKinds[k.name] {
			continue
		}
		q, err := c.predicate(sc, k)
		if err != nil {
			return nil, err
		}
		p.preds = append(p.preds, q)
	}
	if len(p.preds) < 2 {
		return nil, x.errorf("needs at least two predicates")
	}
	return p, nil
}

func (p *compoundPred) test(s *state) uint8 {
	switch p.op {
	case "surrogate":
		for i, q := range p.preds {
			if r := q.test(s); r != triUnknown {
				if i > 0 {
					s.surrogates++
				}
				return r
			}
		}
		return triUnknown
	case "xor":
		r := triFalse
		for _, q := range p.preds {
			t := q.test(s)
			if t == triUnknown {
				return triUnknown
			}
			r ^= t
		}
		return r
	}
	// and, or: a deciding operand wins over an unknown one.
	decide := b2t(p.op == "or")
	unknown := false
	for _, q := range p.preds {
		switch q.test(s) {
		case decide:
			return decide
		case triUnknown:
			unknown = true
		}
	}
	if unknown {
		return triUnknown
	}
	return decide ^ 1
}

// literalType is the type a constant compared with a field of type dt is
// parsed as: an integer field is compared with any number (LightGBM and
// KNIME split integers at 35.5), a float field with a float, as JPMML does.
func literalType(dt dataType) dataType {
	if dt == dtInteger {
		return dtDouble
	}
	return dt
}
