package pmml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// scanner is the XML tokenizer under the parser. encoding/xml reads a byte
// at a time through an interface and allocates for every token, which held
// Inspect to about 20 MB/s; the 90 MB forests sklearn2pmml writes made that
// seconds per upload. The scanner instead works on a large buffer with
// table-driven byte loops, and keeps a token as spans of that buffer: it
// allocates nothing for a token nobody looks at, and turns names and
// attribute values into strings only when the parser asks for an element
// (parser.scannedStart).
//
// A token is always scanned whole from the buffer. When it runs past the
// data read so far, the scan reports errMore, the buffer is refilled (and
// doubled when the token fills it), and the token is scanned again from
// its start, so no scanning function keeps state across reads. Buffer
// offsets stay valid until the next call of next.
//
// It checks well-formedness as encoding/xml does in strict mode (same
// messages for the same faults) and further: duplicate attributes,
// attributes run together, a DOCTYPE or an XML declaration out of place.
// Entities are the five predefined ones and character references; a DOCTYPE
// is passed over and nothing it declares is ever expanded.
type scanner struct {
	src      io.Reader
	buf      []byte
	pos, end int  // buf[pos:end] is read but not yet scanned
	eof      bool // src is exhausted: the data ends at end
	err      error

	// lines counts the newlines in the data before buf[linePos]; line
	// numbers are computed only when asked, with bytes.Count.
	lines, linePos int

	text  bufSpan // content of a text, comment or processing instruction
	dirty bool    // text holds entities or carriage returns to decode
	cdata bool    // text is a CDATA section: nothing to decode but CRs
	attrs []rawAttr
	// target is the target of a processing instruction; directive the
	// body of a DOCTYPE, with comments replaced by a space.
	target    string
	directive []byte

	// closing is set after a self-closing start tag: the next token is
	// its end. popping is set after an end token: the element leaves the
	// stack at the next call, so that its name stays readable until then.
	closing, popping bool
	stack            []openElem
	names            []byte // the qualified names of the open elements
	ns               []nsBinding
	markup, root     bool // a token other than text, a start tag, was read

	intern  map[string]string
	recent  [64]string // a cache in front of intern
	scratch []byte     // decoded text of the current token
	vals    []byte     // decoded attribute values, for fillAttrs
	valEnd  []int      // end of each value in vals, or -1 when interned
	dups    map[string]struct{}
}

// tokenKind is the kind of the current token.
type tokenKind uint8

const (
	tokNone      tokenKind = iota
	tokStart               // a start tag; a self-closing one is followed by tokEnd
	tokEnd                 // an end tag
	tokText                // character data, or a CDATA section
	tokComment             // <!-- ... -->
	tokProcInst            // <?target ...?>, the XML declaration included
	tokDirective           // <!DOCTYPE ...>
)

// bufSpan is a part of the scanner's buffer.
type bufSpan struct{ start, end int }

// rawAttr is an attribute of the current start tag. colon is the offset of
// the prefix separator in buf, or -1.
type rawAttr struct {
	name  bufSpan
	colon int
	value bufSpan
	dirty bool
}

// openElem is an element on the stack: its name is names[name:], and ns is
// the number of namespace bindings made before it.
type openElem struct{ name, colon, ns int }

// nsBinding is a namespace prefix ("" for the default) bound to a URL.
type nsBinding struct{ prefix, url string }

// syntaxError is where and how a document is not well-formed.
type syntaxError struct {
	line int
	msg  string
}

