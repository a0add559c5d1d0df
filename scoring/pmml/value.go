package pmml

import "github.com/scoregate/scoregate"

// The values a model reads and writes are the root package's, so that
// callers (the gateway, batch jobs) handle rows without knowing which
// engine scores them.
type (
	// Value is one field value; see scoregate.Value.
	Value = scoregate.Value
	// Kind says what a Value holds.
	Kind = scoregate.Kind
	// Row is one input record, indexed like Model.Schema().Input.Fields.
	Row = scoregate.Row
)

// Kinds of Value.
const (
	KindMissing = scoregate.KindMissing
	KindInvalid = scoregate.KindInvalid
	KindNumber  = scoregate.KindNumber
	KindString  = scoregate.KindString
	KindBool    = scoregate.KindBool
)

// Float returns a number value.
func Float(v float64) Value { return scoregate.Float(v) }

// Text returns a string value.
func Text(s string) Value { return scoregate.Text(s) }

// Bool returns a boolean value.
func Bool(b bool) Value { return scoregate.Bool(b) }

func formatNumber(f float64) string { return scoregate.FormatNumber(f) }
