package pmml

import (
	"bytes"
	"encoding/xml"
	"unicode/utf8"
)

// errNoName reports that a name was expected and none begins there; the
// caller says which name.
var errNoName = &syntaxError{msg: "no name"}

// startTag scans a start tag whose name begins at i, just after '<'.
func (s *scanner) startTag(i int) (tokenKind, int, error) {
	j, colon, err := s.qname(i)
	if err == errNoName {
		return tokNone, 0, s.errorAt(i, "expected element name after <")
	} else if err != nil {
		return tokNone, 0, err
	}
	b, nameEnd := s.buf[:s.end], j
	s.attrs = s.attrs[:0]
	closing := false
	for {
		k := s.spaces(j)
		if k == len(b) {
			return tokNone, 0, s.short(k)
		}
		if c := b[k]; c == '>' {
			j = k + 1
			break
		} else if c == '/' {
			if k+1 == len(b) {
				return tokNone, 0, s.short(k + 1)
			}
			if b[k+1] != '>' {
				return tokNone, 0, s.errorAt(k+1, "expected /> in element")
			}
			j, closing = k+2, true
			break
		}
		a := rawAttr{name: bufSpan{start: k}}
		a.name.end, a.colon, err = s.qname(k)
		if err == errNoName {
			return tokNone, 0, s.errorAt(k, "expected attribute name in element")
		} else if err != nil {
			return tokNone, 0, err
		}
		if k == j {
			return tokNone, 0, s.errorAt(k, "attribute %s in element <%s> is not separated from what precedes it by white space", b[k:a.name.end], b[i:nameEnd])
		}
		if k = s.spaces(a.name.end); k == len(b) {
			return tokNone, 0, s.short(k)
		} else if b[k] != '=' {
			return tokNone, 0, s.errorAt(k, "attribute name without = in element")
		}
		if k = s.spaces(k + 1); k == len(b) {
			return tokNone, 0, s.short(k)
		}
		if q := b[k]; q != '"' && q != '\'' {
			return tokNone, 0, s.errorAt(k, "unquoted or missing attribute value in element")
		}
		a.value.start = k + 1
		if a.value.end, a.dirty, err = s.chars(k+1, b[k]); err != nil {
			return tokNone, 0, err
		}
		s.attrs = append(s.attrs, a)
		j = a.value.end + 1
	}
	if err := s.checkDuplicates(i); err != nil {
		return tokNone, 0, err
	}
	s.push(bufSpan{i, nameEnd}, colon)
	s.closing = closing
	return tokStart, j, nil
}

// checkDuplicates fails when an attribute name occurs twice in the start
// tag at i. Tags have a handful of attributes, so pairs are compared; a
// map takes over for the rare long lists, which would be quadratic.
func (s *scanner) checkDuplicates(i int) error {
	as := s.attrs
	if len(as) <= 16 {
		for x := 1; x < len(as); x++ {
			for y := range x {
				if s.sameName(as[x].name, as[y].name) {
					return s.dupError(i, as[x])
				}
			}
		}
		return nil
	}
	if s.dups == nil {
		s.dups = map[string]struct{}{}
	}
	clear(s.dups)
	for _, a := range as {
		n := s.buf[a.name.start:a.name.end]
		if _, dup := s.dups[string(n)]; dup {
			return s.dupError(i, a)
		}
		s.dups[string(n)] = struct{}{}
	}
	return nil
}

func (s *scanner) sameName(a, b bufSpan) bool {
	return string(s.buf[a.start:a.end]) == string(s.buf[b.start:b.end])
}

func (s *scanner) dupError(i int, a rawAttr) error {
	end, _, _ := s.qname(i)
	return s.errorAt(a.name.start, "attribute %s appears twice in element <%s>", s.buf[a.name.start:a.name.end], s.buf[i:end])
}

// endTag scans an end tag whose name begins at i, just after "</", and
// checks that it closes the innermost open element.
func (s *scanner) endTag(i int) (tokenKind, int, error) {
	j, colon, err := s.qname(i)
	if err == errNoName {
		return tokNone, 0, s.errorAt(i, "expected element name after </")
	} else if err != nil {
		return tokNone, 0, err
	}
	k := s.spaces(j)
	if k == s.end {
		return tokNone, 0, s.short(k)
	}
	name, local := s.buf[i:j], s.buf[i:j]
	if colon >= 0 {
		local = s.buf[colon+1 : j]
	}
	if s.buf[k] != '>' {
		return tokNone, 0, s.errorAt(k, "invalid characters between </%s and >", local)
	}
	if len(s.stack) == 0 {
		return tokNone, 0, s.errorAt(k, "unexpected end element </%s>", local)
	}
	open, oc := s.element()
	if string(open) != string(name) {
		if string(open[oc+1:]) != string(local) {
			return tokNone, 0, s.errorAt(k, "element <%s> closed by </%s>", open[oc+1:], local)
		}
		space := `""`
		if colon >= 0 {
			space = string(name[:colon-i])
		}
		return tokNone, 0, s.errorAt(k, "element <%s> in space %s closed by </%s> in space %s", local, open[:max(oc, 0)], local, space)
	}
	s.popping = true
	return tokEnd, k + 1, nil
}