func (e *syntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

// errMore reports that a token runs past the data read so far.
var errMore = errors.New("pmml: token continues past the buffer")

const initialBuffer = 64 << 10

func newScanner(r io.Reader) *scanner {
	return &scanner{src: r, buf: make([]byte, initialBuffer), intern: make(map[string]string, 256)}
}

// next scans the next token. It returns io.EOF at the end of the data
// when no element is open, and keeps returning the first error it met.
func (s *scanner) next() (tokenKind, error) {
	if s.err != nil {
		return tokNone, s.err
	}
	if s.popping {
		s.pop()
	}
	if s.closing {
		s.closing, s.popping = false, true
		return tokEnd, nil
	}
	for {
		k, end, err := s.scan()
		if err == nil {
			s.pos = end
			s.markup = s.markup || k != tokText
			return k, nil
		}
		if err == errMore {
			err = s.fill()
		}
		if err != nil {
			s.err = err
			return tokNone, err
		}
	}
}

// scan reads the token at pos and returns its kind and end.
func (s *scanner) scan() (tokenKind, int, error) {
	i := s.pos
	if i == s.end {
		if !s.eof {
			return tokNone, 0, errMore
		}
		if len(s.stack) > 0 {
			return tokNone, 0, s.errorAt(i, "unexpected EOF")
		}
		return tokNone, 0, io.EOF
	}
	if s.buf[i] != '<' {
		return s.charData(i)
	}
	if i+1 == s.end {
		return tokNone, 0, s.short(i + 1)
	}
	switch s.buf[i+1] {
	case '/':
		return s.endTag(i + 2)
	case '?':
		return s.procInst(i + 2)
	case '!':
		return s.bang(i + 2)
	}
	return s.startTag(i + 1)
}

// fill makes room for more data after the token being scanned, which
// starts at pos, and reads until the buffer is full or the data ends.
// Reading a full buffer makes each rescan of a long token cover at least
// twice the data of the last, so rescanning stays linear.
func (s *scanner) fill() error {
	if s.pos > 0 {
		s.lines += bytes.Count(s.buf[s.linePos:s.pos], newlineBytes)
		s.end = copy(s.buf, s.buf[s.pos:s.end])
		s.pos, s.linePos = 0, 0
	}
	if s.end == len(s.buf) {
		buf := make([]byte, 2*len(s.buf))
		copy(buf, s.buf[:s.end])
		s.buf = buf
	}
	for empty := 0; s.end < len(s.buf); {
		n, err := s.src.Read(s.buf[s.end:])
		s.end += n
		switch {
		case err == io.EOF:
			s.eof = true
			return nil
		case err != nil:
			return err
		case n > 0:
			empty = 0
		default:
			if empty++; empty > 100 {
				return io.ErrNoProgress
			}
		}
	}
	return nil
}

var newlineBytes = []byte{'\n'}

// line returns the line of pos: the end of the last token.
func (s *scanner) line() int {
	s.lines += bytes.Count(s.buf[s.linePos:s.pos], newlineBytes)
	s.linePos = s.pos
	return s.lines + 1
}

// errorAt returns a syntax error at offset i of the buffer.
func (s *scanner) errorAt(i int, format string, args ...any) error {
	line := s.line() + bytes.Count(s.buf[s.pos:min(i, s.end)], newlineBytes)
	return &syntaxError{line: line, msg: fmt.Sprintf(format, args...)}
}

// short reports a token cut off at offset i, the end of the data read:
// more is needed, or, when there is no more, the document is truncated.
func (s *scanner) short(i int) error {
	if s.eof {
		return s.errorAt(i, "unexpected EOF")
	}
	return errMore
}

// push opens the element of the start tag just scanned and applies its
// namespace declarations.
func (s *scanner) push(name bufSpan, colon int) {
	e := openElem{name: len(s.names), colon: -1, ns: len(s.ns)}
	if colon >= 0 {
		e.colon = colon - name.start
	}
	s.names = append(s.names, s.buf[name.start:name.end]...)
	s.stack = append(s.stack, e)
	for i := range s.attrs {
		a := &s.attrs[i]
		switch n := s.buf[a.name.start:a.name.end]; {
		case string(n) == "xmlns":
			s.ns = append(s.ns, nsBinding{"", s.value(a)})
		case a.colon >= 0 && string(s.buf[a.name.start:a.colon]) == "xmlns":
			s.ns = append(s.ns, nsBinding{s.internBytes(n[a.colon+1-a.name.start:]), s.value(a)})
		}
	}
	s.root = true
}

// pop closes the element of the last end tag, dropping its namespace
// declarations.
func (s *scanner) pop() {
	e := s.stack[len(s.stack)-1]
	s.stack = s.stack[:len(s.stack)-1]
	s.names, s.ns = s.names[:e.name], s.ns[:e.ns]
	s.popping = false
}

// raw returns the undecoded content of a comment or processing instruction.
func (s *scanner) raw() []byte { return s.buf[s.text.start:s.text.end] }

// textBytes returns the character data of a text token, decoded. It is
// valid until the next call of next.
func (s *scanner) textBytes() []byte {
	raw := s.raw()
	if !s.dirty {
		return raw
	}
	s.scratch = decodeChars(s.scratch[:0], raw, !s.cdata)
	return s.scratch
}
