package pmml

import (
	"encoding/xml"
	"slices"
	"strconv"
)

// Enumerations of MiningField and OutputField attributes, with their
// defaults first where PMML has one.
var (
	usages = map[string]bool{
		usageActive: true, usageTarget: true, usagePredicted: true, usageSupplementary: true,
		usageGroup: true, usageOrder: true, usageFrequency: true, usageAnalysisWeight: true,
	}
	missingTreatments = map[string]bool{
		"": true, "asIs": true, "asMean": true, "asMode": true, "asMedian": true,
		"asValue": true, "returnInvalid": true,
	}
	invalidTreatments = map[string]bool{"returnInvalid": true, "asIs": true, "asMissing": true, "asValue": true}
	outlierTreatments = map[string]bool{"asIs": true, "asMissingValues": true, "asExtremeValues": true}
)

// model decodes the model element just started: its MiningSchema, Output
// and Targets here, every other child through body.
func (p *parser) model(m *model, se xml.StartElement, body bodyFunc) error {
	m.kind = se.Name.Local
	m.line = p.line()
	m.attrs = slices.Clone(se.Attr) // kind-specific attributes, read by Compile
	m.name = attrOr(se, "modelName", "")
	if m.functionName = attrOr(se, "functionName", ""); m.functionName == "" {
		return p.errorf("the %s has no functionName", m.kind)
	}
	var hasSchema bool
	err := p.children(func(c xml.StartElement) error {
		switch {
		case p.is(c, "MiningSchema"):
			if hasSchema {
				return p.errorf("the %s has a second MiningSchema", m.kind)
			}
			hasSchema = true
			return p.miningSchema(m)
		case p.is(c, "Output"):
			m.hasOutput = true
			return p.output(m, body)
		case p.is(c, "Targets"):
			return p.targets(m)
		}
		return body(p, m, c)
	})
	if err != nil {
		return err
	}
	if !hasSchema {
		return invalidf(m.line, "the %s has no MiningSchema", m.kind)
	}
	return nil
}

// miningSchema decodes the MiningFields of the MiningSchema just started.
func (p *parser) miningSchema(m *model) error {
	seen := map[string]bool{}
	return p.children(func(se xml.StartElement) error {
		if !p.is(se, "MiningField") {
			return p.skip()
		}
		f := miningField{
			line:               p.line(),
			name:               attrOr(se, "name", ""),
			usage:              attrOr(se, "usageType", usageActive),
			opType:             attrOr(se, "optype", ""),
			missingTreatment:   attrOr(se, "missingValueTreatment", ""),
			invalidTreatment:   attrOr(se, "invalidValueTreatment", "returnInvalid"),
			invalidReplacement: attrOr(se, "invalidValueReplacement", ""),
			outliers:           attrOr(se, "outliers", "asIs"),
		}
		f.replacement, f.hasReplacement = attr(se, "missingValueReplacement")
		switch {
		case f.name == "":
			return p.errorf("a MiningField has no name")
		case seen[f.name]:
			return p.errorf("MiningField %q appears twice in the MiningSchema", f.name)
		case !usages[f.usage]:
			return p.errorf("MiningField %q has unknown usageType %q", f.name, f.usage)
		case f.opType != "" && !opTypes[f.opType]:
			return p.errorf("MiningField %q has unknown optype %q", f.name, f.opType)
		case !missingTreatments[f.missingTreatment]:
			return p.errorf("MiningField %q has unknown missingValueTreatment %q", f.name, f.missingTreatment)
		case !invalidTreatments[f.invalidTreatment]:
			return p.errorf("MiningField %q has unknown invalidValueTreatment %q", f.name, f.invalidTreatment)
		case !outlierTreatments[f.outliers]:
			return p.errorf("MiningField %q has unknown outliers treatment %q", f.name, f.outliers)
		}
		seen[f.name] = true
		var err error
		if f.lowValue, err = p.floatAttr(se, "lowValue"); err != nil {
			return err
		}
		if f.highValue, err = p.floatAttr(se, "highValue"); err != nil {
			return err
		}
		m.miningSchema = append(m.miningSchema, f)
		return p.skip()
	})
}

