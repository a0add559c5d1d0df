package pmml

import (
	"math"
	"sort"
)

// coxPlan is the baseline of a CoxRegression model: its cumulative hazard
// at each time, per stratum of baselineStrataVariable or for all rows.
type coxPlan struct {
	endTime int32
	endName string
	// strata is -1 without baselineStrataVariable; then base holds the
	// single baseline.
	strata     int32
	strataName string
	stratum    []coxStratum
	base       coxStratum
	// ref is the linear predictor at the Parameters' referencePoints,
	// which the hazard is relative to.
	ref float64
}

// coxStratum is a BaselineStratum (or the BaseCumHazardTables itself):
// BaselineCells sorted by time.
type coxStratum struct {
	value   Value
	maxTime float64
	times   []float64
	hazards []float64
}

func (k *generalRegressionKind) compileCox(mc *modelCtx, cells []pcell) (*coxPlan, error) {
	m := k.m
	tables := k.parts["BaseCumHazardTables"]
	if tables == nil {
		return nil, elemErrorf(m.kind, m.line, "is a CoxRegression without BaseCumHazardTables")
	}
	end, ok := grmAttr(m, "endTimeVariable")
	if !ok {
		return nil, elemErrorf(m.kind, m.line, "is a CoxRegression without endTimeVariable")
	}
	pseudo := &xnode{name: m.kind, line: m.line}
	cp := &coxPlan{strata: -1, endName: end}
	var err error
	if cp.endTime, err = mc.c.ref(mc.sc, pseudo, end); err != nil {
		return nil, err
	}
	refs := map[string]float64{}
	for _, x := range k.parts["ParameterList"].kids {
		if x.name != "Parameter" || x.space != mc.c.space {
			continue
		}
		name, err := x.need("name")
		if err != nil {
			return nil, err
		}
		if refs[name], err = x.float("referencePoint", 0); err != nil {
			return nil, err
		}
	}
	for _, c := range cells {
		rp, ok := refs[c.param]
		if !ok {
			return nil, k.parts["ParamMatrix"].errorf("has parameter %q, which the ParameterList does not define", c.param)
		}
		cp.ref += c.beta * rp
	}
	strata, hasStrata := grmAttr(m, "baselineStrataVariable")
	if !hasStrata {
		cp.base, err = coxCells(tables)
		return cp, err
	}
	cp.strataName = strata
	if cp.strata, err = mc.c.ref(mc.sc, pseudo, strata); err != nil {
		return nil, err
	}
	dt := literalType(mc.c.slots[cp.strata].dt)
	for _, x := range tables.kids {
		switch {
		case x.space != mc.c.space || x.name == "Extension":
		case x.name == "BaselineStratum":
			st, err := coxCells(x)
			if err != nil {
				return nil, err
			}
			label, err := x.need("value")
			if err != nil {
				return nil, err
			}
			if st.value = mc.c.literal(label, dt); st.value.Kind == KindInvalid {
				return nil, x.errorf("has value %q, which is not a value of %q", label, strata)
			}
			cp.stratum = append(cp.stratum, st)
		case x.name == "BaselineCell":
			return nil, x.errorf("is outside a BaselineStratum, in a model with baselineStrataVariable")
		default:
			return nil, unsupported(x.name, x.line, "<"+x.name+"> in BaseCumHazardTables")
		}
	}
	return cp, nil
}

// coxCells reads the maxTime and BaselineCells of x, sorted by time; cells
// of equal time keep document order.
func coxCells(x *xnode) (coxStratum, error) {
	st := coxStratum{}
	var err error
	if st.maxTime, err = x.float("maxTime", math.NaN()); err != nil || math.IsNaN(st.maxTime) {
		return st, x.errorf("needs a numeric maxTime")
	}
	type cell struct{ time, hazard float64 }
	var cells []cell
	for _, k := range x.kids {
		if k.name != "BaselineCell" {
			continue
		}
		c := cell{}
		if c.time, err = k.float("time", math.NaN()); err != nil || math.IsNaN(c.time) {
			return st, k.errorf("needs a numeric time")
		}
		if c.hazard, err = k.float("cumHazard", math.NaN()); err != nil || math.IsNaN(c.hazard) {
			return st, k.errorf("needs a numeric cumHazard")
		}
		cells = append(cells, c)
	}
	if len(cells) == 0 {
		return st, x.errorf("has no BaselineCell")
	}
	sort.SliceStable(cells, func(i, j int) bool { return cells[i].time < cells[j].time })
	for _, c := range cells {
		st.times = append(st.times, c.time)
		st.hazards = append(st.hazards, c.hazard)
	}
	return st, nil
}

// evalCox predicts the cumulative hazard at the row's end time: the
// baseline's at the last time not after it, times exp of the linear
// predictor relative to the reference point. After the stratum's maxTime
// (or in a stratum the model does not know) there is no prediction;
// before its first time the hazard is 0.
func (g *generalRegression) evalCox(s *state, r *result) {
	cp := g.cox
	st := &cp.base
	if cp.strata >= 0 {
		v := s.get(cp.strata)
		if v.Kind == KindMissing || v.Kind == KindInvalid {
			s.failf(cp.strataName, "%s is missing", cp.strataName)
			return
		}
		st = nil
		for i := range cp.stratum {
			if equalValues(*v, cp.stratum[i].value) {
				st = &cp.stratum[i]
				break
			}
		}
		if st == nil {
			return
		}
	}
	v := s.get(cp.endTime)
	if (v.Kind != KindNumber && v.Kind != KindBool) || math.IsNaN(v.Num) {
		s.failf(cp.endName, "%s is missing or not a number", cp.endName)
		return
	}
	t := v.Num
	switch {
	case t > st.maxTime:
		return
	case t < st.times[0]:
		r.setNumber(0)
		return
	}
	// The last cell with time <= t; of cells with that same time, the
	// first, as JPMML picks it.
	i := sort.SearchFloat64s(st.times, math.Nextafter(t, math.Inf(1))) - 1
	for i > 0 && st.times[i-1] == st.times[i] {
		i--
	}
	y, ok := g.dot(s, g.eqs[0])
	if !ok {
		return
	}
	r.setNumber(math.Exp(y-cp.ref) * st.hazards[i])
}
