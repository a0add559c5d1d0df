package pmml

import (
	"encoding/xml"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/scoregate/scoregate"
)

// xnode is an element decoded whole: name, attributes, text and children.
// Compile keeps the small, irregular parts of a model this way
// (expressions, regression tables, output fields) and compiles them once
// the scopes they refer to are known. Tree nodes, which are almost all of a
// large document, never become xnodes: they go straight into arrays.
type xnode struct {
	name  string // local name
	space string // namespace
	attrs []xml.Attr
	text  string
	kids  []*xnode
	line  int
}

// element decodes the element whose start was just read, with everything
// inside it. Text is kept as it is, white space included; the callers that
// want it trimmed trim it.
func (p *parser) element(se xml.StartElement) (*xnode, error) {
	x := &xnode{name: se.Name.Local, space: se.Name.Space, attrs: slices.Clone(se.Attr), line: p.line()}
	level := p.depth
	var text []byte
	for {
		tok, err := p.next()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			kid, err := p.element(t)
			if err != nil {
				return nil, err
			}
			kid.space = t.Name.Space
			x.kids = append(x.kids, kid)
		case xml.CharData:
			text = append(text, t...)
		case xml.EndElement:
			if p.depth < level {
				x.text = string(text)
				return x, nil
			}
		}
	}
}

// attr returns the unqualified attribute name and whether it is present.
func (x *xnode) attr(name string) (string, bool) {
	for _, a := range x.attrs {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value, true
		}
	}
	return "", false
}

// attrOr returns the attribute name, or def when it is absent.
func (x *xnode) attrOr(name, def string) string {
	if v, ok := x.attr(name); ok {
		return v
	}
	return def
}

// need returns the attribute name, failing when it is absent.
func (x *xnode) need(name string) (string, error) {
	v, ok := x.attr(name)
	if !ok {
		return "", x.errorf("has no %s attribute", name)
	}
	return v, nil
}

// float returns the numeric attribute name, or def when it is absent.
func (x *xnode) float(name string, def float64) (float64, error) {
	s, ok := x.attr(name)
	if !ok {
		return def, nil
	}
	return x.parseFloat(name, s)
}

func (x *xnode) parseFloat(name, s string) (float64, error) {
	f, err := parseNumber(s)
	if err != nil {
		return 0, x.errorf("has %s=%q, which is not a number", name, s)
	}
	return f, nil
}

// parseNumber parses a number as PMML writes them, including INF and NaN
// spelled the Java way.
func parseNumber(s string) (float64, error) {
	s = strings.TrimSpace(s)
	switch s {
	case "INF", "Infinity", "+INF":
		return math.Inf(1), nil
	case "-INF", "-Infinity":
		return math.Inf(-1), nil
	}
	return strconv.ParseFloat(s, 64)
}

// errorf returns an InvalidModel error about the element, naming it and
// its line.
func (x *xnode) errorf(format string, args ...any) *scoregate.Error {
	return elemErrorf(x.name, x.line, format, args...)
}

// elemErrorf returns an InvalidModel error about element name at line.
func elemErrorf(name string, line int, format string, args ...any) *scoregate.Error {
	e := invalidf(line, format, args...)
	e.Message = strings.Replace(e.Message, ": ", ": <"+name+"> ", 1)
	return e
}

// unsupported returns the error for an element or attribute value the
// evaluator does not implement: scoring it anyway could give a wrong
// score without anyone noticing.
func unsupported(name string, line int, what string) *scoregate.Error {
	return elemErrorf(name, line, "%s is not supported by scoregate", what)
}

// kid returns the first child named name, or nil.
func (x *xnode) kid(name string) *xnode {
	for _, k := range x.kids {
		if k.name == name {
			return k
		}
	}
	return nil
}