// element returns the qualified name of the innermost open element (the
// current one after a start or end token) and the offset of its colon, -1
// when it has no prefix.
func (s *scanner) element() ([]byte, int) {
	e := s.stack[len(s.stack)-1]
	return s.names[e.name:], e.colon
}

// qname scans a name at i and returns its end and the offset of the colon
// that separates a prefix, or -1. Like encoding/xml, it takes a name with
// a colon first or last as unprefixed and refuses one with two colons.
func (s *scanner) qname(i int) (end, colon int, err error) {
	end, colon, colons, err := s.name(i)
	if err == nil && colons > 1 {
		return 0, 0, errNoName
	}
	if colon == i || colon == end-1 {
		colon = -1
	}
	return end, colon, err
}

// name scans an XML name at i. It returns its end, the offset of its last
// colon (-1 if none) and the number of colons. The loop only gathers the
// classes of the bytes it passes; colons and non-ASCII characters, rare in
// names, are looked at afterwards.
func (s *scanner) name(i int) (end, colon, colons int, err error) {
	b := s.buf[:s.end]
	j, seen := i, uint8(0)
	for _, c := range b[i:] { // ranging over a slice spares the bounds checks
		if byteClass[c]&(isName|isHigh) == 0 {
			break
		}
		seen |= byteClass[c]
		j++
	}
	switch {
	case j == len(b):
		return 0, 0, 0, s.short(j)
	case j == i:
		return 0, 0, 0, errNoName
	case seen&isHigh == 0 && byteClass[b[i]]&isNameStart == 0, seen&isHigh != 0 && !validName(b[i:j]):
		return 0, 0, 0, s.errorAt(j, "invalid XML name: %s", b[i:j])
	}
	colon = -1
	if seen&isColon != 0 {
		colons = bytes.Count(b[i:j], []byte{':'})
		colon = i + bytes.LastIndexByte(b[i:j], ':')
	}
	return j, colon, colons, nil
}

// spaces returns the offset of the first byte at or after i that is not
// XML white space.
func (s *scanner) spaces(i int) int {
	for _, c := range s.buf[i:s.end] {
		if byteClass[c]&isSpace == 0 {
			break
		}
		i++
	}
	return i
}

// validName checks a name with non-ASCII characters against the Name
// production of XML 1.0 (fifth edition).
func validName(b []byte) bool {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return false
		}
		if !nameStartChar(r) && (i == 0 || !nameChar(r)) {
			return false
		}
		i += n
	}
	return true
}

func nameStartChar(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return byteClass[r]&isNameStart != 0
	case r >= 0xC0 && r <= 0x2FF:
		return r != 0xD7 && r != 0xF7
	}
	return r >= 0x370 && r <= 0x1FFF && r != 0x37E || r == 0x200C || r == 0x200D ||
		r >= 0x2070 && r <= 0x218F || r >= 0x2C00 && r <= 0x2FEF ||
		r >= 0x3001 && r <= 0xD7FF || r >= 0xF900 && r <= 0xFDCF ||
		r >= 0xFDF0 && r <= 0xFFFD || r >= 0x10000 && r <= 0xEFFFF
}

func nameChar(r rune) bool {
	if r < utf8.RuneSelf {
		return byteClass[r]&isName != 0
	}
	return nameStartChar(r) || r == 0xB7 || r >= 0x300 && r <= 0x36F || r == 0x203F || r == 0x2040
}

// xmlURL is the namespace of the xml prefix, bound by definition.
const xmlURL = "http://www.w3.org/XML/1998/namespace"

// space returns the namespace URL of a prefix the way encoding/xml
// resolves it: an unbound prefix stands for itself, an element without
// prefix takes the default namespace, an attribute without prefix has
// none, and the xmlns prefix is kept as is.
func (s *scanner) space(prefix []byte, element bool) string {
	switch string(prefix) {
	case "xmlns":
		return "xmlns"
	case "xml":
		return xmlURL
	case "":
		if !element {
			return ""
		}
	}
	for i := len(s.ns) - 1; i >= 0; i-- {
		if s.ns[i].prefix == string(prefix) {
			return s.ns[i].url
		}
	}
	return s.internBytes(prefix)
}

// elementName returns the name of the current start or end token.
func (s *scanner) elementName() xml.Name {
	n, colon := s.element()
	if colon < 0 {
		space := ""
		if string(n) != "xmlns" {
			space = s.space(nil, true)
		}
		return xml.Name{Space: space, Local: s.internBytes(n)}
	}
	return xml.Name{Space: s.space(n[:colon], true), Local: s.internBytes(n[colon+1:])}
}
