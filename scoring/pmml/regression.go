package pmml

import (
	"encoding/xml"
	"math"
)

// regressionKind is a RegressionModel: one RegressionTable for
// regression, one per category for classification.
type regressionKind struct {
	m      *model
	tables []*xnode
}

func newRegressionKind(m *model) kindCompiler { return &regressionKind{m: m} }

func (k *regressionKind) element(_ *decoder, p *parser, se xml.StartElement) error {
	if se.Name.Local != "RegressionTable" {
		return unsupported(se.Name.Local, p.line(), "<"+se.Name.Local+"> in a RegressionModel")
	}
	x, err := p.element(se)
	if err == nil {
		k.tables = append(k.tables, x)
	}
	return err
}

// Normalization methods of RegressionModel (and of other kinds' outputs).
const (
	normNone uint8 = iota
	normSoftmax
	normLogit
	normProbit
	normCloglog
	normLoglog
	normCauchit
	normExp
	normSimplemax
)

var normalizations = map[string]uint8{
	"none": normNone, "softmax": normSoftmax, "logit": normLogit, "probit": normProbit,
	"cloglog": normCloglog, "loglog": normLoglog, "cauchit": normCauchit, "exp": normExp,
	"simplemax": normSimplemax,
}

// regression is a compiled RegressionModel.
type regression struct {
	tables []regTable
	// class is the class index of each table's targetCategory.
	class   []int32
	norm    uint8
	classes int
	ordinal bool
	float   bool
	// dense holds the fields that are plain NumericPredictors (exponent
	// 1) of every table, and coefs[t] their coefficients in table t: each
	// field is read once per row instead of once per table, and a table
	// is a dot product. Float models keep JPMML's order instead.
	dense []int32
	coefs [][]float64
}

// regTable is a RegressionTable: intercept plus terms.
type regTable struct {
	intercept float64
	numeric   []numPredictor
	cats      []catPredictor
	terms     []termPredictor
}

type numPredictor struct {
	slot     int32
	coef     float64
	exponent float64
}

type catPredictor struct {
	slot  int32
	value Value
	coef  float64
}

type termPredictor struct {
	slots []int32
	coef  float64
}

func (k *regressionKind) compile(mc *modelCtx) (evaluator, error) {
	m := k.m
	method := attrOrDefault(m.attrs, "normalizationMethod", "none")
	norm, ok := normalizations[method]
	if !ok {
		return nil, elemErrorf(m.kind, m.line, "has unknown normalizationMethod %q", method)
	}
	rg := &regression{norm: norm, float: mc.cm.float}
	if len(k.tables) == 0 {
		return nil, elemErrorf(m.kind, m.line, "has no RegressionTable")
	}
	for _, x := range k.tables {
		t, err := compileTable(mc, x)
		if err != nil {
			return nil, err
		}
		rg.tables = append(rg.tables, t)
		if mc.classification() {
			cat, err := x.need("targetCategory")
			if err != nil {
				return nil, err
			}
			rg.class = append(rg.class, mc.class(cat))
		}
	}
	switch {
	case !mc.classification():
		if len(rg.tables) != 1 {
			return nil, elemErrorf(m.kind, m.line, "is a regression with %d RegressionTables; want 1", len(rg.tables))
		}
		if norm == normSimplemax {
			return nil, elemErrorf(m.kind, m.line, "normalizationMethod simplemax is for classification")
		}
	case len(rg.tables) < 2:
		return nil, elemErrorf(m.kind, m.line, "is a classification with fewer than two RegressionTables")
	case norm == normExp:
		return nil, unsupported(m.kind, m.line, "normalizationMethod exp for classification")
	}
	if mc.classification() && mc.target >= 0 {
		rg.ordinal = mc.c.slots[mc.target].opType == "ordinal" || opTypeOfTarget(mc) == "ordinal"
	}
	if rg.ordinal && (norm == normSoftmax || norm == normSimplemax) {
		return nil, unsupported(m.kind, m.line, "normalizationMethod "+method+" of an ordinal target")
	}
	if !rg.ordinal && len(rg.tables) > 2 && norm != normNone && norm != normSoftmax && norm != normSimplemax {
		return nil, unsupported(m.kind, m.line, "normalizationMethod "+method+" with more than two categories")
	}
	rg.classes = len(mc.cm.classes)
	if !rg.float {
		rg.densify()
	}
	return rg, nil
}

