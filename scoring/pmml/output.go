package pmml

import (
	"strconv"

	"github.com/scoregate/scoregate"
)

// Output features an outputPlan computes.
const (
	featPredicted uint8 = iota
	featDisplay
	featProbability
	featConfidence
	featExpr // transformedValue and decision: an expression
	featEntity
	featAffinity
	featClusterID
	featReasonCode
)

var featureCodes = map[string]uint8{
	featurePredictedValue: featPredicted, "predictedDisplayValue": featDisplay,
	featureProbability: featProbability, "confidence": featConfidence,
	"transformedValue": featExpr, "decision": featExpr, "entityId": featEntity,
	"affinity": featAffinity, "entityAffinity": featAffinity, "clusterAffinity": featAffinity,
	"clusterId": featClusterID, "reasonCode": featReasonCode,
}

// outputPlan computes one OutputField into its slot after its model ran.
type outputPlan struct {
	name    string
	slot    int32
	feature uint8
	// class is the category of a probability or confidence; -1 for the
	// predicted one, -2 for a category the model never predicts (0).
	class int32
	// src is the model whose result the field reads: its own, or with
	// segmentId the segment's.
	src  *compiledModel
	expr expr
	dt   dataType
	cast bool
	rank int // reasonCode and entityId: which one, from 1
	// target is the index of the OutputField's targetField among the
	// model's targets (0 for its first), for the predictions of a model
	// with several targets (result.targets).
	target int
}

// outputs compiles the OutputFields of a model, defining each in the
// model's scope so later ones (and later segments of a chain) can use it.
func (c *compiler) outputs(mc *modelCtx) error {
	cm, m := mc.cm, mc.hdr
	for i, f := range m.output {
		x := mc.raw.outputs[i]
		o := outputPlan{name: f.name, src: cm, class: -1}
		feature, ok := featureCodes[f.feature]
		if !ok {
			return unsupported("OutputField", f.line, "feature "+strconv.Quote(f.feature))
		}
		o.feature = feature
		if f.segmentID != "" {
			if o.src = cm.segments[f.segmentID]; o.src == nil {
				return elemErrorf("OutputField", f.line, "%q refers to segment %q, which the model does not have", f.name, f.segmentID)
			}
			o.src.needsResult = true
		}
		targetDT := mc.targetDT
		if f.targetField != "" && mc.target >= 0 && f.targetField != c.slots[mc.target].name {
			// Only a mixed model (a NearestNeighborModel) predicts
			// several targets; it fills result.targets.
			o.target = laterTarget(m, f.targetField)
			if o.target < 1 || m.functionName != "mixed" || (feature != featPredicted && feature != featDisplay) {
				return unsupported("OutputField", f.line, "targetField of a model with several targets")
			}
			if slot, ok := mc.sc.lookup(f.targetField); ok {
				targetDT = c.slots[slot].dt
			}
		}
		if f.rank != 1 && feature != featReasonCode && feature != featEntity {
			return unsupported("OutputField", f.line, "rank other than 1 for feature "+f.feature)
		}
		o.rank = f.rank
		switch feature {
		case featProbability, featConfidence:
			if o.src.function != "classification" {
				return elemErrorf("OutputField", f.line, "%q asks for a %s of a %s model", f.name, f.feature, o.src.function)
			}
			if f.value != "" {
				o.class = classOf(o.src, c.literal(f.value, mc.targetDT), f.value)
			}
		case featAffinity:
			if f.value != "" {
				o.class = classOf(o.src, c.literal(f.value, mc.targetDT), f.value)
			}
		case featExpr:
			e, err := c.exprKid(mc.sc, x)
			if err != nil {
				return err
			}
			o.expr = e
		}
		o.dt = dtDouble
		if f.dataType != "" {
			o.dt, o.cast = dataTypeByName[f.dataType], true
		} else if feature == featPredicted || feature == featDisplay || feature == featEntity {
			o.dt = targetDT
		}
		o.slot = c.define(mc.sc, slotDef{name: f.name, dt: o.dt, opType: f.opType})
		cm.outputs = append(cm.outputs, o)
		cm.outNames, cm.outSlots = append(cm.outNames, f.name), append(cm.outSlots, o.slot)
	}
	return nil
}

// laterTarget returns the index of target field name among the target
// MiningFields of m, or -1.
func laterTarget(m *model, name string) int {
	for i, t := range m.targetFields() {
		if t.name == name {
			return i
		}
	}
	return -1
}

