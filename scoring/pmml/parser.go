package pmml

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/scoregate/scoregate"
)

// parser reads a document through the scanner, counts element depth and
// bytes read, and turns whatever goes wrong into the error a publisher
// should see. Every element reader of the package reads through it, so the
// limits hold for the parts it decodes and the parts it passes over alike.
//
// It hands elements out as xml.StartElement, as it did when it wrapped an
// xml.Decoder, and with the same lifetime: an element and its attributes
// stay valid after later tokens (only CharData, Comment, ProcInst and
// Directive bytes from next are valid until the next call). skip and the
// text between children never leave the scanner's buffer, which is what
// makes passing over a model body cheap.
type parser struct {
	sc    *scanner
	in    *meter
	lim   Limits
	depth int
	// space is the namespace of the root element; only elements in it are
	// PMML elements.
	space string
	// attrSlab is carved into the attribute lists of the elements handed out:
	// one allocation for many elements instead of one each.
	attrSlab []xml.Attr
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
	return &parser{sc: newScanner(in), in: in, lim: lim}
}

// scanToken scans the next token, keeping the depth. It fails when an
// element opens deeper than Limits.MaxDepth.
func (p *parser) scanToken() (tokenKind, error) {
	k, err := p.sc.next()
	if err != nil {
		return tokNone, err
	}
	switch k {
	case tokStart:
		p.depth++
		if p.depth > p.lim.MaxDepth {
			return tokNone, p.errorf("elements are nested more than %d deep", p.lim.MaxDepth)
		}
	case tokEnd:
		p.depth--
	}
	return k, nil
}

// next returns the next token, as xml.Decoder.Token did: a StartElement
// (followed by its EndElement when it is self-closing), EndElement,
// CharData (entities decoded), Comment, ProcInst or Directive. It fails
// when an element opens deeper than Limits.MaxDepth, and returns io.EOF
// only at the end of a document whose elements are all closed (a truncated
// one is a syntax error).
func (p *parser) next() (xml.Token, error) {
	k, err := p.scanToken()
	if err != nil {
		return nil, err
	}
	switch k {
	case tokStart:
		return p.scannedStart(), nil
	case tokEnd:
		return xml.EndElement{Name: p.sc.elementName()}, nil
	case tokText:
		return xml.CharData(p.sc.textBytes()), nil
	case tokComment:
		return xml.Comment(p.sc.raw()), nil
	case tokProcInst:
		return xml.ProcInst{Target: p.sc.target, Inst: p.sc.raw()}, nil
	}
	return xml.Directive(p.sc.directive), nil
}

// scannedStart returns the element whose start tag was just scanned.
func (p *parser) scannedStart() xml.StartElement {
	se := xml.StartElement{Name: p.sc.elementName()}
	if n := len(p.sc.attrs); n > 0 {
		if len(p.attrSlab) < n {
			p.attrSlab = make([]xml.Attr, max(n, 256))
		}
		// The capacity ends with the list, so that appending to one never
		// writes into the next.
		se.Attr, p.attrSlab = p.attrSlab[:n:n], p.attrSlab[n:]
		p.sc.fillAttrs(se.Attr)
	}
	return se
}

// skip passes over the rest of the element whose start was just read. Every
// token is still scanned, so the element's content is checked for
// well-formedness and depth, but nothing of it is decoded or kept.
func (p *parser) skip() error {
	level := p.depth
	for {
		k, err := p.scanToken()
		if err != nil {
			return err
		}
		if k == tokEnd && p.depth < level {
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
		k, err := p.scanToken()
		if err != nil {
			return err
		}
		switch k {
		case tokStart:
			if err := fn(p.scannedStart()); err != nil {
				return err
			}
		case tokEnd:
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

// line returns the line the scanner has reached: the end of the last token.
func (p *parser) line() int { return p.sc.line() }

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
	if p.in.err != nil && errors.Is(err, p.in.err) || errors.Is(err, io.ErrNoProgress) {
		return fmt.Errorf("read PMML document: %w", err)
	}
	var syn *syntaxError
	if errors.As(err, &syn) {
		return invalidf(syn.line, "not well-formed XML: %s", syn.msg)
	}
	if err == io.EOF {
		return invalidf(p.line(), "the document ends before its root element is closed")
	}
	// Not expected: the scanner reports the document's faults as syntax
	// errors or as InvalidModel errors of its own.
	return invalidf(p.line(), "%v", err)
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

// floatOr parses the numeric attribute name, or returns def when it is
// absent.
func (p *parser) floatOr(se xml.StartElement, name string, def float64) (float64, error) {
	f, err := p.floatAttr(se, name)
	if err != nil || f == nil {
		return def, err
	}
	return *f, nil
}
