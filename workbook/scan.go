package workbook

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// tokKind is the kind of token the scanner produced.
type tokKind uint8

const (
	tokEOF   tokKind = iota
	tokStart         // name, attrs, selfClose
	tokEnd           // name
	tokText          // text: raw character data, entities not yet decoded
	tokCDATA         // text: literal character data
)

const (
	scanBufSize  = 64 << 10
	maxTokenSize = 16 << 20 // no tag or run of text in a real sheet comes near this
)

var errTokenTooLarge = fmt.Errorf("XML token size %w of %d bytes", ErrTooLarge, maxTokenSize)

// scanner is a byte-level XML tokenizer over a sliding buffer. It knows just
// enough XML for spreadsheet parts: tags with attributes in either quote,
// text, CDATA, and comments, processing instructions and DOCTYPE, which it
// skips. Element names are returned without their namespace prefix. The
// slices of the current token point into the buffer and are valid until the
// next call to next.
type scanner struct {
	r    io.Reader
	buf  []byte
	pos  int   // start of unread data
	end  int   // end of valid data
	rerr error // sticky read error, io.EOF at the end

	kind      tokKind
	name      []byte
	attrs     []byte
	selfClose bool
	text      []byte
}

func newScanner(r io.Reader) *scanner {
	return &scanner{r: r, buf: make([]byte, scanBufSize)}
}

