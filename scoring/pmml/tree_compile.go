package pmml

import (
	"encoding/xml"
	"math"
)

// compile turns the decoded arrays of a TreeModel into a tree: predicates
// resolved and compiled, scores typed, distributions normalised, nodes
// laid out for the walk (tree_layout.go).
func (t *treeKind) compile(mc *modelCtx) (evaluator, error) {
	if !t.root {
		return nil, elemErrorf(t.m.kind, t.m.line, "has no Node")
	}
	tr := &tree{classify: mc.classification(), penalty: 1}
	build := make([]buildNode, len(t.links))
	attrs := t.m.attrs
	strategy := attrOrDefault(attrs, "missingValueStrategy", "none")
	var ok bool
	if tr.strategy, ok = treeStrategies[strategy]; !ok {
		return nil, elemErrorf(t.m.kind, t.m.line, "has unknown missingValueStrategy %q", strategy)
	}
	switch v := attrOrDefault(attrs, "noTrueChildStrategy", "returnNullPrediction"); v {
	case "returnNullPrediction":
	case "returnLastPrediction":
		tr.noTrueLast = true
	default:
		return nil, elemErrorf(t.m.kind, t.m.line, "has unknown noTrueChildStrategy %q", v)
	}
	switch v := attrOrDefault(attrs, "splitCharacteristic", "multiSplit"); v {
	case "binarySplit", "multiSplit":
	default:
		return nil, elemErrorf(t.m.kind, t.m.line, "has unknown splitCharacteristic %q", v)
	}
	if v := attrOrDefault(attrs, "missingValuePenalty", ""); v != "" {
		f, err := parseNumber(v)
		if err != nil {
			return nil, elemErrorf(t.m.kind, t.m.line, "has missingValuePenalty %q, not a number", v)
		}
		tr.penalty = f
	}
	if (tr.strategy == mvsWeighted || tr.strategy == mvsAggregate) && !tr.classify {
		return nil, unsupported(t.m.kind, t.m.line, "missingValueStrategy "+strategy+" for regression")
	}
	if err := t.compilePredicates(mc, tr, build); err != nil {
		return nil, err
	}
	if err := t.compileScores(mc, tr); err != nil {
		return nil, err
	}
	if err := tr.relayout(t.links, build); err != nil {
		return nil, elemErrorf(t.m.kind, t.m.line, "%v", err)
	}
	t.raws, t.links, t.info, t.dists = nil, nil, nil, nil // the raw parts can go
	return tr, nil
}

// attrOrDefault returns a model attribute, def when it is absent.
func attrOrDefault(attrs []xml.Attr, name, def string) string {
	for _, a := range attrs {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return def
}

// compilePredicates resolves the raw predicates: numeric SimplePredicates
// inline, the rest compiled.
func (t *treeKind) compilePredicates(mc *modelCtx, tr *tree, build []buildNode) error {
	for i := range build {
		n, r := &build[i], &t.raws[i]
		if r.x != nil {
			switch r.x.name {
			case "True":
				n.op = opTrue
				continue
			case "False":
				n.op = opFalse
				continue
			}
			p, err := mc.c.predicate(mc.sc, r.x)
			if err != nil {
				return err
			}
			n.op, n.slot = opComplex, int32(len(tr.preds))
			tr.preds = append(tr.preds, p)
			continue
		}
		x := &xnode{name: "SimplePredicate", line: r.line}
		p, err := mc.c.simplePredicate(mc.sc, x, r.field, r.op, r.value)
		if err != nil {
			return err
		}
		dt := mc.c.slots[p.slot].dt
		if dt.numeric() || p.op == opIsMissing || p.op == opIsNotMissing {
			n.op, n.slot, n.num = p.op, p.slot, p.value.Num
			continue
		}
		n.op, n.slot = opComplex, int32(len(tr.preds))
		tr.preds = append(tr.preds, p)
	}
	return nil
}

// compileScores turns the scores and ScoreDistributions of the nodes into
// numbers, class indexes and probability rows.
func (t *treeKind) compileScores(mc *modelCtx, tr *tree) error {
	n := len(t.info)
	tr.defaultChild = make([]int32, n)
	byID := map[string]int32{}
	for i, in := range t.info {
		if in.id != "" {
			if tr.ids == nil {
				tr.ids = make([]string, n)
			}
			tr.ids[i] = in.id
			byID[in.id] = int32(i)
		}
	}
	if tr.classify {
		tr.classes = make([]int32, n)
		tr.dist = make([]int32, n)
		tr.records = make([]float64, n)
	} else {
		tr.scores = make([]float64, n)
	}
	for i, in := range t.info {
		tr.defaultChild[i] = -1
		if in.defaultChild != "" {
			k, ok := byID[in.defaultChild]
			if !ok {
				return invalidf(in.line, "<Node> defaultChild %q is not the id of a Node", in.defaultChild)
			}
			tr.defaultChild[i] = k
		}
		if !tr.classify {
			tr.scores[i] = math.NaN()
			if in.hasScore {
				f, err := parseNumber(in.score)
				if err != nil {
					return invalidf(in.line, "<Node> score %q of a regression tree is not a number", in.score)
				}
				tr.scores[i] = mc.cm.roundFloat(f)
			}
			continue
		}
		tr.classes[i], tr.dist[i], tr.records[i] = -1, -1, in.recordCount
		if in.hasScore {
			tr.classes[i] = mc.class(in.score)
		}
		for _, d := range t.dists[in.distFrom:in.distTo] {
			mc.class(d.value)
		}
	}
	if !tr.classify {
		return nil
	}
	tr.nclasses = len(mc.cm.classes)
	for i, in := range t.info {
		if in.distFrom == in.distTo {
			continue
		}
		tr.dist[i] = int32(len(tr.probs))
		row := make([]float64, tr.nclasses)
		conf := make([]float64, tr.nclasses)
		counts := make([]float64, tr.nclasses)
		sum, useProb := 0.0, !math.IsNaN(t.dists[in.distFrom].probability)
		for _, d := range t.dists[in.distFrom:in.distTo] {
			c := mc.class(d.value)
			w := d.recordCount
			if useProb {
				w = d.probability
			}
			if math.IsNaN(w) {
				return invalidf(in.line, "<ScoreDistribution> of class %q has no recordCount or probability", d.value)
			}
			row[c] += w
			sum += w
			if !math.IsNaN(d.recordCount) {
				counts[c] += d.recordCount
			}
			if !math.IsNaN(d.confidence) {
				conf[c], tr.hasConf = d.confidence, true
			}
		}
		if sum > 0 && sum != 1 {
			for c := range row {
				row[c] /= sum
			}
		}
		tr.probs, tr.confs, tr.counts = append(tr.probs, row...), append(tr.confs, conf...), append(tr.counts, counts...)
	}
	return nil
}
