package pmml

// laneWidth is how many trees predictLanes walks at once.
const laneWidth = 8

// lanes holds the predictions of trees walked together: segments
// from..from+n-1 of a MiningModel.
type lanes struct {
	from, n int
	v       [laneWidth]float64
	ok      [laneWidth]bool
}

// predictLanes predicts with up to laneWidth regression trees at once,
// one level of each in turn. A forest is bound by memory latency: a tree
// walk is a chain of cache misses, each waiting on the one before. Walking
// several trees in step keeps several misses in flight. Only plain numeric
// splits are walked here; a tree that meets anything else (a missing
// value, another predicate) is scored again with tree.predict, which
// knows every strategy.
func predictLanes(s *state, trees []*tree, l *lanes) {
	var at [laneWidth]int32
	var slow [laneWidth]bool
	vals, gen, cur := s.vals, s.gen, s.cur
	active := 0
	for i, tr := range trees {
		at[i] = 0
		if tr.nodes[0].op() != opTrue {
			slow[i] = true
			continue
		}
		active |= 1 << i
	}
	for active != 0 {
		for i, tr := range trees {
			if active&(1<<i) == 0 {
				continue
			}
			nodes := tr.nodes
			nd := &nodes[at[i]]
			if nd.leaf() {
				active &^= 1 << i
				f := tr.scores[at[i]]
				l.v[i], l.ok[i] = f, f == f
				continue
			}
			if nd.kids&splitFlag != 0 {
				if c, ok := tr.split(s, nd); ok {
					at[i] = c
					continue
				}
			}
			moved := false
		kids:
			for c, end := nd.first(), nd.end(); c < end; c++ {
				cn := &nodes[c]
				op := cn.op()
				if op < opLT || op > opGE {
					slow[i] = true
					break
				}
				slot := cn.slot()
				if gen[slot] != cur {
					s.compute(slot)
				}
				v := &vals[slot]
				if v.Kind != KindNumber {
					slow[i] = true
					break
				}
				x, t := v.Num, cn.num
				switch {
				case op == opLT && x < t, op == opLE && x <= t, op == opGT && x > t, op == opGE && x >= t:
					at[i], moved = c, true
					break kids
				}
			}
			switch {
			case slow[i]:
				active &^= 1 << i
			case !moved: // no child holds
				active &^= 1 << i
				f := tr.scores[at[i]]
				l.v[i], l.ok[i] = f, tr.noTrueLast && f == f
			}
		}
	}
	for i, tr := range trees {
		if slow[i] {
			l.v[i], l.ok[i] = tr.predict(s)
		}
	}
}
