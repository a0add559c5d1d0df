package pmml

import (
	"encoding/xml"
	"strconv"
)

// generalRegressionKind is a GeneralRegressionModel: a linear predictor
// built from a ParamMatrix (parameter estimates) and a PPMatrix (which
// factor levels and covariate powers make up each parameter), then, by
// modelType, a link function, a multinomial or cumulative logit, or a Cox
// proportional hazard. It is evaluated the way JPMML does, term by term in
// document order, so results match it to the last bits the corpus asks
// for.
type generalRegressionKind struct {
	m *model
	// parts holds the body elements by name, each decoded whole: they are
	// small, and compile needs them all at once.
	parts map[string]*xnode
}

func newGeneralRegressionKind(m *model) kindCompiler {
	return &generalRegressionKind{m: m, parts: map[string]*xnode{}}
}

func (k *generalRegressionKind) element(_ *decoder, p *parser, se xml.StartElement) error {
	switch name := se.Name.Local; name {
	case "PCovMatrix", "EventValues":
		// Standard errors and the status codes of an event: they describe
		// the fit, scoring does not read them.
		return p.skip()
	case "ParameterList", "FactorList", "CovariateList", "PPMatrix", "ParamMatrix", "BaseCumHazardTables":
		if k.parts[name] != nil {
			return p.errorf("<%s> appears twice in a GeneralRegressionModel", name)
		}
		x, err := p.element(se)
		if err == nil {
			k.parts[name] = x
		}
		return err
	default:
		return unsupported(name, p.line(), "<"+name+"> in a GeneralRegressionModel")
	}
}

// Model types of GeneralRegressionModel.
const (
	grmLinear      uint8 = iota // regression, generalLinear: the linear predictor
	grmGeneralized              // generalizedLinear: an inverse link of it
	grmMultinomial              // multinomialLogistic
	grmOrdinal                  // ordinalMultinomial: cumulative link
	grmCox                      // CoxRegression: cumulative hazard
)

var grmModelTypes = map[string]uint8{
	"regression": grmLinear, "generalLinear": grmLinear, "generalizedLinear": grmGeneralized,
	"multinomialLogistic": grmMultinomial, "ordinalMultinomial": grmOrdinal, "CoxRegression": grmCox,
}

// generalRegression is a compiled GeneralRegressionModel.
type generalRegression struct {
	modelType uint8
	rows      []grmRow
	// eqs are the linear predictors: one for a regression, one per class
	// but the last of order for a classification.
	eqs [][]grmTerm
	// order lists the class indexes in evaluation order, the reference
	// category last.
	order []int32
	// link is the inverse link of generalizedLinear (grmLink...) or the
	// cumulative link of ordinalMultinomial (norm...).
	link                 uint8
	linkParam, distParam float64
	offset, trials       grmAdjust
	cox                  *coxPlan
}

// grmTerm is beta times a PPMatrix row; row -1 is a constant (intercept).
type grmTerm struct {
	beta float64
	row  int32
}

// grmRow is the value of one parameter: the product of its factor
// indicators and covariate powers.
type grmRow struct {
	factors    []grmFactor
	covariates []grmCovariate
}

type grmFactor struct {
	slot  int32
	value Value
}

type grmCovariate struct {
	slot     int32
	exponent float64
}

// grmAdjust is an offset or a number of trials: a field, a constant, or
// nothing.
type grmAdjust struct {
	set   bool
	slot  int32 // -1 for the constant
	value float64
	name  string
}

