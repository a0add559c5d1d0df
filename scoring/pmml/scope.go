package pmml

// A slot is one field of the evaluation plan: a DataField, a DerivedField,
// a prepared MiningField of a nested model, an OutputField, or a parameter
// of a DefineFunction. Compile resolves every field name to a slot index
// once, so scoring reads fields from a flat []Value and never looks up a
// name.
type slotDef struct {
	name   string
	dt     dataType
	opType string
	// expr computes a derived slot on first use in a row; nil for the
	// slots that are set (inputs, outputs, parameters), which read as
	// missing until they are.
	expr expr
	// x and sc are the DerivedField a slot is compiled from and the scope
	// it is compiled in, until it is compiled. Fields are compiled on
	// first reference, so a DerivedField may use one defined after it,
	// and a cycle is found (status compiling) instead of recursing.
	x      *xnode
	sc     *scope
	status uint8
}

// Compile status of a derived slot.
const (
	slotPending uint8 = iota
	slotCompiling
	slotDone
)

// scope maps the field names visible at one level of the document (the
// DataDictionary and TransformationDictionary at the top, then each
// model's MiningSchema, LocalTransformations and, in a model chain, the
// OutputFields of earlier segments) to slots. Lookups fall back to the
// enclosing scope, as JPMML resolves names.
type scope struct {
	parent *scope
	names  map[string]int32
	// fn is set in the scope of a DefineFunction body, where only the
	// parameters are visible.
	fn bool
}

func newScope(parent *scope) *scope {
	return &scope{parent: parent, names: map[string]int32{}}
}

// lookup returns the slot of name.
func (sc *scope) lookup(name string) (int32, bool) {
	for s := sc; s != nil; s = s.parent {
		if i, ok := s.names[name]; ok {
			return i, true
		}
		if s.fn {
			break
		}
	}
	return 0, false
}

// newSlot adds a slot and returns its index.
func (c *compiler) newSlot(def slotDef) int32 {
	c.slots = append(c.slots, def)
	return int32(len(c.slots) - 1)
}

// define adds a slot named name to sc.
func (c *compiler) define(sc *scope, def slotDef) int32 {
	i := c.newSlot(def)
	sc.names[def.name] = i
	return i
}

// ref resolves a field reference made by element x, compiling the field
// first if it is a DerivedField not compiled yet.
func (c *compiler) ref(sc *scope, x *xnode, name string) (int32, error) {
	i, ok := sc.lookup(name)
	if !ok {
		return 0, x.errorf("refers to field %q, which is not defined where it is used", name)
	}
	if err := c.compileSlot(i); err != nil {
		return 0, err
	}
	return i, nil
}

// compileSlot compiles derived slot i if it is pending.
func (c *compiler) compileSlot(i int32) error {
	def := &c.slots[i]
	switch {
	case def.x == nil || def.status == slotDone:
		return nil
	case def.status == slotCompiling:
		return def.x.errorf("DerivedField %q depends on itself", def.name)
	}
	def.status = slotCompiling
	e, err := c.derivedExpr(def.sc, def.x)
	def = &c.slots[i] // compiling may have grown c.slots
	if err != nil {
		return err
	}
	def.expr, def.status, def.x, def.sc = e, slotDone, nil, nil
	return nil
}

// derivedField adds a DerivedField to sc, to be compiled on first use (or
// at the end of Compile, so an unused field that is wrong still fails).
func (c *compiler) derivedField(sc *scope, x *xnode) error {
	name, err := x.need("name")
	if err != nil {
		return err
	}
	dt, err := c.dataTypeAttr(x, "dataType", "")
	if err != nil {
		return err
	}
	c.define(sc, slotDef{name: name, dt: dt, opType: x.attrOr("optype", ""), x: x, sc: sc})
	return nil
}

// dataTypeAttr resolves the dataType attribute of x; def when it is
// absent ("" for double).
func (c *compiler) dataTypeAttr(x *xnode, attr, def string) (dataType, error) {
	name := x.attrOr(attr, def)
	if name == "" {
		return dtDouble, nil
	}
	dt, ok := dataTypeByName[name]
	if !ok {
		return 0, x.errorf("has unknown %s %q", attr, name)
	}
	return dt, nil
}
