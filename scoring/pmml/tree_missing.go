package pmml

// evalAll scores a tree whose missingValueStrategy follows every branch a
// missing value leaves open, as pmml4s does (JPMML does not implement
// them): weightedConfidence weighs the confidences of the children whose
// predicate is unknown by their share of the parent's records;
// aggregateNodes sums the record counts of every leaf such a record can
// reach. Both are classification-only and rare, so they favour clarity
// over speed.
func (tr *tree) evalAll(s *state, r *result, n int32) {
	for !tr.nodes[n].leaf() {
		chosen, unknown := int32(-1), false
		for c := range tr.children(n) {
			t := tr.test(s, c)
			if t == triTrue {
				chosen = c
				break
			}
			unknown = unknown || t == triUnknown
		}
		switch {
		case chosen >= 0:
			n = chosen
			continue
		case unknown && tr.strategy == mvsWeighted:
			tr.weighted(s, r, n)
			return
		case unknown:
			tr.aggregate(s, r, n)
			return
		case tr.noTrueLast && tr.hasScore(n):
			tr.choose(s, r, n, 0)
		}
		return
	}
	tr.choose(s, r, n, 0)
}

// weighted predicts from the children of n whose predicate is unknown.
func (tr *tree) weighted(s *state, r *result, n int32) {
	total := tr.records[n]
	conf := r.conf[:tr.nclasses]
	clear(conf)
	for c := range tr.children(n) {
		off := tr.dist[c]
		if tr.test(s, c) != triUnknown || off < 0 {
			continue
		}
		for k := range conf {
			conf[k] += tr.confs[int(off)+k] * tr.records[c] / total
		}
	}
	best := -1
	for k, v := range conf {
		if v > 0 && (best < 0 || v > conf[best]) {
			best = k
		}
	}
	if best < 0 {
		return
	}
	r.ok, r.class, r.hasConf = true, int32(best), true
}

// aggregate predicts from the record counts of every leaf reachable from n.
func (tr *tree) aggregate(s *state, r *result, n int32) {
	counts := r.probabilities()[:tr.nclasses]
	tr.reach(s, n, counts)
	total := 0.0
	for _, v := range counts {
		total += v
	}
	if total <= 0 {
		r.hasProbs = false
		return
	}
	for k := range counts {
		counts[k] /= total
	}
	r.argmax()
	copy(r.conf, counts)
	r.hasConf = true
}

// reach adds the record counts of the leaves reachable from n: a child
// that holds is followed alone; otherwise every child that is unknown.
func (tr *tree) reach(s *state, n int32, counts []float64) {
	if tr.nodes[n].leaf() {
		if off := tr.dist[n]; off >= 0 {
			for k := range counts {
				counts[k] += tr.counts[int(off)+k]
			}
		}
		return
	}
	for c := range tr.children(n) {
		switch tr.test(s, c) {
		case triTrue:
			tr.reach(s, c, counts)
			return
		case triUnknown:
			tr.reach(s, c, counts)
		}
	}
}

// children yields the children of node n.
func (tr *tree) children(n int32) func(func(int32) bool) {
	return func(yield func(int32) bool) {
		for c, end := tr.nodes[n].first(), tr.nodes[n].end(); c < end; c++ {
			if !yield(c) {
				return
			}
		}
	}
}
