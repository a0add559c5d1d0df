package pmml

// knnTargetSource is where a target's training values come from while
// compiling.
type knnTargetSource struct {
	col int
	dt  dataType
}

// initTargets sets up the model's targets, in MiningSchema order, and
// finds their columns among the InstanceFields.
func (nn *knn) initTargets(mc *modelCtx, x *xnode, column func(string) (int, bool)) error {
	m := mc.hdr
	targets := m.targetFields()
	if len(targets) == 0 {
		return unsupported(m.kind, m.line, "a NearestNeighborModel without targets")
	}
	if len(targets) > 1 && m.functionName != "mixed" {
		return unsupported(m.kind, m.line, "several targets in a "+m.functionName+" NearestNeighborModel")
	}
	nn.sources = nn.sources[:0]
	for i, t := range targets {
		col, ok := column(t.name)
		if !ok {
			return x.errorf("has no InstanceField for the target %q", t.name)
		}
		slot, ok := mc.sc.lookup(t.name)
		if !ok {
			return elemErrorf("MiningField", t.line, "%q is not a field of the model", t.name)
		}
		def := mc.c.slots[slot]
		opType := t.opType
		if opType == "" {
			opType = def.opType
		}
		tg := knnTarget{categorical: opType != "continuous" || !def.dt.numeric()}
		switch {
		case i > 0:
		case m.functionName == "classification":
			if !tg.categorical {
				return elemErrorf("MiningField", t.line, "%q is the continuous target of a classification", t.name)
			}
			nn.primary = knnPrimaryClass
		case m.functionName == "regression":
			if tg.categorical {
				return elemErrorf("MiningField", t.line, "%q is the categorical target of a regression", t.name)
			}
			nn.primary = knnPrimaryNumber
		case tg.categorical:
			nn.primary = knnPrimaryValue
		default:
			nn.primary = knnPrimaryNumber
		}
		nn.targets = append(nn.targets, tg)
		nn.sources = append(nn.sources, knnTargetSource{col: col, dt: def.dt})
	}
	return nil
}

// addTargets appends the target values of training instance n.
func (nn *knn) addTargets(mc *modelCtx, row *xnode, n int, cells []string) error {
	for i := range nn.targets {
		t, src := &nn.targets[i], nn.sources[i]
		text := cells[src.col]
		if text == "\x00" || text == "" {
			return row.errorf("(training instance %d) has no value for target %d", n, i+1)
		}
		v := convert(Text(text), src.dt)
		if v.Kind == KindInvalid || v.Kind == KindMissing {
			return row.errorf("(training instance %d) has target value %q, which is not a %s", n, text, src.dt.name())
		}
		if !t.categorical {
			if v.Kind != KindNumber {
				return row.errorf("(training instance %d) has target value %q, which is not a number", n, text)
			}
			t.nums = append(t.nums, v.Num)
			continue
		}
		label := -1
		for j, l := range t.labels {
			if equalValues(l, v) {
				label = j
				break
			}
		}
		if label < 0 {
			label = len(t.labels)
			t.labels = append(t.labels, v)
			t.counts = append(t.counts, 0)
			if i == 0 && nn.primary == knnPrimaryClass {
				t.class = append(t.class, mc.class(text))
			}
			nn.maxLabels = max(nn.maxLabels, len(t.labels))
		}
		t.counts[label]++
		t.cats = append(t.cats, int32(label))
	}
	return nil
}