// fill reads more data, first moving the unread data to the front of the
// buffer and growing it when it is full. It reports false when no more data
// can be had; s.rerr says why.
func (s *scanner) fill() bool {
	if s.rerr != nil {
		return false
	}
	if s.pos > 0 {
		n := copy(s.buf, s.buf[s.pos:s.end])
		s.pos, s.end = 0, n
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= maxTokenSize {
			s.rerr = errTokenTooLarge
			return false
		}
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for range 100 {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.rerr = err
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	s.rerr = io.ErrNoProgress
	return false
}

// readErr is the error to report when fill has failed: nil at a clean end
// of input, io.ErrUnexpectedEOF when more was expected.
func (s *scanner) readErr(expectMore bool) error {
	if s.rerr == io.EOF {
		if expectMore {
			return io.ErrUnexpectedEOF
		}
		return nil
	}
	return s.rerr
}

// next advances to the next token.
func (s *scanner) next() error {
	for {
		if s.pos >= s.end && !s.fill() {
			if err := s.readErr(false); err != nil {
				return err
			}
			s.kind = tokEOF
			return nil
		}
		if s.buf[s.pos] != '<' {
			return s.scanText()
		}
		if s.end-s.pos < 2 && !s.fill() {
			return s.readErr(true)
		}
		switch s.buf[s.pos+1] {
		case '/':
			n, err := s.findTagEnd()
			if err != nil {
				return err
			}
			s.kind = tokEnd
			s.name = localName(bytes.TrimSpace(s.buf[s.pos+2 : s.pos+n]))
			s.pos += n + 1
			return nil
		case '?':
			if err := s.skipPast("?>", 2); err != nil {
				return err
			}
			continue
		case '!':
			done, err := s.scanBang()
			if err != nil || done {
				return err
			}
			continue
		}
		n, err := s.findTagEnd()
		if err != nil {
			return err
		}
		tag := s.buf[s.pos+1 : s.pos+n]
		s.pos += n + 1
		s.selfClose = len(tag) > 0 && tag[len(tag)-1] == '/'
		if s.selfClose {
			tag = tag[:len(tag)-1]
		}
		i := 0
		for i < len(tag) && !isSpace(tag[i]) {
			i++
		}
		s.kind = tokStart
		s.name = localName(tag[:i])
		s.attrs = tag[i:]
		return nil
	}
}

// scanText returns the text up to the next '<' or the end of input.
func (s *scanner) scanText() error {
	off := 0
	for {
		if i := bytes.IndexByte(s.buf[s.pos+off:s.end], '<'); i >= 0 {
			off += i
			break
		}
		off = s.end - s.pos
		if !s.fill() {
			if err := s.readErr(false); err != nil {
				return err
			}
			break
		}
	}
	s.kind = tokText
	s.text = s.buf[s.pos : s.pos+off]
	s.pos += off
	return nil
}

// findTagEnd returns the offset from s.pos of the '>' closing the tag that
// starts at s.pos, skipping '>' inside quoted attribute values.
func (s *scanner) findTagEnd() (int, error) {
	var quote byte
	off := 1
	for {
		for ; s.pos+off < s.end; off++ {
			c := s.buf[s.pos+off]
			switch {
			case quote != 0:
				if c == quote {
					quote = 0
				}
			case c == '"' || c == '\'':
				quote = c
			case c == '>':
				return off, nil
			}
		}
		if !s.fill() {
			return 0, s.readErr(true)
		}
	}
}

// skipPast consumes input up to and including seq, searching from offset
// from of the current position.
func (s *scanner) skipPast(seq string, from int) error {
	i, err := s.find(seq, from)
	if err != nil {
		return err
	}
	s.pos += i + len(seq)
	return nil
}

// find returns the offset from s.pos of the next seq at or after offset
// from, without consuming input.
func (s *scanner) find(seq string, from int) (int, error) {
	off := from
	for {
		if s.pos+off <= s.end {
			if i := bytes.Index(s.buf[s.pos+off:s.end], []byte(seq)); i >= 0 {
				return off + i, nil
			}
			off = max(from, s.end-s.pos-len(seq)+1)
		}
		if !s.fill() {
			return 0, s.readErr(true)
		}
	}
}

// scanBang handles "<!": a comment or DOCTYPE is skipped (done false), a
// CDATA section becomes a tokCDATA token (done true).
func (s *scanner) scanBang() (done bool, err error) {
	for s.end-s.pos < 9 && s.fill() {
	}
	rest := s.buf[s.pos:s.end]
	switch {
	case bytes.HasPrefix(rest, []byte("<!--")):
		return false, s.skipPast("-->", 4)
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		i, err := s.find("]]>", 9)
		if err != nil {
			return false, err
		}
		s.kind = tokCDATA
		s.text = s.buf[s.pos+9 : s.pos+i]
		s.pos += i + 3
		return true, nil
	case len(rest) < 9 && s.rerr != nil && s.rerr != io.EOF:
		return false, s.rerr
	}
	n, err := s.findTagEnd()
	if err != nil {
		return false, err
	}
	s.pos += n + 1
	return false, nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// localName strips a namespace prefix.
func localName(name []byte) []byte {
	if i := bytes.LastIndexByte(name, ':'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// attr returns the value of the attribute named name (matched exactly,
// prefix included) in the raw attribute text of a start tag.
func attr(attrs []byte, name string) ([]byte, bool) {
	i := 0
	for i < len(attrs) {
		for i < len(attrs) && isSpace(attrs[i]) {
			i++
		}
		start := i
		for i < len(attrs) && attrs[i] != '=' && !isSpace(attrs[i]) {
			i++
		}
		key := attrs[start:i]
		for i < len(attrs) && isSpace(attrs[i]) {
			i++
		}
		if i >= len(attrs) || attrs[i] != '=' {
			return nil, false
		}
		i++
		for i < len(attrs) && isSpace(attrs[i]) {
			i++
		}
		if i >= len(attrs) || (attrs[i] != '"' && attrs[i] != '\'') {
			return nil, false
		}
		q := attrs[i]
		i++
		vstart := i
		j := bytes.IndexByte(attrs[i:], q)
		if j < 0 {
			return nil, false
		}
		i += j + 1
		if string(key) == name {
			return attrs[vstart : vstart+j], true
		}
	}
	return nil, false
}

var errBadEntity = errors.New("invalid character entity")

// appendText appends raw XML character data to dst, decoding entities and
// character references and normalizing line ends as XML requires.
func appendText(dst, raw []byte) ([]byte, error) {
	if bytes.IndexByte(raw, '&') < 0 && bytes.IndexByte(raw, '\r') < 0 {
		return append(dst, raw...), nil
	}
	for i := 0; i < len(raw); {
		c := raw[i]
		switch c {
		case '\r':
			dst = append(dst, '\n')
			i++
			if i < len(raw) && raw[i] == '\n' {
				i++
			}
			continue
		case '&':
			j := bytes.IndexByte(raw[i:], ';')
			if j < 0 {
				return dst, errBadEntity
			}
			var err error
			dst, err = appendEntity(dst, raw[i+1:i+j])
			if err != nil {
				return dst, err
			}
			i += j + 1
			continue
		}
		dst = append(dst, c)
		i++
	}
	return dst, nil
}

// appendCDATA appends a CDATA section's text, normalizing line ends.
func appendCDATA(dst, raw []byte) []byte {
	if bytes.IndexByte(raw, '\r') < 0 {
		return append(dst, raw...)
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] == '\r' {
			dst = append(dst, '\n')
			if i+1 < len(raw) && raw[i+1] == '\n' {
				i++
			}
			continue
		}
		dst = append(dst, raw[i])
	}
	return dst
}

func appendEntity(dst, name []byte) ([]byte, error) {
	switch string(name) {
	case "amp":
		return append(dst, '&'), nil
	case "lt":
		return append(dst, '<'), nil
	case "gt":
		return append(dst, '>'), nil
	case "quot":
		return append(dst, '"'), nil
	case "apos":
		return append(dst, '\''), nil
	}
	if len(name) < 2 || name[0] != '#' {
		return dst, errBadEntity
	}
	digits, base := name[1:], 10
	if digits[0] == 'x' {
		digits, base = digits[1:], 16
	}
	if len(digits) == 0 || len(digits) > 8 {
		return dst, errBadEntity
	}
	var r rune
	for _, d := range digits {
		var v rune
		switch {
		case d >= '0' && d <= '9':
			v = rune(d - '0')
		case base == 16 && d >= 'a' && d <= 'f':
			v = rune(d-'a') + 10
		case base == 16 && d >= 'A' && d <= 'F':
			v = rune(d-'A') + 10
		default:
			return dst, errBadEntity
		}
		r = r*rune(base) + v
	}
	if !utf8.ValidRune(r) {
		return dst, errBadEntity
	}
	return utf8.AppendRune(dst, r), nil
}

func appendRune(dst []byte, r rune) []byte { return utf8.AppendRune(dst, r) }
