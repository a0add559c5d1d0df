package pmml

import (
	"encoding/xml"

	"github.com/scoregate/scoregate"
)

// dataTypes are the PMML data types. The root package names the common
// ones; the date and time offsets are PMML's own.
var dataTypes = map[string]bool{
	scoregate.TypeString: true, scoregate.TypeInteger: true, scoregate.TypeFloat: true,
	scoregate.TypeDouble: true, scoregate.TypeBoolean: true, scoregate.TypeDate: true,
	scoregate.TypeTime: true, scoregate.TypeDateTime: true,
	"dateDaysSince[0]": true, "dateDaysSince[1960]": true, "dateDaysSince[1970]": true,
	"dateDaysSince[1980]": true, "timeSeconds": true, "dateTimeSecondsSince[0]": true,
	"dateTimeSecondsSince[1960]": true, "dateTimeSecondsSince[1970]": true,
	"dateTimeSecondsSince[1980]": true,
}

// opTypes are the PMML operational types.
var opTypes = map[string]bool{
	scoregate.OpCategorical: true, scoregate.OpOrdinal: true, scoregate.OpContinuous: true,
}

// closures are the closures of a PMML Interval.
var closures = map[string]bool{"openOpen": true, "openClosed": true, "closedOpen": true, "closedClosed": true}

// dataDictionary decodes the DataFields of the DataDictionary just started.
func (p *parser) dataDictionary(doc *document) error {
	return p.children(func(se xml.StartElement) error {
		if !p.is(se, "DataField") {
			return p.skip() // Extension, Taxonomy
		}
		f, err := p.dataField(se)
		if err != nil {
			return err
		}
		if _, dup := doc.byName[f.name]; dup {
			return invalidf(f.line, "DataField %q is defined twice", f.name)
		}
		doc.byName[f.name] = len(doc.fields)
		doc.fields = append(doc.fields, f)
		return nil
	})
}

// dataField decodes a DataField. A document that leaves out optype or
// dataType (PMML 3.x allowed it) gets one inferred from the other:
// numbers are continuous, anything else categorical, and a continuous field
// is a double.
func (p *parser) dataField(se xml.StartElement) (dataField, error) {
	f := dataField{
		line:        p.line(),
		displayName: attrOr(se, "displayName", ""),
		cyclic:      attrOr(se, "isCyclic", "0") == "1",
	}
	var ok bool
	if f.name, ok = attr(se, "name"); !ok || f.name == "" {
		return f, p.errorf("a DataField has no name")
	}
	f.opType = attrOr(se, "optype", "")
	f.dataType = attrOr(se, "dataType", "")
	if f.dataType == "" {
		f.dataType = scoregate.TypeString
		if f.opType == scoregate.OpContinuous {
			f.dataType = scoregate.TypeDouble
		}
	}
	if f.opType == "" {
		f.opType = opTypeOf(f.dataType)
	}
	if !dataTypes[f.dataType] {
		return f, p.errorf("DataField %q has unknown dataType %q", f.name, f.dataType)
	}
	if !opTypes[f.opType] {
		return f, p.errorf("DataField %q has unknown optype %q", f.name, f.opType)
	}
	err := p.children(func(se xml.StartElement) error {
		switch {
		case p.is(se, "Value"):
			return p.value(&f, se)
		case p.is(se, "Interval"):
			in, err := p.interval(f.name, se)
			if err != nil {
				return err
			}
			f.intervals = append(f.intervals, in)
			return p.skip()
		}
		return p.skip()
	})
	return f, err
}

// value decodes a Value of DataField f. Only valid values (property valid,
// the default) restrict the field; invalid and missing ones are kept apart
// for the evaluator.
func (p *parser) value(f *dataField, se xml.StartElement) error {
	v, ok := attr(se, "value")
	if !ok {
		return p.errorf("a Value of DataField %q has no value attribute", f.name)
	}
	switch prop := attrOr(se, "property", "valid"); prop {
	case "valid":
		f.valid = append(f.valid, v)
	case "invalid":
		f.invalid = append(f.invalid, v)
	case "missing":
		f.missing = append(f.missing, v)
	default:
		return p.errorf("a Value of DataField %q has unknown property %q", f.name, prop)
	}
	return p.skip()
}

// interval decodes an Interval of DataField field; a margin left out is
// unbounded.
func (p *parser) interval(field string, se xml.StartElement) (scoregate.Interval, error) {
	var in scoregate.Interval
	var err error
	if in.Closure = attrOr(se, "closure", ""); !closures[in.Closure] {
		return in, p.errorf("an Interval of DataField %q has closure %q; want openOpen, openClosed, closedOpen or closedClosed", field, in.Closure)
	}
	if in.Left, err = p.floatAttr(se, "leftMargin"); err != nil {
		return in, err
	}
	if in.Right, err = p.floatAttr(se, "rightMargin"); err != nil {
		return in, err
	}
	if in.Left != nil && in.Right != nil && *in.Left > *in.Right {
		return in, p.errorf("an Interval of DataField %q has leftMargin %g above rightMargin %g", field, *in.Left, *in.Right)
	}
	return in, nil
}

// opTypeOf returns the optype PMML implies for a field of dataType when a
// document leaves it out.
func opTypeOf(dataType string) string {
	switch dataType {
	case scoregate.TypeString, scoregate.TypeBoolean:
		return scoregate.OpCategorical
	}
	return scoregate.OpContinuous
}
