package pmml

import (
	"fmt"
)

// applyExpr calls a built-in or user-defined function. Its arguments go
// on the state's stack, so a call allocates nothing.
type applyExpr struct {
	name     string
	fn       *builtin
	user     *userFunc
	aux      any // what fn.prep made of constant arguments (a regexp)
	args     []expr
	line     int
	invalid  string // invalidValueTreatment: returnInvalid, asMissing or asIs
	mapMiss  Value
	hasMap   bool
	defValue Value
	hasDef   bool
}

// builtin is a PMML built-in function.
type builtin struct {
	min, max int // arity; max -1 for any number
	// lenient functions see missing and invalid arguments; the others
	// return missing (invalid) when any argument is missing (invalid).
	lenient bool
	call    func(args []Value, aux any) Value
	// prep, when set, prepares constant arguments at compile time.
	prep func(args []expr) (any, error)
}

func (c *compiler) apply(sc *scope, x *xnode) (expr, error) {
	name, err := x.need("function")
	if err != nil {
		return nil, err
	}
	e := &applyExpr{name: name, line: x.line, invalid: x.attrOr("invalidValueTreatment", "returnInvalid")}
	switch e.invalid {
	case "returnInvalid", "asMissing", "asIs":
	default:
		return nil, x.errorf("has unknown invalidValueTreatment %q", e.invalid)
	}
	if m, ok := x.attr("mapMissingTo"); ok {
		e.mapMiss, e.hasMap = constValue(m), true
	}
	if d, ok := x.attr("defaultValue"); ok {
		e.defValue, e.hasDef = constValue(d), true
	}
	for _, k := range x.kids {
		if k.space != c.space || !expressionKinds[k.name] {
			continue
		}
		a, err := c.expr(sc, k)
		if err != nil {
			return nil, err
		}
		e.args = append(e.args, a)
	}
	if uf, ok := c.funcs[name]; ok {
		if err := c.compileFunc(uf); err != nil {
			return nil, err
		}
		if len(e.args) != len(uf.params) {
			return nil, x.errorf("calls %s with %d arguments; it takes %d", name, len(e.args), len(uf.params))
		}
		e.user = uf
		return e, nil
	}
	fn, ok := builtins[name]
	if !ok {
		return nil, unsupported(x.name, x.line, fmt.Sprintf("function %q", name))
	}
	if len(e.args) < fn.min || (fn.max >= 0 && len(e.args) > fn.max) {
		return nil, x.errorf("calls %s with %d arguments", name, len(e.args))
	}
	e.fn = fn
	if fn.prep != nil {
		if e.aux, err = fn.prep(e.args); err != nil {
			return nil, x.errorf("%s: %v", name, err)
		}
	}
	return e, nil
}

// constValue types an attribute value: a number when it reads as one.
func constValue(s string) Value {
	if f, err := parseNumber(s); err == nil {
		return Value{Kind: KindNumber, Num: f, Str: s}
	}
	return Text(s)
}

func (e *applyExpr) eval(s *state) Value {
	if e.name == "if" && e.user == nil {
		return e.evalIf(s)
	}
	base := len(s.stack)
	missing, invalid := false, false
	for _, a := range e.args {
		v := a.eval(s)
		missing = missing || v.Kind == KindMissing
		invalid = invalid || v.Kind == KindInvalid
		s.stack = append(s.stack, v)
	}
	args := s.stack[base:]
	var v Value
	switch {
	case missing && e.hasMap:
		v = e.mapMiss
	case e.user != nil:
		v = e.user.call(s, args)
	case e.fn.lenient:
		v = e.fn.call(args, e.aux)
	case invalid:
		v = Value{Kind: KindInvalid}
	case missing:
	default:
		v = e.fn.call(args, e.aux)
	}
	s.stack = s.stack[:base]
	return e.finish(s, v, missing)
}

// evalIf evaluates only the branch the condition takes.
func (e *applyExpr) evalIf(s *state) Value {
	cond := e.args[0].eval(s)
	var v Value
	switch {
	case cond.Kind == KindMissing && e.hasMap:
		return e.mapMiss
	case cond.Kind != KindBool && cond.Kind != KindNumber:
		if cond.Kind == KindInvalid || cond.Kind == KindString {
			v = Value{Kind: KindInvalid}
		}
	case cond.Num != 0:
		v = e.args[1].eval(s)
	case len(e.args) > 2:
		v = e.args[2].eval(s)
	}
	return e.finish(s, v, cond.Kind == KindMissing)
}

// finish applies defaultValue and invalidValueTreatment to a result.
func (e *applyExpr) finish(s *state, v Value, inputMissing bool) Value {
	if v.Kind == KindMissing && e.hasDef && !inputMissing {
		return e.defValue
	}
	if v.Kind != KindInvalid {
		return v
	}
	switch e.invalid {
	case "asMissing":
		return Value{}
	case "asIs":
		return v
	}
	s.failf("", "function %s (PMML line %d) has no valid result for this row", e.name, e.line)
	return Value{}
}
