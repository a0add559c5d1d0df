package pmml

import (
	"math"
	"slices"
	"sort"
)

// builtins are the PMML built-in functions scoregate evaluates; an Apply
// of any other function fails Compile. The string and date functions are
// in functions_text.go.
var builtins = map[string]*builtin{}

func init() {
	arith := map[string]func(a, b float64) float64{
		"+":   func(a, b float64) float64 { return a + b },
		"-":   func(a, b float64) float64 { return a - b },
		"*":   func(a, b float64) float64 { return a * b },
		"/":   func(a, b float64) float64 { return a / b },
		"pow": math.Pow,
		"threshold": func(a, b float64) float64 {
			if a > b {
				return 1
			}
			return 0
		},
		"modulo": func(a, b float64) float64 { return a - math.Floor(a/b)*b },
		"atan2":  math.Atan2,
		"hypot":  math.Hypot,
	}
	for name, f := range arith {
		builtins[name] = &builtin{min: 2, max: 2, call: binary(f)}
	}
	math1 := map[string]func(float64) float64{
		"log10": math.Log10, "ln": math.Log, "sqrt": math.Sqrt, "abs": math.Abs, "exp": math.Exp,
		"floor": math.Floor, "ceil": math.Ceil, "round": func(x float64) float64 { return math.Floor(x + 0.5) },
		"rint": math.RoundToEven, "expm1": math.Expm1, "ln1p": math.Log1p,
		"sin": math.Sin, "cos": math.Cos, "tan": math.Tan, "asin": math.Asin, "acos": math.Acos,
		"atan": math.Atan, "sinh": math.Sinh, "cosh": math.Cosh, "tanh": math.Tanh,
		"erf": math.Erf, "stdNormalCDF": func(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) },
		"stdNormalPDF": func(x float64) float64 { return math.Exp(-x*x/2) / math.Sqrt(2*math.Pi) },
		"stdNormalIDF": func(p float64) float64 { return -math.Sqrt2 * math.Erfcinv(2*p) },
	}
	for name, f := range math1 {
		builtins[name] = &builtin{min: 1, max: 1, call: unary(f)}
	}
	builtins["min"] = &builtin{min: 1, max: -1, call: aggregate(func(xs []float64) float64 { return slices.Min(xs) })}
	builtins["max"] = &builtin{min: 1, max: -1, call: aggregate(func(xs []float64) float64 { return slices.Max(xs) })}
	builtins["sum"] = &builtin{min: 1, max: -1, call: aggregate(sum)}
	builtins["avg"] = &builtin{min: 1, max: -1, call: aggregate(func(xs []float64) float64 { return sum(xs) / float64(len(xs)) })}
	builtins["product"] = &builtin{min: 1, max: -1, call: aggregate(func(xs []float64) float64 {
		p := 1.0
		for _, x := range xs {
			p *= x
		}
		return p
	})}
	builtins["median"] = &builtin{min: 1, max: -1, call: aggregate(median)}

	compare := map[string]func(c int) bool{
		"equal":          func(c int) bool { return c == 0 },
		"notEqual":       func(c int) bool { return c != 0 },
		"lessThan":       func(c int) bool { return c < 0 },
		"lessOrEqual":    func(c int) bool { return c <= 0 },
		"greaterThan":    func(c int) bool { return c > 0 },
		"greaterOrEqual": func(c int) bool { return c >= 0 },
	}
	for name, f := range compare {
		builtins[name] = &builtin{min: 2, max: 2, call: func(a []Value, _ any) Value {
			c, ok := compareValues(a[0], a[1])
			if !ok {
				return Value{Kind: KindInvalid}
			}
			return Bool(f(c))
		}}
	}
	builtins["and"] = &builtin{min: 1, max: -1, lenient: true, call: logic(false)}
	builtins["or"] = &builtin{min: 1, max: -1, lenient: true, call: logic(true)}
	builtins["not"] = &builtin{min: 1, max: 1, call: func(a []Value, _ any) Value {
		if a[0].Kind != KindBool && a[0].Kind != KindNumber {
			return Value{Kind: KindInvalid}
		}
		return Bool(a[0].Num == 0)
	}}
	builtins["isIn"] = &builtin{min: 2, max: -1, call: func(a []Value, _ any) Value { return Bool(isIn(a)) }}
	builtins["isNotIn"] = &builtin{min: 2, max: -1, call: func(a []Value, _ any) Value { return Bool(!isIn(a)) }}
	builtins["if"] = &builtin{min: 2, max: 3, lenient: true} // evaluated by applyExpr.evalIf
	builtins["isMissing"] = &builtin{min: 1, max: 1, lenient: true, call: func(a []Value, _ any) Value { return Bool(a[0].Kind == KindMissing) }}
	builtins["isNotMissing"] = &builtin{min: 1, max: 1, lenient: true, call: func(a []Value, _ any) Value { return Bool(a[0].Kind != KindMissing) }}
	builtins["isValid"] = &builtin{min: 1, max: 1, lenient: true, call: func(a []Value, _ any) Value {
		return Bool(a[0].Kind != KindMissing && a[0].Kind != KindInvalid)
	}}
	builtins["isNotValid"] = &builtin{min: 1, max: 1, lenient: true, call: func(a []Value, _ any) Value { return Bool(a[0].Kind == KindInvalid) }}
	textFunctions()
}

