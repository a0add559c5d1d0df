package pmml

import (
	"io"
	"sync"

	"github.com/scoregate/scoregate"
)

// Model is a compiled PMML model: an evaluation plan that scores rows
// without going back to the document. It is safe for concurrent use.
type Model struct {
	info  scoregate.ModelInfo
	slots []slotDef
	// inputs prepare the fields of a Row, in Schema().Input order.
	inputs []fieldPrep
	// outputs are the slots of Schema().Output, in order.
	outputs []int32
	top     *compiledModel
	// resultWidths has, per model element, the number of its classes;
	// it sizes the results of a state.
	resultWidths  []int
	resultScratch []int
	pool          sync.Pool
}

// Compile reads a PMML document and compiles its first scorable model into
// a Model. Zero fields of lim take their defaults. The schema is the one
// Inspect reports for the same document.
//
// Anything the evaluator does not implement (a model type, an expression,
// a function, an attribute value) fails Compile with a BadUserArgument
// (InvalidModel) error naming the element and its line, rather than
// scoring it wrongly. Other errors are as for Inspect.
func Compile(r io.Reader, lim Limits) (*Model, error) {
	lim = lim.withDefaults()
	d := &decoder{lim: lim, raws: map[*model]*rawModel{}}
	doc, err := parseDocument(r, lim, d.body)
	if err != nil {
		return nil, err
	}
	c := &compiler{doc: doc, d: d, space: d.space, funcs: map[string]*userFunc{}}
	return c.compile()
}

// compiler builds a Model from a decoded document.
type compiler struct {
	doc           *document
	d             *decoder
	space         string
	slots         []slotDef
	funcs         map[string]*userFunc
	resultWidths  []int
	resultScratch []int
}

func (c *compiler) compile() (*Model, error) {
	global := newScope(nil)
	for _, f := range c.doc.fields {
		c.define(global, slotDef{name: f.name, dt: dataTypeByName[f.dataType], opType: f.opType})
	}
	for _, x := range c.d.transforms {
		var err error
		if x.name == "DefineFunction" {
			err = c.defineFunction(x)
		} else {
			err = c.derivedField(global, x)
		}
		if err != nil {
			return nil, err
		}
	}
	m := &Model{info: c.doc.info()}
	for _, mf := range c.doc.model.miningSchema {
		if mf.usage != usageActive {
			continue
		}
		prep, err := c.fieldPrep(mf, global)
		if err != nil {
			return nil, err
		}
		m.inputs = append(m.inputs, prep)
	}
	top, err := c.model(&c.doc.model, global, true)
	if err != nil {
		return nil, err
	}
	if m.outputs, err = c.finalOutputs(top, m.info.Output.Fields); err != nil {
		return nil, err
	}
	// Compile what nothing referred to, so a wrong unused field still
	// fails here and not never.
	for i := range c.slots {
		if err := c.compileSlot(int32(i)); err != nil {
			return nil, err
		}
	}
	for _, f := range c.funcs {
		if err := c.compileFunc(f); err != nil {
			return nil, err
		}
	}
	m.slots, m.top, m.resultWidths, m.resultScratch = c.slots, top, c.resultWidths, c.resultScratch
	m.pool.New = func() any { return m.newState() }
	return m, nil
}

// Schema returns the model's inputs and outputs: what Inspect returns for
// the same document. Input fields are the Row indexes and output fields
// the indexes of the output buffer. The slices are shared: do not modify
// them.
func (m *Model) Schema() scoregate.ModelInfo { return m.info }
