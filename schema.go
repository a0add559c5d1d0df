package scoregate

// Data types of schema fields, as PMML names them.
const (
	TypeString   = "string"
	TypeInteger  = "integer"
	TypeFloat    = "float"
	TypeDouble   = "double"
	TypeBoolean  = "boolean"
	TypeDate     = "date"
	TypeTime     = "time"
	TypeDateTime = "dateTime"
)

// Operational types of schema fields, as PMML names them.
const (
	OpCategorical = "categorical"
	OpOrdinal     = "ordinal"
	OpContinuous  = "continuous"
)

// Schema is the ordered list of columns of a web service's input (input1) or
// output (output1).
type Schema struct {
	Fields []Field
}

// Field returns the field named name (exact match) and whether it exists.
func (s Schema) Field(name string) (Field, bool) {
	for _, f := range s.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Field is one column of a schema.
type Field struct {
	Name     string
	DataType string // TypeString, TypeDouble, ...
	OpType   string // OpCategorical, OpOrdinal, OpContinuous
	// Values lists the valid values of a categorical or ordinal field, in
	// document order; empty when the model does not restrict them.
	Values []string
	// Intervals restrict a continuous field; empty when unrestricted.
	Intervals []Interval
	// Optional is true when the model accepts the field missing (it has a
	// missing value replacement or treats missing values itself).
	Optional bool
	// Feature says what an output field is (predictedValue, probability, ...);
	// empty for inputs.
	Feature string
	// TargetValue is the category an output probability field refers to.
	TargetValue string
}

// Interval is a PMML Interval: closure is one of openOpen, openClosed,
// closedOpen, closedClosed; a nil bound is unbounded.
type Interval struct {
	Closure string
	Left    *float64
	Right   *float64
}

// ModelInfo is what publishing learns from a model document.
type ModelInfo struct {
	// Kind is the top-level model element, e.g. "TreeModel".
	Kind string
	// FunctionName is classification, regression, clustering, ...
	FunctionName string
	Input        Schema
	Output       Schema
}
