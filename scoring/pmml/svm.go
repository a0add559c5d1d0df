package pmml

import (
	"encoding/xml"
	"math"
	"strings"
)

// svmKind is a SupportVectorMachineModel: a kernel, a VectorDictionary of
// support vectors over VectorFields, and one SupportVectorMachine per
// regression, per category (OneAgainstAll) or per pair of categories
// (OneAgainstOne).
//
// The VectorInstances, which are almost all of the document, are decoded
// into slices as they stream; the kernel, the VectorFields and the
// machines (vector ids and coefficients) are kept as xnodes.
type svmKind struct {
	m        *model
	kernel   *xnode
	fields   *xnode
	vectors  []svmVector
	machines []*xnode
	hasDict  bool
}

// svmVector is one VectorInstance.
type svmVector struct {
	id     string
	values []float64
	line   int
}

func newSVMKind(m *model) kindCompiler { return &svmKind{m: m} }

func (k *svmKind) element(_ *decoder, p *parser, se xml.StartElement) error {
	switch name := se.Name.Local; name {
	case "LinearKernelType", "PolynomialKernelType", "RadialBasisKernelType", "SigmoidKernelType":
		if k.kernel != nil {
			return p.errorf("<%s> has a second kernel <%s>", k.m.kind, name)
		}
		x, err := p.element(se)
		k.kernel = x
		return err
	case "VectorDictionary":
		if k.hasDict {
			return p.errorf("<%s> has a second <VectorDictionary>", k.m.kind)
		}
		k.hasDict = true
		return k.vectorDictionary(p)
	case "SupportVectorMachine":
		x, err := p.element(se)
		if err == nil {
			k.machines = append(k.machines, x)
		}
		return err
	default:
		return unsupported(name, p.line(), "<"+name+"> in a SupportVectorMachineModel")
	}
}

// vectorDictionary decodes the VectorDictionary just started, turning each
// VectorInstance into numbers before reading the next.
func (k *svmKind) vectorDictionary(p *parser) error {
	return p.children(func(se xml.StartElement) error {
		switch {
		case se.Name.Space != p.space, p.is(se, "Extension"):
			return p.skip()
		case p.is(se, "VectorFields"):
			x, err := p.element(se)
			k.fields = x
			return err
		case p.is(se, "VectorInstance"):
			if k.fields == nil {
				return p.errorf("<VectorInstance> before <VectorFields>")
			}
			x, err := p.element(se)
			if err != nil {
				return err
			}
			v, err := readVectorInstance(x, vectorWidth(k.fields))
			if err == nil {
				k.vectors = append(k.vectors, v)
			}
			return err
		}
		return unsupported(se.Name.Local, p.line(), "<"+se.Name.Local+"> in a VectorDictionary")
	})
}

// vectorWidth is the number of VectorFields: the length of every vector.
func vectorWidth(fields *xnode) int {
	n := 0
	for _, kid := range fields.kids {
		if kid.space == fields.space && kid.name != "Extension" {
			n++
		}
	}
	return n
}

// readVectorInstance reads a VectorInstance's Array or REAL-SparseArray,
// which cannot be longer than width, the number of VectorFields.
func readVectorInstance(x *xnode, width int) (svmVector, error) {
	v := svmVector{line: x.line}
	var err error
	if v.id, err = x.need("id"); err != nil {
		return v, err
	}
	for _, kid := range x.kids {
		if kid.space != x.space || kid.name == "Extension" {
			continue
		}
		if v.values != nil {
			return v, x.errorf("has more than one array")
		}
		switch kid.name {
		case "Array":
			if v.values, err = parseRealArray(kid); err != nil {
				return v, err
			}
		case "REAL-SparseArray", "INT-SparseArray":
			if v.values, err = parseSparseArray(kid, width); err != nil {
				return v, err
			}
		default:
			return v, unsupported(kid.name, kid.line, "<"+kid.name+"> in a VectorInstance")
		}
	}
	if v.values == nil {
		return v, x.errorf("has no Array or REAL-SparseArray")
	}
	return v, nil
}

// parseRealArray reads a numeric Array.
func parseRealArray(x *xnode) ([]float64, error) {
	switch t := x.attrOr("type", "real"); t {
	case "real", "int":
	default:
		return nil, unsupported("Array", x.line, "an Array of type "+t+" where numbers are expected")
	}
	items, err := parseArray(x)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(items))
	for i, s := range items {
		if out[i], err = x.parseFloat("value", s); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// parseSparseArray reads a REAL-SparseArray (or INT-SparseArray) into a dense
// slice: Indices count from 1, entries not listed are defaultValue. Its
// length is n, else width; one beyond width is refused before anything is
// allocated.
func parseSparseArray(x *xnode, width int) ([]float64, error) {
	def, err := x.float("defaultValue", 0)
	if err != nil {
		return nil, err
	}
	var idx, vals []string
	for _, kid := range x.kids {
		switch kid.name {
		case "Indices":
			idx = strings.Fields(kid.text)
		case "REAL-Entries", "INT-Entries":
			vals = strings.Fields(kid.text)
		}
	}
	if len(idx) != len(vals) {
		return nil, x.errorf("has %d Indices but %d entries", len(idx), len(vals))
	}
	n := width
	if s, ok := x.attr("n"); ok {
		f, err := x.parseFloat("n", s)
		if err != nil || f < 0 || f != math.Trunc(f) || f > float64(width) {
			return nil, x.errorf("has n=%q for %d VectorFields", s, width)
		}
		n = int(f)
	}
	at := make([]int, len(idx))
	for i, s := range idx {
		f, err := x.parseFloat("Indices", s)
		if err != nil || f < 1 || f != math.Trunc(f) || f > float64(n) {
			return nil, x.errorf("has index %q out of range", s)
		}
		at[i] = int(f)
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = def
	}
	for i, s := range vals {
		if out[at[i]-1], err = x.parseFloat("entry", s); err != nil {
			return nil, err
		}
	}
	return out, nil
}
