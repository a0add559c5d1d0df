package pmml

import (
	"math"
	"strings"
)

// discretizeExpr maps a number to the binValue of the first DiscretizeBin
// whose Interval holds it.
type discretizeExpr struct {
	slot         int32
	bins         []interval
	values       []Value
	mapMissing   Value
	defaultValue Value
}

// interval is a compiled Interval: unbounded sides are infinite.
type interval struct {
	lo, hi         float64
	loOpen, hiOpen bool
}

func (in interval) contains(f float64) bool {
	if f < in.lo || f > in.hi || (in.loOpen && f == in.lo) || (in.hiOpen && f == in.hi) {
		return false
	}
	return true
}

// compileInterval compiles an Interval element.
func compileInterval(x *xnode) (interval, error) {
	closure := x.attrOr("closure", "")
	if !closures[closure] {
		return interval{}, x.errorf("has closure %q; want openOpen, openClosed, closedOpen or closedClosed", closure)
	}
	lo, err := x.float("leftMargin", math.Inf(-1))
	if err != nil {
		return interval{}, err
	}
	hi, err := x.float("rightMargin", math.Inf(1))
	if err != nil {
		return interval{}, err
	}
	return interval{lo: lo, hi: hi, loOpen: strings.HasPrefix(closure, "open"), hiOpen: strings.HasSuffix(closure, "Open")}, nil
}

func (c *compiler) discretize(sc *scope, x *xnode) (expr, error) {
	slot, err := c.fieldSlot(sc, x)
	if err != nil {
		return nil, err
	}
	dt, err := c.dataTypeAttr(x, "dataType", "string")
	if err != nil {
		return nil, err
	}
	e := discretizeExpr{slot: slot}
	if m, ok := x.attr("mapMissingTo"); ok {
		e.mapMissing = c.literal(m, dt)
	}
	if d, ok := x.attr("defaultValue"); ok {
		e.defaultValue = c.literal(d, dt)
	}
	for _, k := range x.kids {
		if k.name != "DiscretizeBin" {
			continue
		}
		in := k.kid("Interval")
		if in == nil {
			return nil, k.errorf("has no Interval")
		}
		iv, err := compileInterval(in)
		if err != nil {
			return nil, err
		}
		bin, err := k.need("binValue")
		if err != nil {
			return nil, err
		}
		e.bins, e.values = append(e.bins, iv), append(e.values, c.literal(bin, dt))
	}
	return e, nil
}

func (e discretizeExpr) eval(s *state) Value {
	v := s.get(e.slot)
	switch v.Kind {
	case KindMissing:
		return e.mapMissing
	case KindNumber:
		for i, in := range e.bins {
			if in.contains(v.Num) {
				return e.values[i]
			}
		}
	}
	return e.defaultValue
}

// mapValuesExpr looks the values of its fields up in an InlineTable. A
// one-column key, the usual case, is a map lookup; several columns are
// scanned row by row.
type mapValuesExpr struct {
	slots        []int32
	single       map[string]int // key text to row, one input column
	keys         [][]Value      // per row, per input column
	out          []Value
	mapMissing   Value
	defaultValue Value
}

func (c *compiler) mapValues(sc *scope, x *xnode) (expr, error) {
	outCol, err := x.need("outputColumn")
	if err != nil {
		return nil, err
	}
	dt, err := c.dataTypeAttr(x, "dataType", "string")
	if err != nil {
		return nil, err
	}
	e := mapValuesExpr{}
	if m, ok := x.attr("mapMissingTo"); ok {
		e.mapMissing = c.literal(m, dt)
	}
	if d, ok := x.attr("defaultValue"); ok {
		e.defaultValue = c.literal(d, dt)
	}
	var cols []string
	var table *xnode
	for _, k := range x.kids {
		switch k.name {
		case "FieldColumnPair":
			field, err := k.need("field")
			if err != nil {
				return nil, err
			}
			col, err := k.need("column")
			if err != nil {
				return nil, err
			}
			slot, err := c.ref(sc, k, field)
			if err != nil {
				return nil, err
			}
			e.slots, cols = append(e.slots, slot), append(cols, col)
		case "InlineTable":
			table = k
		case "TableLocator":
			return nil, unsupported(k.name, k.line, "an external table")
		}
	}
	if table == nil || len(e.slots) == 0 {
		return nil, x.errorf("needs FieldColumnPairs and an InlineTable")
	}
	if len(e.slots) == 1 {
		e.single = map[string]int{}
	}
	for _, row := range table.kids {
		if row.name != "row" {
			continue
		}
		key := make([]Value, len(cols))
		found := 0
		var out Value
		for _, cell := range row.kids {
			text := strings.TrimSpace(cell.text)
			if columnIs(cell.name, outCol) {
				out = c.literal(text, dt)
				found |= 1
			}
			for i, col := range cols {
				if columnIs(cell.name, col) {
					key[i] = c.literal(text, c.slots[e.slots[i]].dt)
					found |= 2
				}
			}
		}
		if found != 3 {
			continue // a row without the columns this MapValues reads
		}
		if e.single != nil {
			if _, dup := e.single[keyOf(key[0])]; !dup {
				e.single[keyOf(key[0])] = len(e.out)
			}
		}
		e.keys, e.out = append(e.keys, key), append(e.out, out)
	}
	return e, nil
}

// columnIs matches an InlineTable cell element to a column name, which may
// carry a namespace prefix ("data:input") the decoder has resolved away.
func columnIs(cell, column string) bool {
	if i := strings.LastIndexByte(column, ':'); i >= 0 {
		column = column[i+1:]
	}
	return cell == column
}

func (e mapValuesExpr) eval(s *state) Value {
	if e.single != nil {
		v := s.get(e.slots[0])
		switch v.Kind {
		case KindMissing:
			return e.mapMissing
		case KindInvalid:
			return e.defaultValue
		}
		if i, ok := e.single[keyOf(*v)]; ok {
			return e.out[i]
		}
		return e.defaultValue
	}
rows:
	for r, key := range e.keys {
		for i, slot := range e.slots {
			v := s.get(slot)
			if v.Kind == KindMissing {
				return e.mapMissing
			}
			if !equalValues(*v, key[i]) {
				continue rows
			}
		}
		return e.out[r]
	}
	return e.defaultValue
}

// keyOf returns the text a value is looked up by: numbers in one canonical
// form, so 1, "1" and "1.0" find the same row.
func keyOf(v Value) string {
	if v.Kind == KindNumber {
		return formatNumber(v.Num)
	}
	return v.String()
}
