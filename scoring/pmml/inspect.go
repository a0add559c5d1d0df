package pmml

import (
	"io"

	"github.com/scoregate/scoregate"
)

// Limits bound what reading one PMML document may cost. A zero field means
// its default.
type Limits struct {
	// MaxBytes is the largest document accepted, in bytes. The default,
	// 256 MiB, leaves room over the ~90 MB of a 200-tree, depth-12 forest
	// written by sklearn2pmml-style tools.
	MaxBytes int64
	// MaxDepth is the deepest element nesting accepted; the PMML element is
	// at depth 1. The default, 2000, takes trees far deeper than gradient
	// boosting or unpruned sklearn trees grow (each tree level is one nested
	// Node) and still stops a document that is nothing but nesting.
	MaxDepth int
	// MaxSegments caps the Segments of all MiningModels of a document, at
	// any nesting, and MaxNodes the tree Nodes of all its TreeModels: they
	// bound what Compile builds, which Inspect does not. The defaults,
	// 100,000 segments and 5,000,000 nodes, are far above the 200-tree,
	// ~370,000-node forest that fits in MaxBytes.
	MaxSegments int
	MaxNodes    int
}

// Defaults of Limits.
const (
	DefaultMaxBytes    = 256 << 20
	DefaultMaxDepth    = 2000
	DefaultMaxSegments = 100_000
	DefaultMaxNodes    = 5_000_000
)

// DefaultLimits returns the limits used where none are configured.
func DefaultLimits() Limits {
	return Limits{MaxBytes: DefaultMaxBytes, MaxDepth: DefaultMaxDepth, MaxSegments: DefaultMaxSegments, MaxNodes: DefaultMaxNodes}
}

// withDefaults replaces zero (or negative) fields by their defaults.
func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxSegments <= 0 {
		l.MaxSegments = DefaultMaxSegments
	}
	if l.MaxNodes <= 0 {
		l.MaxNodes = DefaultMaxNodes
	}
	return l
}

// Inspect reads a PMML document and returns its schema: Kind is the element
// name of the first top-level model that is not marked isScorable="false",
// and FunctionName its functionName. Zero fields of lim take their defaults.
//
// The input schema is the model's active MiningFields (usageType active or
// absent) in MiningSchema order, typed by their DataFields: dataType, optype
// (the MiningField's optype overrides the DataField's), the valid Values
// (Values of property invalid or missing are not choices a user may enter)
// and Intervals. Fields of other usage types (target, supplementary, group,
// order, frequencyWeight, analysisWeight) are not inputs: the model predicts
// the first and does not read the others when scoring. A field is Optional
// when its MiningField has a missingValueReplacement, the one case where the
// document itself guarantees that a missing value is scored. Many models
// also score missing values without one (tree missingValueStrategy,
// boosting's default child), but that is the evaluator's to know, so
// Optional=false means "may be required", not "is rejected".
//
// The output schema is, when the model has an Output, each OutputField
// that is a final result (isFinalResult is not "false"), in document
// order: name, dataType, optype, Feature (feature, default predictedValue)
// and, for probability, TargetValue (value). A dataType left out is
// inferred from the feature: predictedValue takes the target's type;
// probabilities, affinities, residuals and other measures are double;
// clusterId is integer; labels, ids, reason codes and anything else are
// string. A missing optype follows from the target or the dataType. The
// Output is taken as written: some exporters (sklearn2pmml, KNIME) list
// only probabilities, and then so does the schema.
//
// A model without Output, or whose Output has no final result, gets one
// field per target (its MiningFields of usageType target or predicted):
// the target field itself, named after it, with Feature predictedValue and
// the DataField's type and values. For a classification (or, in a mixed
// model, categorical) target it is followed by one probability field per
// category, named probability(<category>) (probability(<target>,<category>)
// when the model has several targets), with TargetValue set; categories
// come from the target's TargetValues in Targets, else from the DataField's
// valid Values. A model without targets (clustering) gets one field named
// predictedValue.
//
// Errors are *scoregate.Error: RequestEntityTooLarge (ModelTooLarge) over
// lim.MaxBytes, otherwise BadUserArgument (InvalidModel) naming the problem
// and its line. An error reading r is returned wrapped, as is.
func Inspect(r io.Reader, lim Limits) (scoregate.ModelInfo, error) {
	doc, err := parseDocument(r, lim.withDefaults(), skipBody)
	if err != nil {
		return scoregate.ModelInfo{}, err
	}
	return doc.info(), nil
}

// Inspector inspects PMML documents for publishing; it implements
// scoregate.ModelInspector. Its zero value uses DefaultLimits.
type Inspector struct {
	Limits Limits
}

var _ scoregate.ModelInspector = Inspector{}

// Inspect reads a PMML document within i.Limits and returns its schema; see
// the package function Inspect.
func (i Inspector) Inspect(r io.Reader) (scoregate.ModelInfo, error) {
	return Inspect(r, i.Limits)
}
