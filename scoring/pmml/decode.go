package pmml

import (
	"encoding/xml"
)

// decoder is the bodyFunc of Compile: where Inspect passes over a model's
// body, it keeps it, as a rawModel per model element (the top-level one
// and every model nested in a Segment).
type decoder struct {
	lim Limits
	// space is the PMML namespace of the document.
	space string
	// transforms holds the DerivedFields and DefineFunctions of the
	// TransformationDictionary.
	transforms []*xnode
	raws       map[*model]*rawModel
	// segments and nodes count what the document holds, against
	// Limits.MaxSegments and Limits.MaxNodes.
	segments, nodes int
}

// rawModel is what the document says of one model element beyond its
// header (MiningSchema, Output attributes and Targets, which the shared
// parser puts in model).
type rawModel struct {
	hdr *model
	// outputs holds each OutputField whole (its expression or Decisions),
	// in the order of hdr.output.
	outputs []*xnode
	// locals holds the DerivedFields of LocalTransformations.
	locals []*xnode
	// kind decodes and compiles the model's body.
	kind kindCompiler
}

// kindCompiler is one model kind (TreeModel, RegressionModel, ...): it
// decodes the kind's body elements while the document is read, and
// compiles them into an evaluator once the whole document is known. See
// kinds.go for the registry and doc.go for how to add a kind.
type kindCompiler interface {
	// element decodes a child of the model element that is not common to
	// every kind (MiningSchema, Output, Targets, LocalTransformations,
	// ModelStats, ModelExplanation, ModelVerification, Extension). It must
	// consume the element, and reject one it does not know.
	element(d *decoder, p *parser, se xml.StartElement) error
	// compile builds the evaluator of the model, whose scope and target
	// mc describes.
	compile(mc *modelCtx) (evaluator, error)
}

// raw returns the rawModel of m, creating it (and its kind) on first use.
func (d *decoder) raw(m *model) (*rawModel, error) {
	if rm, ok := d.raws[m]; ok {
		return rm, nil
	}
	newKind, ok := modelKindRegistry[m.kind]
	if !ok {
		return nil, unsupported(m.kind, m.line, "this model type")
	}
	rm := &rawModel{hdr: m, kind: newKind(m)}
	d.raws[m] = rm
	return rm, nil
}

// body decodes a part of a model, or with m nil the
// TransformationDictionary; see bodyFunc.
func (d *decoder) body(p *parser, m *model, se xml.StartElement) error {
	d.space = p.space
	if m == nil {
		return d.transformationDictionary(p)
	}
	rm, err := d.raw(m)
	if err != nil {
		return err
	}
	switch {
	case se.Name.Space != p.space:
		return p.skip()
	case se.Name.Local == "OutputField":
		// Called by the Output decoder, which has just appended the
		// field; a stray OutputField directly in the model is not.
		if len(m.output) != len(rm.outputs)+1 {
			return p.errorf("<OutputField> outside <Output>")
		}
		x, err := p.element(se)
		if err != nil {
			return err
		}
		rm.outputs = append(rm.outputs, x)
		return nil
	case se.Name.Local == "LocalTransformations":
		return p.children(func(se xml.StartElement) error {
			if !p.is(se, "DerivedField") {
				return p.skip() // Extension
			}
			x, err := p.element(se)
			if err == nil {
				rm.locals = append(rm.locals, x)
			}
			return err
		})
	case se.Name.Local == "ModelStats", se.Name.Local == "ModelExplanation",
		se.Name.Local == "ModelVerification", se.Name.Local == "Extension":
		return p.skip() // they describe the model; scoring does not read them
	}
	return rm.kind.element(d, p, se)
}

// transformationDictionary keeps the DerivedFields and DefineFunctions of
// the TransformationDictionary just started.
func (d *decoder) transformationDictionary(p *parser) error {
	return p.children(func(se xml.StartElement) error {
		if !p.is(se, "DerivedField") && !p.is(se, "DefineFunction") {
			return p.skip()
		}
		x, err := p.element(se)
		if err == nil {
			d.transforms = append(d.transforms, x)
		}
		return err
	})
}

// nestedModel decodes a model element inside another (a Segment's model).
func (d *decoder) nestedModel(p *parser, se xml.StartElement) (*rawModel, error) {
	if !modelKinds[se.Name.Local] {
		return nil, p.errorf("<%s> is not a model element", se.Name.Local)
	}
	m := new(model)
	if err := p.model(m, se, d.body); err != nil {
		return nil, err
	}
	// A model without any body element has no rawModel yet.
	return d.raw(m)
}

// countNode counts a tree Node against Limits.MaxNodes.
func (d *decoder) countNode(p *parser) error {
	if d.nodes++; d.nodes > d.lim.MaxNodes {
		return p.errorf("the document has more than %d tree Nodes (Limits.MaxNodes)", d.lim.MaxNodes)
	}
	return nil
}

// countSegment counts a Segment against Limits.MaxSegments.
func (d *decoder) countSegment(p *parser) error {
	if d.segments++; d.segments > d.lim.MaxSegments {
		return p.errorf("the document has more than %d Segments (Limits.MaxSegments)", d.lim.MaxSegments)
	}
	return nil
}
