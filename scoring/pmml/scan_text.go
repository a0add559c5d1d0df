package pmml

import "unicode/utf8"

// Byte classes. The scanning loops test a whole class with one table
// lookup and mask, so the common byte of a run (a letter, a digit, a
// space) costs one load and one branch.
const (
	isName      = 1 << iota // ASCII name character: letter, digit, . - _ :
	isNameStart             // ASCII name start: letter, _ :
	isSpace                 // XML white space
	stopsText               // ends or interrupts character data: < & ] CR, controls
	stopsQuot               // ends or interrupts a "-quoted value: " < & CR, controls
	stopsApos               // ends or interrupts a '-quoted value: ' < & CR, controls
	isHigh                  // the start or continuation of a multi-byte character
	isColon                 // ':', which separates a prefix in a name
)

var byteClass = func() (t [256]uint8) {
	for c := range 256 {
		switch {
		case c == ':':
			t[c] |= isName | isNameStart | isColon
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', c == '_':
			t[c] |= isName | isNameStart
		case '0' <= c && c <= '9', c == '.', c == '-':
			t[c] |= isName
		case c == ' ', c == '\t', c == '\n':
			t[c] |= isSpace
		case c == '\r':
			t[c] |= isSpace | stopsText | stopsQuot | stopsApos
		case c < ' ', c == '<', c == '&':
			t[c] |= stopsText | stopsQuot | stopsApos
		case c == ']':
			t[c] |= stopsText
		case c == '"':
			t[c] |= stopsQuot
		case c == '\'':
			t[c] |= stopsApos
		case c >= utf8.RuneSelf:
			t[c] |= isHigh | stopsText | stopsQuot | stopsApos
		}
	}
	return t
}()

// charData scans the text at i, up to the next '<' or the end of the data.
func (s *scanner) charData(i int) (tokenKind, int, error) {
	end, dirty, err := s.chars(i, 0)
	if err != nil {
		return tokNone, 0, err
	}
	s.text, s.dirty, s.cdata = bufSpan{i, end}, dirty, false
	return tokText, end, nil
}

// chars checks the character data from i: text when quote is 0, else an
// attribute value ending at quote. It returns the offset of the '<' (or of
// the end of the data) that ends text, or of the closing quote, and
// whether the data needs decoding. Entities are checked here once, so that
// decodeChars can trust them.
func (s *scanner) chars(i int, quote byte) (end int, dirty bool, err error) {
	var stop uint8 = stopsText
	switch quote {
	case '"':
		stop = stopsQuot
	case '\'':
		stop = stopsApos
	}
	b := s.buf[:s.end]
	for {
		for _, c := range b[i:] { // ranging over a slice spares the bounds checks
			if byteClass[c]&stop != 0 {
				break
			}
			i++
		}
		if i == len(b) {
			if quote == 0 && s.eof {
				return i, dirty, nil
			}
			return 0, false, s.short(i)
		}
		switch c := b[i]; {
		case c == quote && quote != 0:
			return i, dirty, nil
		case c == '<':
			if quote == 0 {
				return i, dirty, nil
			}
			return 0, false, s.errorAt(i, "unescaped < inside quoted string")
		case c == '&':
			_, n, ok := charRef(b[i:])
			if n == 0 {
				return 0, false, s.short(len(b))
			}
			if !ok {
				return 0, false, s.entityError(b[i:], n)
			}
			i, dirty = i+n, true
		case c == '\r':
			i, dirty = i+1, true
		case c == ']':
			if i+2 >= len(b) && !s.eof {
				return 0, false, errMore
			}
			if i+2 < len(b) && b[i+1] == ']' && b[i+2] == '>' {
				return 0, false, s.errorAt(i+2, "unescaped ]]> not in CDATA section")
			}
			i++
		default:
			n, err := s.char(b, i, !s.eof)
			if err != nil {
				return 0, false, err
			}
			i += n
		}
	}
}

// char checks the character at b[i], a control or non-ASCII byte, and
// returns its length. more tells whether data may follow b, so that a
// character cut off at its end is read again, not refused.
func (s *scanner) char(b []byte, i int, more bool) (int, error) {
	if b[i] < utf8.RuneSelf {
		return 0, s.errorAt(i, "illegal character code %U", rune(b[i]))
	}
	r, n := utf8.DecodeRune(b[i:])
	if r == utf8.RuneError && n == 1 {
		if more && !utf8.FullRune(b[i:]) {
			return 0, errMore
		}
		return 0, s.errorAt(i, "invalid UTF-8")
	}
	if !inCharRange(r) {
		return 0, s.errorAt(i, "illegal character code %U", r)
	}
	return n, nil
}

// inCharRange reports whether r is a Char of XML 1.0.
func inCharRange(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// charRef decodes the reference at the start of b ("&amp;", "&#38;",
// "&#x26;"). It returns the character, the length of the reference and
// whether it is one XML defines; n is 0 when b ends before the reference
// does, and for a bad reference it is the length to quote in the error.
func charRef(b []byte) (r rune, n int, ok bool) {
	i := 1
	if i < len(b) && b[i] == '#' {
		i++
		base := rune(10)
		if i < len(b) && b[i] == 'x' {
			base, i = 16, i+1
		}
		digits := i
		for ; i < len(b); i++ {
			d := rune(b[i]) - '0'
			if base == 16 && b[i]|0x20 >= 'a' && b[i]|0x20 <= 'f' {
				d = rune(b[i]|0x20) - 'a' + 10
			} else if d < 0 || d > 9 {
				break
			}
			r = min(r*base+d, utf8.MaxRune+1)
		}
		if i == len(b) {
			return 0, 0, false
		}
		if b[i] != ';' {
			return 0, i, false
		}
		return r, i + 1, i > digits && inCharRange(r)
	}
	for i < len(b) && byteClass[b[i]]&isName != 0 {
		i++
	}
	if i == len(b) {
		return 0, 0, false
	}
	if b[i] != ';' {
		return 0, i, false
	}
	switch string(b[1:i]) {
	case "lt":
		r = '<'
	case "gt":
		r = '>'
	case "amp":
		r = '&'
	case "apos":
		r = '\''
	case "quot":
		r = '"'
	default:
		return 0, i + 1, false
	}
	return r, i + 1, true
}

// entityError describes the bad reference b[:n] in encoding/xml's words.
func (s *scanner) entityError(b []byte, n int) error {
	i := len(s.buf[:s.end]) - len(b)
	ref := string(b[:min(n, 40)])
	if b[n-1] != ';' {
		ref += " (no semicolon)"
	}
	return s.errorAt(i+n, "invalid character entity %s", ref)
}

// decodeChars appends raw, checked character data to dst with entities
// (when entities is set) and line ends decoded: CR LF and a lone CR become
// LF, as XML requires and encoding/xml does. Attribute values keep their
// tabs and newlines: encoding/xml does not normalize them either.
func decodeChars(dst, raw []byte, entities bool) []byte {
	for i := 0; i < len(raw); {
		switch c := raw[i]; {
		case c == '&' && entities:
			r, n, _ := charRef(raw[i:])
			dst, i = utf8.AppendRune(dst, r), i+n
		case c == '\r':
			dst, i = append(dst, '\n'), i+1
			if i < len(raw) && raw[i] == '\n' {
				i++
			}
		default:
			j := i + 1
			for j < len(raw) && raw[j] != '\r' && (raw[j] != '&' || !entities) {
				j++
			}
			dst, i = append(dst, raw[i:j]...), j
		}
	}
	return dst
}
