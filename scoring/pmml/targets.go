package pmml

import (
	"math"
)

// targetPlan is the model's Target, compiled: how a regression prediction
// is clamped, rescaled and rounded, what it is when the model cannot
// predict, and the prior probabilities a classification falls back to.
type targetPlan struct {
	min, max          float64
	factor, constant  float64
	cast              string // castInteger: "", round, ceiling or floor
	defaultValue      float64
	hasDefault        bool
	identity          bool // nothing to do to a regression prediction
	priors            []float64
	priorLabels       []string
	regression, float bool
}

// initTarget reads the Target of the model and seeds the classes of a
// classification: the TargetValues, else the target DataField's valid
// Values, in document order, which is the order Inspect lists their
// probabilities in.
func (mc *modelCtx) initTarget() error {
	m, cm := mc.hdr, mc.cm
	tp := targetPlan{min: math.Inf(-1), max: math.Inf(1), factor: 1, regression: cm.function == "regression", float: cm.float}
	name := ""
	targets := m.targetFields()
	if len(targets) > 0 {
		name = targets[0].name
	}
	t, ok := m.target(name, len(targets) <= 1)
	if ok {
		if t.min != nil {
			tp.min = *t.min
		}
		if t.max != nil {
			tp.max = *t.max
		}
		tp.factor, tp.constant = t.rescaleFactor, t.rescaleConstant
		switch t.castInteger {
		case "", "round", "ceiling", "floor":
			tp.cast = t.castInteger
		default:
			return elemErrorf("Target", m.line, "has unknown castInteger %q", t.castInteger)
		}
		for _, v := range t.values {
			if v.defaultValue != nil {
				tp.defaultValue, tp.hasDefault = *v.defaultValue, true
			}
			if mc.classification() && v.value != "" {
				i := mc.class(v.value)
				cm.display[i] = v.displayValue
				if v.priorProbability != nil {
					tp.priorLabels = append(tp.priorLabels, v.value)
					tp.priors = append(tp.priors, *v.priorProbability)
				}
			}
		}
	}
	if mc.classification() && len(cm.classes) == 0 && mc.target >= 0 {
		if i, ok := mc.c.doc.byName[mc.c.slots[mc.target].name]; ok && int(mc.target) == i {
			for _, v := range mc.c.doc.fields[i].valid {
				mc.class(v)
			}
		}
	}
	tp.identity = tp.factor == 1 && tp.constant == 0 && tp.cast == "" && math.IsInf(tp.min, -1) && math.IsInf(tp.max, 1)
	cm.tgt = tp
	return nil
}

// finishTarget lines the priors up with the classes, which the kind may
// have added to.
func (mc *modelCtx) finishTarget() error {
	tp := &mc.cm.tgt
	if len(tp.priors) == 0 {
		return nil
	}
	priors := make([]float64, len(mc.cm.classes))
	for i, label := range tp.priorLabels {
		priors[mc.class(label)] = tp.priors[i]
	}
	if len(priors) < len(mc.cm.classes) {
		priors = append(priors, make([]float64, len(mc.cm.classes)-len(priors))...)
	}
	tp.priors = priors
	return nil
}

// apply post-processes a model's result by its Target.
func (tp *targetPlan) apply(cm *compiledModel, r *result) {
	if !tp.regression {
		if !r.ok && len(tp.priors) > 0 {
			copy(r.probabilities(), tp.priors)
			r.argmax()
		}
		if r.ok && r.class >= 0 && r.value.Kind == KindMissing {
			r.value = cm.classes[r.class]
		}
		return
	}
	if !r.ok {
		if tp.hasDefault {
			r.ok, r.value = true, Float(tp.defaultValue)
		}
		return
	}
	if tp.identity || r.value.Kind != KindNumber {
		return
	}
	f := math.Max(tp.min, math.Min(tp.max, r.value.Num))
	if tp.float {
		f = float64(float32(f)*float32(tp.factor) + float32(tp.constant))
	} else {
		f = f*tp.factor + tp.constant
	}
	switch tp.cast {
	case "round":
		f = math.Floor(f + 0.5)
	case "ceiling":
		f = math.Ceil(f)
	case "floor":
		f = math.Floor(f)
	}
	r.value = Float(f)
}