func (k *generalRegressionKind) compile(mc *modelCtx) (evaluator, error) {
	m := k.m
	if mc.cm.float {
		return nil, unsupported(m.kind, m.line, "x-mathContext float in a GeneralRegressionModel")
	}
	typeName, _ := grmAttr(m, "modelType")
	mt, ok := grmModelTypes[typeName]
	if !ok {
		return nil, elemErrorf(m.kind, m.line, "has unknown modelType %q", typeName)
	}
	for _, part := range []string{"ParameterList", "PPMatrix", "ParamMatrix"} {
		if k.parts[part] == nil {
			return nil, elemErrorf(m.kind, m.line, "has no %s", part)
		}
	}
	g := &generalRegression{modelType: mt}
	switch {
	case mc.classification() && (mt == grmLinear || mt == grmCox):
		return nil, elemErrorf(m.kind, m.line, "is a classification of modelType %s, which predicts a number", typeName)
	case !mc.classification() && (mt == grmMultinomial || mt == grmOrdinal):
		return nil, elemErrorf(m.kind, m.line, "is a regression of modelType %s, which predicts a category", typeName)
	}
	if err := g.compileLink(mc, k.m, mt); err != nil {
		return nil, err
	}
	cells, err := k.paramCells(mc)
	if err != nil {
		return nil, err
	}
	pp, err := k.ppMatrix(mc, g)
	if err != nil {
		return nil, err
	}
	if !mc.classification() {
		if cells[-1] == nil {
			return nil, k.parts["ParamMatrix"].errorf("has no PCell")
		}
		eq, err := g.equation(k.parts["PPMatrix"], pp, -1, cells[-1])
		if err != nil {
			return nil, err
		}
		g.eqs = [][]grmTerm{eq}
		if mt == grmCox {
			if g.cox, err = k.compileCox(mc, cells[-1]); err != nil {
				return nil, err
			}
		}
		return g, nil
	}
	if err := k.classOrder(mc, g, cells); err != nil {
		return nil, err
	}
	for _, class := range g.order[:len(g.order)-1] {
		var list []pcell
		switch mt {
		case grmGeneralized, grmMultinomial:
			// PCells need a targetCategory for several categories, but
			// can do without it for two.
			list = cells[class]
			if list == nil && len(g.order) == 2 {
				list = cells[-1]
			}
			if list == nil {
				return nil, k.parts["ParamMatrix"].errorf("has no PCell for category %q", mc.cm.classes[class].String())
			}
		case grmOrdinal:
			// One intercept per category, the other parameters shared.
			if len(cells[class]) != 1 {
				return nil, k.parts["ParamMatrix"].errorf("has %d PCells for category %q; an ordinalMultinomial model has one, its intercept", len(cells[class]), mc.cm.classes[class].String())
			}
			list = append(append([]pcell(nil), cells[class]...), cells[-1]...)
		}
		eq, err := g.equation(k.parts["PPMatrix"], pp, class, list)
		if err != nil {
			return nil, err
		}
		g.eqs = append(g.eqs, eq)
	}
	return g, nil
}

// classOrder sets g.order: the classes in DataField order with the
// reference category moved last. The reference is targetReferenceCategory,
// else for generalizedLinear and multinomialLogistic the one category
// without PCells.
func (k *generalRegressionKind) classOrder(mc *modelCtx, g *generalRegression, cells map[int32][]pcell) error {
	m := k.m
	ref := int32(-1)
	if label, ok := grmAttr(m, "targetReferenceCategory"); ok {
		ref = mc.class(label)
	}
	n := len(mc.cm.classes)
	if n < 2 {
		return elemErrorf(m.kind, m.line, "is a classification with fewer than two target categories")
	}
	if ref < 0 && g.modelType != grmOrdinal {
		for i := range n {
			if cells[int32(i)] == nil {
				if ref >= 0 {
					return k.parts["ParamMatrix"].errorf("leaves more than one target category without PCells, and the model has no targetReferenceCategory")
				}
				ref = int32(i)
			}
		}
		if ref < 0 {
			return k.parts["ParamMatrix"].errorf("has PCells for every target category, and the model has no targetReferenceCategory")
		}
	}
	for i := range int32(n) {
		if i != ref {
			g.order = append(g.order, i)
		}
	}
	if ref >= 0 {
		g.order = append(g.order, ref)
	}
	if g.modelType == grmGeneralized && n != 2 {
		return unsupported(m.kind, m.line, "a generalizedLinear classification with "+strconv.Itoa(n)+" categories (only binomial)")
	}
	return nil
}

// grmAttr returns an attribute of the model element and whether it is
// present.
func grmAttr(m *model, name string) (string, bool) {
	for _, a := range m.attrs {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value, true
		}
	}
	return "", false
}
