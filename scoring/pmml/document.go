package pmml

import (
	"encoding/xml"

	"github.com/scoregate/scoregate"
)

// document is a PMML document decoded into plain values: what Inspect
// reports, and what a compiled model will evaluate without going back to
// XML. Attribute defaults of the PMML schema are applied while decoding.
type document struct {
	version string
	fields  []dataField
	// byName indexes fields by name.
	byName map[string]int
	model  model
}

// dataField is a DataDictionary entry.
type dataField struct {
	name        string
	displayName string
	opType      string // categorical, ordinal or continuous
	dataType    string // string, double, ..., dateDaysSince[1970], ...
	// valid, invalid and missing are the Values by property, in document
	// order: the valid categories, values to treat as invalid, and values
	// that mean missing (such as "NaN" or "?").
	valid, invalid, missing []string
	intervals               []scoregate.Interval
	cyclic                  bool
	line                    int
}

// Usage types of a MiningField.
const (
	usageActive         = "active"
	usageTarget         = "target"
	usagePredicted      = "predicted" // PMML 3.x name of target
	usageSupplementary  = "supplementary"
	usageGroup          = "group"
	usageOrder          = "order"
	usageFrequency      = "frequencyWeight"
	usageAnalysisWeight = "analysisWeight"
)

// miningField is one field of a model's MiningSchema.
type miningField struct {
	name string
	// field is the index of the DataField, set by document.check.
	field int
	usage string
	// opType overrides the DataField's when set.
	opType string
	// replacement is the missingValueReplacement, used in place of a missing
	// value; hasReplacement tells an empty replacement from none.
	replacement    string
	hasReplacement bool
	// missingTreatment says how the replacement was derived (asIs, asMean,
	// ...), or, for returnInvalid, that a missing value fails the row.
	missingTreatment string
	// invalidTreatment is returnInvalid (the default), asIs, asMissing or
	// asValue with invalidReplacement.
	invalidTreatment   string
	invalidReplacement string
	// outliers is asIs (the default), asMissingValues or asExtremeValues,
	// bounded by lowValue and highValue.
	outliers            string
	lowValue, highValue *float64
	line                int
}

// dataField returns the DataField of a MiningField of the checked document.
func (doc *document) dataField(mf miningField) *dataField { return &doc.fields[mf.field] }

// isTarget reports whether the field is what the model predicts.
func (f miningField) isTarget() bool { return f.usage == usageTarget || f.usage == usagePredicted }

// outputField is one OutputField of a model's Output.
type outputField struct {
	name        string
	dataType    string // as written; empty when the document leaves it out
	opType      string // as written; empty when the document leaves it out
	feature     string // predictedValue when absent
	value       string // the category of a probability, the cluster of an affinity, ...
	targetField string
	segmentID   string
	rank        int // 1 when absent
	finalResult bool
	line        int
}

// target is a Target of a model's Targets: the categories of a
// classification target and the rescaling of a regression one.
type target struct {
	field                          string // empty: the model's only target
	opType                         string
	castInteger                    string
	min, max                       *float64
	rescaleConstant, rescaleFactor float64
	values                         []targetValue
}

// targetValue is a category of a target with its prior probability, or the
// default value of a regression target.
type targetValue struct {
	value            string
	displayValue     string
	priorProbability *float64
	defaultValue     *float64
}

// model is the first scorable top-level model of a document: its kind, its
// MiningSchema, Output and Targets. The body (trees, coefficients, segments)
// belongs to the model-specific decoders of pmml.Compile.
type model struct {
	kind         string // element name: TreeModel, MiningModel, ...
	attrs        []xml.Attr
	name         string // modelName attribute
	functionName string
	miningSchema []miningField
	hasOutput    bool
	output       []outputField
	targets      []target
	line         int
}

// targetFields returns the model's target MiningFields in MiningSchema order.
func (m *model) targetFields() []miningField {
	var ts []miningField
	for _, f := range m.miningSchema {
		if f.isTarget() {
			ts = append(ts, f)
		}
	}
	return ts
}

// target returns the Target entry describing field name: the one naming
// it, or an unnamed one when the model has a single target.
func (m *model) target(name string, single bool) (*target, bool) {
	for i := range m.targets {
		if t := &m.targets[i]; t.field == name || (t.field == "" && single) {
			return t, true
		}
	}
	return nil, false
}