// output decodes the OutputFields of the Output just started. The content
// of each (the expression of a transformedValue, the Decisions of a
// decision) goes to body, with the field already appended to m.output.
func (p *parser) output(m *model, body bodyFunc) error {
	return p.children(func(se xml.StartElement) error {
		if !p.is(se, "OutputField") {
			return p.skip()
		}
		f := outputField{
			line:        p.line(),
			name:        attrOr(se, "name", ""),
			dataType:    attrOr(se, "dataType", ""),
			opType:      attrOr(se, "optype", ""),
			feature:     attrOr(se, "feature", "predictedValue"),
			value:       attrOr(se, "value", ""),
			targetField: attrOr(se, "targetField", ""),
			segmentID:   attrOr(se, "segmentId", ""),
			finalResult: attrOr(se, "isFinalResult", "true") != "false",
		}
		rank, err := strconv.Atoi(attrOr(se, "rank", "1"))
		switch {
		case f.name == "":
			return p.errorf("an OutputField has no name")
		case f.dataType != "" && !dataTypes[f.dataType]:
			return p.errorf("OutputField %q has unknown dataType %q", f.name, f.dataType)
		case f.opType != "" && !opTypes[f.opType]:
			return p.errorf("OutputField %q has unknown optype %q", f.name, f.opType)
		case err != nil || rank < 1:
			return p.errorf("OutputField %q has rank %q; want a positive integer", f.name, attrOr(se, "rank", ""))
		}
		f.rank = rank
		m.output = append(m.output, f)
		return body(p, m, se)
	})
}

// targets decodes the Target elements of the Targets just started.
func (p *parser) targets(m *model) error {
	return p.children(func(se xml.StartElement) error {
		if !p.is(se, "Target") {
			return p.skip()
		}
		t := target{
			field:       attrOr(se, "field", ""),
			opType:      attrOr(se, "optype", ""),
			castInteger: attrOr(se, "castInteger", ""),
		}
		if t.opType != "" && !opTypes[t.opType] {
			return p.errorf("Target %q has unknown optype %q", t.field, t.opType)
		}
		var err error
		if t.min, err = p.floatAttr(se, "min"); err != nil {
			return err
		}
		if t.max, err = p.floatAttr(se, "max"); err != nil {
			return err
		}
		if t.rescaleConstant, err = p.floatOr(se, "rescaleConstant", 0); err != nil {
			return err
		}
		if t.rescaleFactor, err = p.floatOr(se, "rescaleFactor", 1); err != nil {
			return err
		}
		err = p.children(func(se xml.StartElement) error {
			if !p.is(se, "TargetValue") {
				return p.skip()
			}
			v := targetValue{value: attrOr(se, "value", ""), displayValue: attrOr(se, "displayValue", "")}
			var err error
			if v.priorProbability, err = p.floatAttr(se, "priorProbability"); err != nil {
				return err
			}
			if v.defaultValue, err = p.floatAttr(se, "defaultValue"); err != nil {
				return err
			}
			t.values = append(t.values, v)
			return p.skip()
		})
		m.targets = append(m.targets, t)
		return err
	})
}

// check verifies what needs the whole document: the MiningSchema of the
// top-level model names DataFields (derived fields are for the model's
// inner parts), and output names are unique.
func (doc *document) check() error {
	for i, f := range doc.model.miningSchema {
		field, ok := doc.byName[f.name]
		if !ok {
			return invalidf(f.line, "MiningField %q of the %s is not a DataField of the DataDictionary", f.name, doc.model.kind)
		}
		doc.model.miningSchema[i].field = field
	}
	seen := map[string]bool{}
	for _, f := range doc.model.output {
		if seen[f.name] {
			return invalidf(f.line, "OutputField %q is defined twice", f.name)
		}
		seen[f.name] = true
	}
	return nil
}
