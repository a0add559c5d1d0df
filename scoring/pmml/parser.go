package pmml

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/scoregate/scoregate"
)

// parser is an xml.Decoder that counts element depth and bytes read, and
// turns whatever goes wrong into the error a publisher should see. Every
// element reader of the package reads through it, so the limits hold for the
// parts it decodes and the parts it passes over alike.
type parser struct {
	d     *xml.Decoder
	in    *meter
	lim   Limits
	depth int
	// space is the namespace of the root element; only elements in it are
	// PMML elements.
	space string
}

// meter counts the bytes read from the document and remembers an error of
// the underlying reader, which is not the document's fault.
type meter struct {
	r   io.Reader
	n   int64
	err error
}

func (m *meter) Read(b []byte) (int, error) {
	n, err := m.r.Read(b)
	m.n += int64(n)
	if err != nil && err != io.EOF {
		m.err = err
	}
	return n, err
}

func newParser(r io.Reader, lim Limits) *parser {
	limit := lim.MaxBytes
	if limit < math.MaxInt64 {
		limit++ // one byte more than allowed tells "too large" from "exactly at the limit"
	}
	in := &meter{r: io.LimitReader(r, limit)}
	d := xml.NewDecoder(bufio.NewReaderSize(in, 64<<10))
	d.CharsetReader = charsetReader
	return &parser{d: d, in: in, lim: lim}
}

// next returns the next token. It fails when an element opens deeper than
// Limits.MaxDepth, and returns io.EOF only at the end of a document whose
// elements are all closed (the decoder reports a truncated one as a syntax
// error).
func (p *parser) next() (xml.Token, error) {
	tok, err := p.d.Token()
	if err != nil {
		return nil, err
	}
	switch tok.(type) {
	case xml.StartElement:
		p.depth++
		if p.depth > p.lim.MaxDepth {
			return nil, p.errorf("elements are nested more than %d deep", p.lim.MaxDepth)
		}
	case xml.EndElement:
		p.depth--
	}
	return tok, nil
}

// skip passes over the rest of the element whose start was just read. It
// is xml.Decoder.Skip plus the depth limit, which Skip does not know: every
// token is still read, so the element's content is checked for
// well-formedness and depth, but nothing of it is kept.
func (p *parser) skip() error {
	level := p.depth
	for {
		tok, err := p.next()
		if err != nil {
			return err
		}
		if _, ok := tok.(xml.EndElement); ok && p.depth < level {
			return nil
		}
	}
}

// children calls fn for each child element of the element whose start was
// just read, until its end. fn must consume the child, by decoding it or by
// calling p.skip. Text between children is ignored.
func (p *parser) children(fn func(xml.StartElement) error) error {
	level := p.depth
	for {
		tok, err := p.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := fn(t); err != nil {
				return err
			}
		case xml.EndElement:
			if p.depth < level {
				return nil
			}
		}
	}
}

// is reports whether se is the PMML element local.
func (p *parser) is(se xml.StartElement, local string) bool {
	return se.Name.Local == local && se.Name.Space == p.space
}

// line returns the line the decoder has reached: the end of the last token.
func (p *parser) line() int {
	line, _ := p.d.InputPos()
	return line
}

// errorf returns an InvalidModel error about the current line.
func (p *parser) errorf(format string, args ...any) *scoregate.Error {
	return invalidf(p.line(), format, args...)
}

// invalidf returns an InvalidModel error about line (0: unknown).
func invalidf(line int, format string, args ...any) *scoregate.Error {
	msg := fmt.Sprintf(format, args...)
	if line > 0 {
		msg = fmt.Sprintf("invalid PMML at line %d: %s", line, msg)
	} else {
		msg = "invalid PMML: " + msg
	}
	return &scoregate.Error{Class: scoregate.BadUserArgument, Code: scoregate.CodeInvalidModel, Message: msg}
}

// fail turns an error met while reading into the one to return. Size comes
// first: a document cut off at the limit fails to parse too, and the reason
// is its size.
func (p *parser) fail(err error) error {
	if p.in.n > p.lim.MaxBytes {
		return p.tooLarge()
	}
	var se *scoregate.Error
	if errors.As(err, &se) {
		return se
	}
	if p.in.err != nil && errors.Is(err, p.in.err) {
		return fmt.Errorf("read PMML document: %w", err)
	}
	var syn *xml.SyntaxError
	if errors.As(err, &syn) {
		return invalidf(syn.Line, "not well-formed XML: %s", syn.Msg)
	}
	if err == io.EOF {
		return invalidf(p.line(), "the document ends before its root element is closed")
	}
	// The decoder's own plain errors: unsupported XML version or encoding.
	// The message says it all, so there is no cause to keep.
	return invalidf(p.line(), "%s", strings.TrimPrefix(err.Error(), "xml: "))
}

// tooLarge returns the error for a document over Limits.MaxBytes.
func (p *parser) tooLarge() *scoregate.Error {
	return &scoregate.Error{
		Class: scoregate.RequestEntityTooLarge, Code: scoregate.CodeModelTooLarge,
		Message: fmt.Sprintf("the PMML document is larger than the limit of %d bytes", p.lim.MaxBytes),
	}
}

// attr returns the value of the unqualified attribute name, and whether it
// is present.
func attr(se xml.StartElement, name string) (string, bool) {
	for _, a := range se.Attr {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value, true
		}
	}
	return "", false
}

// attrOr returns the attribute name, or def when it is absent.
func attrOr(se xml.StartElement, name, def string) string {
	if v, ok := attr(se, name); ok {
		return v
	}
	return def
}

// floatAttr parses the numeric attribute name; nil when it is absent.
func (p *parser) floatAttr(se xml.StartElement, name string) (*float64, error) {
	s, ok := attr(se, name)
	if !ok {
		return nil, nil
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) {
		return nil, p.errorf("%s %s=%q is not a number", se.Name.Local, name, s)
	}
	return &f, nil
}

// charsetReader lets a document declare ISO-8859-1, which older exporters
// write, or US-ASCII, besides UTF-8 (which the decoder reads itself).
func charsetReader(label string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf8", "us-ascii", "ascii":
		return r, nil
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1":
		br, ok := r.(io.ByteReader)
		if !ok {
			br = bufio.NewReader(r)
		}
		return &latin1{r: br}, nil
	}
	return nil, fmt.Errorf("encoding %q is not supported; save the document as UTF-8", label)
}

// latin1 converts ISO-8859-1 to UTF-8: bytes from 0x80 become two bytes.
type latin1 struct {
	r       io.ByteReader
	pending byte
	has     bool
}

func (l *latin1) ReadByte() (byte, error) {
	if l.has {
		l.has = false
		return l.pending, nil
	}
	c, err := l.r.ReadByte()
	if err != nil || c < 0x80 {
		return c, err
	}
	l.pending, l.has = 0x80|c&0x3f, true
	return 0xc0 | c>>6, nil
}

func (l *latin1) Read(b []byte) (int, error) {
	for i := range b {
		c, err := l.ReadByte()
		if err != nil {
			return i, err
		}
		b[i] = c
	}
	return len(b), nil
}

// floatOr parses the numeric attribute name, or returns def when it is
// absent.
func (p *parser) floatOr(se xml.StartElement, name string, def float64) (float64, error) {
	f, err := p.floatAttr(se, name)
	if err != nil || f == nil {
		return def, err
	}
	return *f, nil
}
