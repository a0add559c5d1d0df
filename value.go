package scoregate

import (
	"math"
	"strconv"
	"strings"
)

// Kind says what a Value holds.
type Kind uint8

// Kinds of Value. The zero Value is missing, so a fresh Row is all missing.
const (
	KindMissing Kind = iota
	// KindInvalid is a value the model cannot use as its field's type: text
	// that is not a number for a numeric field, or a value outside the
	// field's valid values or intervals. Str keeps the offending text.
	KindInvalid
	KindNumber
	KindString
	KindBool
)

var kindNames = [...]string{"missing", "invalid", "number", "string", "bool"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is one field value: an input cell, an intermediate field of a
// model, or a result. It is a plain struct so rows and results are flat slices the
// caller can reuse without allocating.
//
// Num holds a number (and 0 or 1 for a bool). Str holds a string, and for
// a number that is a category of the model (a class label such as "1"),
// the label as the document writes it, so String does not allocate.
type Value struct {
	Kind Kind
	Num  float64
	Str  string
}

// Float returns a number value.
func Float(v float64) Value { return Value{Kind: KindNumber, Num: v} }

// Text returns a string value.
func Text(s string) Value { return Value{Kind: KindString, Str: s} }

// Bool returns a boolean value.
func Bool(b bool) Value {
	if b {
		return Value{Kind: KindBool, Num: 1}
	}
	return Value{Kind: KindBool}
}

// Missing reports whether v is missing.
func (v Value) Missing() bool { return v.Kind == KindMissing }

// Float returns v as a number: numbers and bools as they are, strings when
// they parse as a number. ok is false for anything else.
func (v Value) Float() (f float64, ok bool) {
	switch v.Kind {
	case KindNumber, KindBool:
		return v.Num, true
	case KindString:
		f, err := strconv.ParseFloat(strings.TrimSpace(v.Str), 64)
		return f, err == nil
	}
	return 0, false
}

// String formats v: a string as it is, a number in the shortest form that
// reads back exactly ("1", "0.25", "1e+21"), a bool as true or false, and
// a missing value as "". It allocates only to format a number that has no
// label.
func (v Value) String() string {
	switch v.Kind {
	case KindNumber:
		if v.Str != "" {
			return v.Str
		}
		return FormatNumber(v.Num)
	case KindBool:
		if v.Num != 0 {
			return "true"
		}
		return "false"
	}
	return v.Str
}

// FormatNumber writes integers without a fraction and other numbers in
// the shortest exact form.
func FormatNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// Row is one input record, indexed like the model's input schema. Set
// values by schema index; Score converts each to its field's data type,
// so a CSV reader may set every cell as a string.
type Row []Value

// SetFloat sets input field i to a number.
func (r Row) SetFloat(i int, v float64) { r[i] = Value{Kind: KindNumber, Num: v} }

// SetString sets input field i to a string. A numeric field parses it when
// the row is scored; text that is not a number is an invalid value.
func (r Row) SetString(i int, s string) { r[i] = Value{Kind: KindString, Str: s} }

// SetMissing marks input field i missing.
func (r Row) SetMissing(i int) { r[i] = Value{} }

// Reset marks every field missing.
func (r Row) Reset() { clear(r) }
