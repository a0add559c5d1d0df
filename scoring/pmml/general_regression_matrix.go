package pmml

import "math"

// The ParamMatrix and PPMatrix of a GeneralRegressionModel, compiled into
// the terms of its linear predictors.

// pcell is a PCell: a parameter estimate.
type pcell struct {
	param string
	beta  float64
}

// paramCells groups the PCells by the class of their targetCategory, -1
// for none, in document order.
func (k *generalRegressionKind) paramCells(mc *modelCtx) (map[int32][]pcell, error) {
	cells := map[int32][]pcell{}
	for _, x := range k.parts["ParamMatrix"].kids {
		if x.space != mc.c.space || x.name == "Extension" {
			continue
		}
		if x.name != "PCell" {
			return nil, unsupported(x.name, x.line, "<"+x.name+"> in a ParamMatrix")
		}
		param, err := x.need("parameterName")
		if err != nil {
			return nil, err
		}
		beta, err := x.float("beta", math.NaN())
		if err != nil || math.IsNaN(beta) {
			return nil, x.errorf("needs a numeric beta")
		}
		class, err := k.cellClass(mc, x)
		if err != nil {
			return nil, err
		}
		cells[class] = append(cells[class], pcell{param: param, beta: beta})
	}
	return cells, nil
}

// cellClass returns the class of a cell's targetCategory: -1 without one.
// A classification registers a category it has not seen.
func (k *generalRegressionKind) cellClass(mc *modelCtx, x *xnode) (int32, error) {
	tc, ok := x.attr("targetCategory")
	if !ok {
		return -1, nil
	}
	if !mc.classification() {
		return 0, x.errorf("has a targetCategory in a regression")
	}
	return mc.class(tc), nil
}

// ppMatrix compiles the PPMatrix into g.rows, and returns for each class
// (-1 for the cells without targetCategory) the row of each parameter.
func (k *generalRegressionKind) ppMatrix(mc *modelCtx, g *generalRegression) (map[int32]map[string]int32, error) {
	factors, err := k.predictors(mc, "FactorList")
	if err != nil {
		return nil, err
	}
	covariates, err := k.predictors(mc, "CovariateList")
	if err != nil {
		return nil, err
	}
	pp := map[int32]map[string]int32{}
	for _, x := range k.parts["PPMatrix"].kids {
		if x.space != mc.c.space || x.name == "Extension" {
			continue
		}
		if x.name != "PPCell" {
			return nil, unsupported(x.name, x.line, "<"+x.name+"> in a PPMatrix")
		}
		param, err := x.need("parameterName")
		if err != nil {
			return nil, err
		}
		field, err := x.need("predictorName")
		if err != nil {
			return nil, err
		}
		value, err := x.need("value")
		if err != nil {
			return nil, err
		}
		class, err := k.cellClass(mc, x)
		if err != nil {
			return nil, err
		}
		if pp[class] == nil {
			pp[class] = map[string]int32{}
		}
		i, ok := pp[class][param]
		if !ok {
			i = int32(len(g.rows))
			g.rows = append(g.rows, grmRow{})
			pp[class][param] = i
		}
		row := &g.rows[i]
		_, isFactor := factors[field]
		_, isCovariate := covariates[field]
		if !isFactor && !isCovariate {
			return nil, x.errorf("names predictor %q, which is neither in the FactorList nor in the CovariateList", field)
		}
		slot, err := mc.c.ref(mc.sc, x, field)
		if err != nil {
			return nil, err
		}
		dt := mc.c.slots[slot].dt
		if isFactor {
			if factors[field] != nil {
				return nil, unsupported("Matrix", factors[field].line, "a contrast Matrix of a factor")
			}
			v := mc.c.literal(value, literalType(dt))
			if v.Kind == KindInvalid || v.Kind == KindMissing {
				return nil, x.errorf("has value %q, which is not a value of factor %q", value, field)
			}
			row.factors = append(row.factors, grmFactor{slot: slot, value: v})
			continue
		}
		exponent, err := x.parseFloat("value", value)
		if err != nil {
			return nil, err
		}
		if dt == dtString {
			return nil, x.errorf("uses covariate %q, a string field, as a number", field)
		}
		row.covariates = append(row.covariates, grmCovariate{slot: slot, exponent: exponent})
	}
	return pp, nil
}

// predictors returns the Predictors of a FactorList or CovariateList by
// name, each with its contrast Matrix (nil without one).
func (k *generalRegressionKind) predictors(mc *modelCtx, list string) (map[string]*xnode, error) {
	out := map[string]*xnode{}
	x := k.parts[list]
	if x == nil {
		return out, nil
	}
	for _, p := range x.kids {
		if p.space != mc.c.space || p.name == "Extension" {
			continue
		}
		if p.name != "Predictor" {
			return nil, unsupported(p.name, p.line, "<"+p.name+"> in a "+list)
		}
		name, err := p.need("name")
		if err != nil {
			return nil, err
		}
		out[name] = p.kid("Matrix")
	}
	return out, nil
}

// equation compiles the linear predictor of a class (-1 for a regression)
// from its PCells, in their order: the PPMatrix rows of the class, else
// the rows without targetCategory.
func (g *generalRegression) equation(ppx *xnode, pp map[int32]map[string]int32, class int32, cells []pcell) ([]grmTerm, error) {
	var rows map[string]int32
	if len(pp) > 0 {
		if rows = pp[class]; rows == nil {
			rows = pp[-1]
		}
		if rows == nil {
			return nil, ppx.errorf("has no PPCells for target category %d and none without targetCategory", class)
		}
	}
	eq := make([]grmTerm, 0, len(cells))
	for _, c := range cells {
		row, ok := rows[c.param]
		if !ok {
			row = -1
		}
		eq = append(eq, grmTerm{beta: c.beta, row: row})
	}
	return eq, nil
}
