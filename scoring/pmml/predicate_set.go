package pmml

import "strings"

// setPred tests membership of a field's value in an Array of values.
type setPred struct {
	slot   int32
	negate bool
	nums   []float64
	strs   map[string]bool
}

func (c *compiler) setPredicate(sc *scope, x *xnode) (predicate, error) {
	slot, err := c.fieldSlot(sc, x)
	if err != nil {
		return nil, err
	}
	p := &setPred{slot: slot}
	switch op := x.attrOr("booleanOperator", ""); op {
	case "isIn":
	case "isNotIn":
		p.negate = true
	default:
		return nil, x.errorf("has unknown booleanOperator %q", op)
	}
	arr := x.kid("Array")
	if arr == nil {
		return nil, x.errorf("has no Array")
	}
	items, err := parseArray(arr)
	if err != nil {
		return nil, err
	}
	dt := literalType(c.slots[slot].dt)
	if dt.numeric() {
		for _, it := range items {
			v := c.literal(it, dt)
			if v.Kind != KindNumber {
				return nil, arr.errorf("holds %q, which is not a %s", it, dt.name())
			}
			p.nums = append(p.nums, v.Num)
		}
	} else {
		p.strs = map[string]bool{}
		for _, it := range items {
			p.strs[keyOf(c.literal(it, dt))] = true
		}
	}
	return p, nil
}

func (p *setPred) test(s *state) uint8 {
	v := s.get(p.slot)
	if v.Kind == KindMissing || v.Kind == KindInvalid {
		return triUnknown
	}
	in := false
	if p.strs != nil {
		in = p.strs[keyOf(*v)]
	} else if v.Kind == KindNumber {
		for _, f := range p.nums {
			if f == v.Num {
				in = true
				break
			}
		}
	}
	return b2t(in != p.negate)
}

// parseArray splits the text of an Array: items separated by white space,
// or in double quotes (with \" inside) when they hold spaces.
func parseArray(x *xnode) ([]string, error) {
	var items []string
	s := x.text
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, x.errorf("has an unterminated quoted value")
			}
			items = append(items, b.String())
			i = j + 1
		default:
			j := i
			for j < len(s) && s[j] != ' ' && s[j] != '\t' && s[j] != '\n' && s[j] != '\r' {
				j++
			}
			items = append(items, s[i:j])
			i = j
		}
	}
	if n, ok := x.attr("n"); ok && n != "" {
		if want, err := parseNumber(n); err == nil && int(want) != len(items) {
			return nil, x.errorf("has n=%s but %d values", n, len(items))
		}
	}
	return items, nil
}
