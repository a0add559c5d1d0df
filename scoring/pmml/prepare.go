package pmml

import (
	"math"

	"github.com/scoregate/scoregate"
)

// fieldPrep is a MiningField's treatment of its values, compiled: the
// DataField's missing, invalid and valid values and intervals decide what a
// value is, and the MiningField's missingValueReplacement,
// invalidValueTreatment and outliers what becomes of it.
type fieldPrep struct {
	name string
	slot int32
	dt   dataType
	// missing and invalid are the DataField's Values of those properties;
	// nanMissing is set when "NaN" is among the missing ones (a NaN never
	// equals itself, so it is checked apart).
	missing, invalid []Value
	nanMissing       bool
	// valid holds the valid Values of a categorical or ordinal field, by
	// keyOf; nil when any value is valid.
	valid     map[string]bool
	intervals []interval
	// replacement replaces a missing value when hasReplacement.
	replacement    Value
	hasReplacement bool
	missingInvalid bool // missingValueTreatment returnInvalid
	// invalidTreatment is returnInvalid, asIs, asMissing or asValue.
	invalidTreatment   string
	invalidReplacement Value
	outliers           string
	low, high          float64
	// plain is set when nothing above applies: the value is only
	// converted to the field's type.
	plain bool
}

// fieldPrep compiles the treatment of MiningField mf, whose field is
// looked up in sc.
func (c *compiler) fieldPrep(mf miningField, sc *scope) (fieldPrep, error) {
	slot, ok := sc.lookup(mf.name)
	if !ok {
		return fieldPrep{}, elemErrorf("MiningField", mf.line, "%q is not a field the model can read", mf.name)
	}
	def := c.slots[slot]
	p := fieldPrep{
		name: mf.name, slot: slot, dt: def.dt, invalidTreatment: mf.invalidTreatment,
		outliers: mf.outliers, low: math.Inf(-1), high: math.Inf(1),
		missingInvalid: mf.missingTreatment == "returnInvalid",
	}
	if i, ok := c.doc.byName[mf.name]; ok && int(slot) == i {
		df := &c.doc.fields[i]
		for _, v := range df.missing {
			if cv := c.literal(v, p.dt); cv.Kind == KindNumber && math.IsNaN(cv.Num) {
				p.nanMissing = true
			} else {
				p.missing = append(p.missing, cv)
			}
		}
		for _, v := range df.invalid {
			p.invalid = append(p.invalid, c.literal(v, p.dt))
		}
		opType := opTypeFor(mf, df)
		if opType != scoregate.OpContinuous && len(df.valid) > 0 {
			p.valid = map[string]bool{}
			for _, v := range df.valid {
				p.valid[keyOf(c.literal(v, p.dt))] = true
			}
		}
		if opType == scoregate.OpContinuous {
			for _, in := range df.intervals {
				iv := interval{lo: math.Inf(-1), hi: math.Inf(1)}
				if in.Left != nil {
					iv.lo = *in.Left
				}
				if in.Right != nil {
					iv.hi = *in.Right
				}
				iv.loOpen, iv.hiOpen = in.Closure == "openOpen" || in.Closure == "openClosed", in.Closure == "openOpen" || in.Closure == "closedOpen"
				p.intervals = append(p.intervals, iv)
			}
		}
	}
	if mf.hasReplacement {
		p.replacement, p.hasReplacement = c.literal(mf.replacement, p.dt), true
		if p.replacement.Kind == KindInvalid {
			return p, elemErrorf("MiningField", mf.line, "%q has missingValueReplacement %q, which is not a %s", mf.name, mf.replacement, def.dt.name())
		}
	}
	if p.invalidTreatment == "asValue" {
		p.invalidReplacement = c.literal(mf.invalidReplacement, p.dt)
	}
	if mf.lowValue != nil {
		p.low = *mf.lowValue
	}
	if mf.highValue != nil {
		p.high = *mf.highValue
	}
	p.plain = len(p.missing) == 0 && len(p.invalid) == 0 && !p.nanMissing && p.valid == nil &&
		len(p.intervals) == 0 && !p.hasReplacement && !p.missingInvalid && p.outliers == "asIs"
	return p, nil
}

// isDefault reports whether a nested model's MiningField leaves its values
// as the enclosing model prepared them.
func isDefaultPrep(mf miningField) bool {
	return !mf.hasReplacement && mf.outliers == "asIs" && mf.missingTreatment != "returnInvalid" &&
		(mf.invalidTreatment == "returnInvalid" || mf.invalidTreatment == "asIs")
}

// apply prepares one value; a returnInvalid treatment fails the row.
func (p *fieldPrep) apply(s *state, v Value) Value {
	if p.plain && v.Kind == KindNumber && p.dt == dtDouble && v.Num == v.Num {
		return v // the common case of a numeric model, first
	}
	v = convert(v, p.dt)
	if p.plain {
		if v.Kind == KindNumber && math.IsNaN(v.Num) {
			v = Value{Kind: KindInvalid, Str: "NaN"}
		} else if v.Kind != KindInvalid {
			return v
		}
	}
	if v.Kind == KindNumber && math.IsNaN(v.Num) {
		if p.nanMissing {
			v = Value{}
		} else {
			v = Value{Kind: KindInvalid, Str: "NaN"}
		}
	}
	if v.Kind != KindMissing && v.Kind != KindInvalid {
		for _, m := range p.missing {
			if equalValues(v, m) {
				v = Value{}
				break
			}
		}
	}
	if v.Kind != KindMissing && !p.isValid(v) {
		raw := v
		switch p.invalidTreatment {
		case "asMissing":
			v = Value{}
		case "asValue":
			v = p.invalidReplacement
		case "asIs":
			if v.Kind == KindInvalid { // text where a number belongs cannot be used as it is
				s.failf(p.name, "value %q is not a %s", raw.Str, p.dt.name())
				return Value{}
			}
		default:
			s.failf(p.name, "value %q is not valid for this field", raw.String())
			return Value{}
		}
	}
	if v.Kind == KindMissing {
		switch {
		case p.hasReplacement:
			return p.replacement
		case p.missingInvalid:
			s.failf(p.name, "a value is required")
		}
		return v
	}
	if v.Kind == KindNumber && p.outliers != "asIs" && (v.Num < p.low || v.Num > p.high) {
		if p.outliers == "asMissingValues" {
			if p.hasReplacement {
				return p.replacement
			}
			return Value{}
		}
		v = Float(math.Max(p.low, math.Min(p.high, v.Num)))
	}
	return v
}

// isValid decides validity by the DataField's Values and Intervals.
func (p *fieldPrep) isValid(v Value) bool {
	if v.Kind == KindInvalid {
		return false
	}
	for _, iv := range p.invalid {
		if equalValues(v, iv) {
			return false
		}
	}
	if p.valid != nil && !p.valid[keyOf(v)] {
		return false
	}
	if len(p.intervals) > 0 && v.Kind == KindNumber {
		for _, in := range p.intervals {
			if in.contains(v.Num) {
				return true
			}
		}
		return false
	}
	return true
}

// prepExpr applies a nested model's own MiningField treatment to the
// value its enclosing model prepared.
type prepExpr struct {
	src  int32
	prep *fieldPrep
}

func (e prepExpr) eval(s *state) Value { return e.prep.apply(s, *s.get(e.src)) }

// name returns the PMML name of a data type, for messages.
func (t dataType) name() string {
	for n, dt := range dataTypeByName {
		if dt == t {
			return n
		}
	}
	return "value"
}