// classOf finds a category among a model's classes: -2 when absent.
func classOf(cm *compiledModel, v Value, label string) int32 {
	if v.Kind == KindInvalid {
		v = Text(label)
	}
	for i, cl := range cm.classes {
		if equalValues(cl, v) {
			return int32(i)
		}
	}
	return -2
}

// finalOutputs returns the slots of the schema's outputs: the top model's
// final OutputFields, or for a model without them the fields Inspect
// describes (the target and its class probabilities), computed by plans
// added to the top model.
func (c *compiler) finalOutputs(top *compiledModel, fields []scoregate.Field) ([]int32, error) {
	slots := make([]int32, len(fields))
	if c.doc.model.hasOutput {
		final := map[string]int32{}
		for i, f := range c.doc.model.output {
			if f.finalResult {
				final[f.name] = top.outSlots[i]
			}
		}
		if len(final) > 0 {
			for i, f := range fields {
				slots[i] = final[f.Name]
			}
			return slots, nil
		}
	}
	if n := len(c.doc.model.targetFields()); n > 1 {
		return nil, unsupported(c.doc.model.kind, c.doc.model.line, "a model with several targets and no Output")
	}
	for i, f := range fields {
		o := outputPlan{name: f.Name, src: top, class: -1, feature: featPredicted}
		o.dt = dataTypeByName[f.DataType]
		if f.Feature == featureProbability {
			if top.function != "classification" {
				return nil, unsupported(top.kind, top.line, "class probabilities of a "+top.function+" model")
			}
			o.feature = featProbability
			o.class = classOf(top, convert(Text(f.TargetValue), dataTypeOfClasses(top)), f.TargetValue)
		}
		o.slot = c.newSlot(slotDef{name: f.Name, dt: o.dt})
		top.outputs = append(top.outputs, o)
		slots[i] = o.slot
	}
	return slots, nil
}

// dataTypeOfClasses returns the type the classes of a model were parsed
// as.
func dataTypeOfClasses(cm *compiledModel) dataType {
	for _, c := range cm.classes {
		if c.Kind == KindNumber {
			return dtDouble
		}
	}
	return dtString
}

// write computes the field for the current row.
func (o *outputPlan) write(s *state, cm *compiledModel, r *result) {
	if o.src != cm {
		r = &s.results[o.src.res]
		if r.gen != s.cur {
			s.set(o.slot, Value{}) // the segment did not run for this row
			return
		}
	}
	var v Value
	switch o.feature {
	case featPredicted, featDisplay:
		switch {
		case !r.ok:
		case o.target > 0:
			if o.target < len(r.targets) {
				v = r.targets[o.target]
			}
		default:
			v = r.value
			if o.feature == featDisplay && r.class >= 0 && o.src.display[r.class] != "" {
				v = Text(o.src.display[r.class])
			}
		}
	case featProbability, featConfidence:
		v = o.probability(r)
	case featExpr:
		v = o.expr.eval(s)
	case featEntity:
		switch {
		case !r.ok:
		case o.rank <= len(r.entities):
			v = Text(r.entities[o.rank-1])
		case o.rank == 1 && r.entity != "":
			v = Text(r.entity)
		}
	case featAffinity:
		class := o.class
		if class == -1 {
			class = r.class
		}
		if r.ok && r.hasAffinity && class >= 0 {
			v = Float(r.affinity[class])
		}
	case featClusterID:
		if r.ok && r.class >= 0 {
			v = Float(float64(r.class + 1)) // clusters are numbered from 1 in document order
		}
	case featReasonCode:
		if r.ok && o.rank <= len(r.reasons) {
			v = Text(r.reasons[o.rank-1])
		}
	}
	if o.cast && v.Kind != KindMissing {
		if cv := convert(v, o.dt); cv.Kind != KindInvalid {
			v = cv
		}
	}
	s.set(o.slot, v)
}

// probability reads the probability (or confidence) of the field's class.
func (o *outputPlan) probability(r *result) Value {
	if !r.ok {
		return Value{}
	}
	class := o.class
	if class == -1 {
		class = r.class
	}
	switch {
	case class == -2:
		return Float(0)
	case class < 0:
		return Value{}
	case o.feature == featConfidence && r.hasConf:
		return Float(r.conf[class])
	case r.hasProbs:
		return Float(r.probs[class])
	case class == r.class:
		return Float(1) // a model without probabilities is sure of its prediction
	}
	return Float(0)
}
