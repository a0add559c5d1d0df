package pmml

import (
	"encoding/xml"
)

// compiledModel is one model element of the plan: the top-level model or
// the model of a Segment.
type compiledModel struct {
	kind, function string
	line           int
	eval           evaluator
	// res is the index of the model's result in state.results.
	res int32
	// classes are the categories of a classification target, in the order
	// of its probabilities; display their display values.
	classes []Value
	display []string
	tgt     targetPlan
	outputs []outputPlan
	// outNames and outSlots are the model's OutputFields, which a model
	// chain makes visible to later segments.
	outNames []string
	outSlots []int32
	// segments are the models of a MiningModel's Segments by id, for
	// OutputFields with a segmentId.
	segments map[string]*compiledModel
	// needsResult is set when an OutputField of an enclosing model reads
	// this model's result by segmentId, so it must be run in full.
	needsResult bool
	// scratch is the number of float64s of scratch space the model's
	// evaluator needs in its result (result.scratch).
	scratch int
	// float is set by x-mathContext="float": the model computes in
	// float32, as XGBoost does, and its numbers are rounded to float32.
	float bool
}

// evaluator is what a model kind compiles to: it scores the current row
// into r. Missing or invalid inputs it cannot score leave r.ok false.
type evaluator interface {
	eval(s *state, r *result)
}

// modelCtx is what a kind's compile gets to know about its model.
type modelCtx struct {
	c   *compiler
	hdr *model
	raw *rawModel
	// sc is the model's scope: its prepared MiningFields and
	// LocalTransformations in front of the enclosing scope.
	sc *scope
	cm *compiledModel
	// target is the slot of the model's target field, or -1.
	target   int32
	targetDT dataType
}

// classification reports whether the model predicts a category.
func (mc *modelCtx) classification() bool { return mc.cm.function == "classification" }

// class returns the index of category label among the model's classes,
// adding it when it is new.
func (mc *modelCtx) class(label string) int32 {
	v := mc.c.literal(label, mc.targetDT)
	if v.Kind == KindInvalid || v.Kind == KindMissing {
		v = Text(label)
	}
	if v.Kind == KindNumber {
		v.Str = label
	}
	for i, c := range mc.cm.classes {
		if equalValues(c, v) {
			return int32(i)
		}
	}
	mc.cm.classes = append(mc.cm.classes, v)
	mc.cm.display = append(mc.cm.display, "")
	return int32(len(mc.cm.classes) - 1)
}

// model compiles a model element in the scope of its parent.
func (c *compiler) model(m *model, parent *scope, top bool) (*compiledModel, error) {
	rm, err := c.d.raw(m)
	if err != nil {
		return nil, err
	}
	cm := &compiledModel{kind: m.kind, function: m.functionName, line: m.line}
	switch f := attrOf(m.attrs, "x-mathContext"); f {
	case "", "double":
	case "float":
		cm.float = true
	default:
		return nil, unsupported(m.kind, m.line, "x-mathContext "+f)
	}
	switch m.functionName {
	case "regression", "classification":
	case "mixed", "clustering", "associationRules", "sequences", "timeSeries":
		if _, ok := modelFunctions[m.kind+"/"+m.functionName]; !ok {
			return nil, unsupported(m.kind, m.line, "functionName "+m.functionName)
		}
	default:
		return nil, elemErrorf(m.kind, m.line, "has unknown functionName %q", m.functionName)
	}
	sc := newScope(parent)
	mc := &modelCtx{c: c, hdr: m, raw: rm, sc: sc, cm: cm, target: -1, targetDT: dtString}
	for _, mf := range m.miningSchema {
		slot, ok := parent.lookup(mf.name)
		if !ok {
			return nil, elemErrorf("MiningField", mf.line, "%q is not a field of the enclosing model or the DataDictionary", mf.name)
		}
		if mf.isTarget() && mc.target < 0 {
			mc.target, mc.targetDT = slot, c.slots[slot].dt
		}
		if top || mf.usage != usageActive || isDefaultPrep(mf) {
			continue
		}
		prep, err := c.fieldPrep(mf, parent)
		if err != nil {
			return nil, err
		}
		def := c.slots[slot]
		c.define(sc, slotDef{name: mf.name, dt: def.dt, opType: def.opType, expr: prepExpr{src: slot, prep: &prep}, status: slotDone})
	}
	for _, x := range rm.locals {
		if err := c.derivedField(sc, x); err != nil {
			return nil, err
		}
	}
	if err := mc.initTarget(); err != nil {
		return nil, err
	}
	if cm.eval, err = rm.kind.compile(mc); err != nil {
		return nil, err
	}
	if err := mc.finishTarget(); err != nil {
		return nil, err
	}
	cm.res = int32(len(c.resultWidths))
	c.resultWidths = append(c.resultWidths, len(cm.classes))
	c.resultScratch = append(c.resultScratch, cm.scratch)
	if err := c.outputs(mc); err != nil {
		return nil, err
	}
	return cm, nil
}

// modelFunctions lists the kind/functionName pairs beyond regression and
// classification that a kind implements; kinds add theirs in kinds.go.
var modelFunctions = map[string]bool{}

// attrOf returns an attribute of a model element, "" when absent.
func attrOf(attrs []xml.Attr, name string) string {
	for _, a := range attrs {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

// run scores the model for the current row: its evaluator, then Targets,
// then its OutputFields.
func (cm *compiledModel) run(s *state) *result {
	r := &s.results[cm.res]
	r.reset()
	r.gen = s.cur
	cm.eval.eval(s, r)
	cm.tgt.apply(cm, r)
	for i := range cm.outputs {
		cm.outputs[i].write(s, cm, r)
	}
	return r
}

// roundFloat rounds to float32 in a float math context.
func (cm *compiledModel) roundFloat(f float64) float64 {
	if cm.float {
		return float64(float32(f))
	}
	return f
}