// number returns a as a number; strings that read as numbers count.
func number(a Value) (float64, bool) {
	f, ok := a.Float()
	return f, ok
}

// numeric wraps a function of numbers: a NaN result is invalid.
func numeric(f float64) Value {
	if math.IsNaN(f) {
		return Value{Kind: KindInvalid}
	}
	return Float(f)
}

func binary(f func(a, b float64) float64) func([]Value, any) Value {
	return func(args []Value, _ any) Value {
		a, ok1 := number(args[0])
		b, ok2 := number(args[1])
		if !ok1 || !ok2 {
			return Value{Kind: KindInvalid}
		}
		return numeric(f(a, b))
	}
}

func unary(f func(float64) float64) func([]Value, any) Value {
	return func(args []Value, _ any) Value {
		a, ok := number(args[0])
		if !ok {
			return Value{Kind: KindInvalid}
		}
		return numeric(f(a))
	}
}

// aggregate wraps a function of a list of numbers. Up to 16 arguments are
// gathered on the Go stack, so the usual call does not allocate.
func aggregate(f func([]float64) float64) func([]Value, any) Value {
	return func(args []Value, _ any) Value {
		var buf [16]float64
		xs := buf[:0]
		for _, a := range args {
			x, ok := number(a)
			if !ok {
				return Value{Kind: KindInvalid}
			}
			xs = append(xs, x)
		}
		return numeric(f(xs))
	}
}

func sum(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}

// median sorts xs in place.
func median(xs []float64) float64 {
	sort.Float64s(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// logic is PMML's three-valued and (or, with or set): a deciding value
// wins over a missing one.
func logic(or bool) func([]Value, any) Value {
	return func(args []Value, _ any) Value {
		missing := false
		for _, a := range args {
			switch a.Kind {
			case KindMissing:
				missing = true
				continue
			case KindBool, KindNumber:
			default:
				return Value{Kind: KindInvalid}
			}
			if (a.Num != 0) == or {
				return Bool(or)
			}
		}
		if missing {
			return Value{}
		}
		return Bool(!or)
	}
}

func isIn(a []Value) bool {
	for _, v := range a[1:] {
		if equalValues(a[0], v) {
			return true
		}
	}
	return false
}

// compareValues orders two values: numerically when both are numbers
// (or read as numbers), else as text.
func compareValues(a, b Value) (int, bool) {
	if a.Kind == KindString && b.Kind == KindString {
		switch {
		case a.Str < b.Str:
			return -1, true
		case a.Str > b.Str:
			return 1, true
		}
		return 0, true
	}
	x, ok1 := number(a)
	y, ok2 := number(b)
	if !ok1 || !ok2 {
		return 0, false
	}
	switch {
	case x < y:
		return -1, true
	case x > y:
		return 1, true
	}
	return 0, true
}