// densify moves the NumericPredictors of the tables into dense and coefs
// when that keeps JPMML's order of summation (each table's predictors, all
// of exponent 1, in the order of dense): the corpus compares at 1e-14,
// where the order of a sum shows.
func (rg *regression) densify() {
	index := map[int32]int{}
	for _, t := range rg.tables {
		for _, p := range t.numeric {
			if p.exponent != 1 {
				rg.dense = nil
				return
			}
			if _, ok := index[p.slot]; !ok {
				index[p.slot] = len(rg.dense)
				rg.dense = append(rg.dense, p.slot)
			}
		}
	}
	for _, t := range rg.tables {
		last := -1
		for _, p := range t.numeric {
			if index[p.slot] <= last {
				rg.dense = nil
				return
			}
			last = index[p.slot]
		}
	}
	rg.coefs = make([][]float64, len(rg.tables))
	for i := range rg.tables {
		t := &rg.tables[i]
		rg.coefs[i] = make([]float64, len(rg.dense))
		for _, p := range t.numeric {
			rg.coefs[i][index[p.slot]] = p.coef
		}
		t.numeric = nil
	}
}

// opTypeOfTarget returns the optype the MiningSchema gives the target.
func opTypeOfTarget(mc *modelCtx) string {
	for _, mf := range mc.hdr.miningSchema {
		if mf.isTarget() {
			return mf.opType
		}
	}
	return ""
}

func compileTable(mc *modelCtx, x *xnode) (regTable, error) {
	t := regTable{}
	var err error
	if t.intercept, err = x.float("intercept", 0); err != nil {
		return t, err
	}
	if _, ok := x.attr("intercept"); !ok && mc.c.doc.version >= "4" {
		return t, x.errorf("has no intercept")
	}
	for _, k := range x.kids {
		if k.space != mc.c.space {
			continue
		}
		switch k.name {
		case "NumericPredictor":
			name, err := k.need("name")
			if err != nil {
				return t, err
			}
			slot, err := mc.c.ref(mc.sc, k, name)
			if err != nil {
				return t, err
			}
			p := numPredictor{slot: slot}
			if p.coef, err = k.float("coefficient", math.NaN()); err != nil || math.IsNaN(p.coef) {
				return t, k.errorf("needs a numeric coefficient")
			}
			if p.exponent, err = k.float("exponent", 1); err != nil {
				return t, err
			}
			t.numeric = append(t.numeric, p)
		case "CategoricalPredictor":
			name, err := k.need("name")
			if err != nil {
				return t, err
			}
			slot, err := mc.c.ref(mc.sc, k, name)
			if err != nil {
				return t, err
			}
			value, err := k.need("value")
			if err != nil {
				return t, err
			}
			p := catPredictor{slot: slot, value: mc.c.literal(value, literalType(mc.c.slots[slot].dt))}
			if p.coef, err = k.float("coefficient", math.NaN()); err != nil || math.IsNaN(p.coef) {
				return t, k.errorf("needs a numeric coefficient")
			}
			t.cats = append(t.cats, p)
		case "PredictorTerm":
			p := termPredictor{}
			if p.coef, err = k.float("coefficient", math.NaN()); err != nil || math.IsNaN(p.coef) {
				return t, k.errorf("needs a numeric coefficient")
			}
			for _, f := range k.kids {
				if f.name != "FieldRef" {
					continue
				}
				field, err := f.need("field")
				if err != nil {
					return t, err
				}
				slot, err := mc.c.ref(mc.sc, f, field)
				if err != nil {
					return t, err
				}
				p.slots = append(p.slots, slot)
			}
			t.terms = append(t.terms, p)
		case "Extension":
		default:
			return t, unsupported(k.name, k.line, "<"+k.name+"> in a RegressionTable")
		}
	}
	return t, nil
}
