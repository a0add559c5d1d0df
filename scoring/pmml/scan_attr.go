package pmml

import "encoding/xml"

// maxInterned bounds the intern table, so that a document made of
// millions of distinct names costs allocations, not an ever-growing map.
// PMML has a few hundred element and attribute names; the rest of the
// room goes to the short words that attribute values repeat: field names,
// operators, enumerations, categories.
const maxInterned = 1 << 13

// internBytes returns b as a string, the same string for the same bytes:
// the map lookup with a converted key does not allocate, so a name or
// value seen before costs no allocation at all. A small direct-mapped
// cache in front of the map catches the few names that make up most of a
// model body (Node, SimplePredicate, field, operator, value) with one
// comparison instead of a hash.
func (s *scanner) internBytes(b []byte) string {
	slot := &s.recent[0]
	if len(b) > 0 {
		slot = &s.recent[(len(b)*7+int(b[0])*3+int(b[len(b)-1]))%len(s.recent)]
		if *slot == string(b) {
			return *slot
		}
	}
	v, ok := s.intern[string(b)]
	if !ok {
		v = string(b)
		if len(s.intern) < maxInterned {
			s.intern[v] = v
		}
	}
	*slot = v
	return v
}

// internable tells the attribute values worth interning: short ones that
// do not look like numbers. Numbers (split values, scores, coefficients)
// are mostly unique and would only fill the table.
func internable(v []byte) bool {
	if len(v) > 32 {
		return false
	}
	return len(v) == 0 || !('0' <= v[0] && v[0] <= '9' || v[0] == '-' || v[0] == '+' || v[0] == '.')
}

// value returns the decoded value of attribute a.
func (s *scanner) value(a *rawAttr) string {
	raw := s.buf[a.value.start:a.value.end]
	if !a.dirty {
		return s.internBytes(raw)
	}
	s.scratch = decodeChars(s.scratch[:0], raw, true)
	return s.internBytes(s.scratch)
}

// attrName returns the name of attribute a with its prefix resolved.
func (s *scanner) attrName(a *rawAttr) xml.Name {
	n := s.buf[a.name.start:a.name.end]
	if a.colon < 0 {
		return xml.Name{Local: s.internBytes(n)}
	}
	c := a.colon - a.name.start
	return xml.Name{Space: s.space(n[:c], false), Local: s.internBytes(n[c+1:])}
}

// fillAttrs sets dst, as long as the attribute list of the current start
// tag, to its attributes, decoded. Values that are not interned share one
// string per tag: one allocation per element instead of one per value,
// and a value kept by the caller holds only its own tag's values in
// memory, not a whole buffer.
func (s *scanner) fillAttrs(dst []xml.Attr) {
	vals, ends := s.vals[:0], s.valEnd[:0]
	for i := range s.attrs {
		a := &s.attrs[i]
		dst[i].Name = s.attrName(a)
		start := len(vals)
		if raw := s.buf[a.value.start:a.value.end]; a.dirty {
			vals = decodeChars(vals, raw, true)
		} else {
			vals = append(vals, raw...)
		}
		if v := vals[start:]; internable(v) {
			dst[i].Value = s.internBytes(v)
			vals = vals[:start]
			ends = append(ends, -1)
		} else {
			ends = append(ends, len(vals))
		}
	}
	if len(vals) > 0 {
		all, start := string(vals), 0
		for i, end := range ends {
			if end >= 0 {
				dst[i].Value, start = all[start:end], end
			}
		}
	}
	s.vals, s.valEnd = vals, ends
}
