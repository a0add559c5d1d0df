package pmml

import (
	"slices"

	"github.com/scoregate/scoregate"
)

// Output features, as OutputField feature attributes name them.
const (
	featurePredictedValue = "predictedValue"
	featureProbability    = "probability"
)

// info returns the schema of the document's model, as Inspect documents it.
func (doc *document) info() scoregate.ModelInfo {
	m := &doc.model
	info := scoregate.ModelInfo{Kind: m.kind, FunctionName: m.functionName}
	for _, mf := range m.miningSchema {
		if mf.usage != usageActive {
			continue
		}
		df := doc.dataField(mf)
		info.Input.Fields = append(info.Input.Fields, scoregate.Field{
			Name:      mf.name,
			DataType:  df.dataType,
			OpType:    opTypeFor(mf, df),
			Values:    slices.Clone(df.valid),
			Intervals: slices.Clone(df.intervals),
			Optional:  mf.hasReplacement,
		})
	}
	for _, f := range m.output {
		if f.finalResult {
			info.Output.Fields = append(info.Output.Fields, doc.outputField(f))
		}
	}
	if len(info.Output.Fields) == 0 {
		info.Output.Fields = doc.defaultOutput()
	}
	return info
}

// opTypeFor returns the optype of a MiningField: its own, else its
// DataField's.
func opTypeFor(mf miningField, df *dataField) string {
	if mf.opType != "" {
		return mf.opType
	}
	return df.opType
}

// outputField describes an OutputField, inferring what it leaves out.
func (doc *document) outputField(f outputField) scoregate.Field {
	out := scoregate.Field{Name: f.name, DataType: f.dataType, OpType: f.opType, Feature: f.feature}
	if f.feature == featureProbability {
		out.TargetValue = f.value
	}
	var target *scoregate.Field
	if f.feature == featurePredictedValue {
		target = doc.targetField(f.targetField)
	}
	if out.DataType == "" {
		out.DataType = featureType(f.feature)
		if target != nil {
			out.DataType = target.DataType
		} else if f.feature == featurePredictedValue {
			out.DataType, _ = doc.model.untargetedType()
		}
	}
	if out.OpType == "" {
		out.OpType = opTypeOf(out.DataType)
		if target != nil {
			out.OpType = target.OpType
		}
	}
	if target != nil && out.OpType != scoregate.OpContinuous {
		out.Values = target.Values
	}
	return out
}

// targetField describes the target a predictedValue OutputField reports:
// the MiningField named by its targetField, else the model's first target.
// It is nil when the model has no target.
func (doc *document) targetField(name string) *scoregate.Field {
	i := slices.IndexFunc(doc.model.miningSchema, func(mf miningField) bool { return mf.name == name })
	if i < 0 {
		i = slices.IndexFunc(doc.model.miningSchema, miningField.isTarget)
	}
	if i < 0 {
		return nil
	}
	mf := doc.model.miningSchema[i]
	df := doc.dataField(mf)
	return &scoregate.Field{
		Name: mf.name, DataType: df.dataType, OpType: opTypeFor(mf, df),
		Values: slices.Clone(df.valid), Feature: featurePredictedValue,
	}
}

// featureType returns the dataType of an output feature that leaves it out,
// except predictedValue, whose type is its target's.
func featureType(feature string) string {
	switch feature {
	case featureProbability, "affinity", "clusterAffinity", "entityAffinity", "residual",
		"standardError", "standardDeviation", "confidence", "support", "lift", "leverage",
		"transformedValue", "confidenceIntervalLower", "confidenceIntervalUpper":
		return scoregate.TypeDouble
	case "clusterId":
		return scoregate.TypeInteger
	}
	return scoregate.TypeString
}

// untargetedType returns the type of the predicted value of a model without
// a target: a label for classification and clustering, a number otherwise.
func (m *model) untargetedType() (dataType, opType string) {
	switch m.functionName {
	case "classification", "clustering":
		return scoregate.TypeString, scoregate.OpCategorical
	}
	return scoregate.TypeDouble, scoregate.OpContinuous
}

// defaultOutput describes the results of a model without OutputFields.
func (doc *document) defaultOutput() []scoregate.Field {
	m := &doc.model
	targets := m.targetFields()
	if len(targets) == 0 {
		dt, ot := m.untargetedType()
		return []scoregate.Field{{Name: featurePredictedValue, DataType: dt, OpType: ot, Feature: featurePredictedValue}}
	}
	var out []scoregate.Field
	for _, mf := range targets {
		t := doc.targetField(mf.name)
		out = append(out, *t)
		if m.functionName != "classification" && (m.functionName != "mixed" || t.OpType == scoregate.OpContinuous) {
			continue
		}
		for _, c := range doc.categories(mf, len(targets) == 1) {
			name := "probability(" + c + ")"
			if len(targets) > 1 {
				name = "probability(" + mf.name + "," + c + ")"
			}
			out = append(out, scoregate.Field{
				Name: name, DataType: scoregate.TypeDouble, OpType: scoregate.OpContinuous,
				Feature: featureProbability, TargetValue: c,
			})
		}
	}
	return out
}

// categories returns the classes of target mf, each once: its
// TargetValues, else its DataField's valid Values.
func (doc *document) categories(mf miningField, single bool) []string {
	var cs []string
	if t, ok := doc.model.target(mf.name, single); ok {
		for _, v := range t.values {
			if v.value != "" && !slices.Contains(cs, v.value) {
				cs = append(cs, v.value)
			}
		}
	}
	if len(cs) > 0 {
		return cs
	}
	for _, v := range doc.dataField(mf).valid {
		if !slices.Contains(cs, v) {
			cs = append(cs, v)
		}
	}
	return cs
}
