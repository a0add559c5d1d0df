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
// one level of each in turn. A tree walk is a chain of dependent loads
// (often cache misses), each waiting on the one before; walking several
// trees in step keeps several in flight. Only plain numeric
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
			if nd.kids&splitFlag != 0 {
				// tree.split inlined, for a field already computed.
				c := nd.first()
				cn := &nodes[c]
				if slot := cn.slot(); gen[slot] == cur {
					if v := &vals[slot]; v.Kind == KindNumber && v.Num == v.Num {
						at[i] = c + right(v.Num, cn.num)
						continue
					}
				}
			}
			if nd.leaf() {
				active &^= 1 << i
				f := tr.scores[at[i]]
				l.v[i], l.ok[i] = f, f == f
				continue
			}
			c, st := tr.step(s, nd)
			switch st {
			case stepMoved:
				at[i] = c
			case stepSlow:
				slow[i] = true
				active &^= 1 << i
			case stepNone: // no child holds
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

// Outcomes of tree.step.
const (
	stepMoved = iota // to the child returned
	stepNone         // no child holds
	stepSlow         // a child needs tree.predict: a missing value, another predicate
)

// step picks the child of inner node nd for the row when the children
// are plain numeric comparisons of a number.
func (tr *tree) step(s *state, nd *treeNode) (int32, uint8) {
	if nd.kids&splitFlag != 0 {
		if c, ok := tr.split(s, nd); ok {
			return c, stepMoved
		}
	}
	nodes, vals, gen, cur := tr.nodes, s.vals, s.gen, s.cur
	for c, end := nd.first(), nd.end(); c < end; c++ {
		cn := &nodes[c]
		op := cn.op()
		if op < opLT || op > opGE {
			return 0, stepSlow
		}
		slot := cn.slot()
		if gen[slot] != cur {
			s.compute(slot)
		}
		v := &vals[slot]
		if v.Kind != KindNumber {
			return 0, stepSlow
		}
		x, t := v.Num, cn.num
		switch {
		case op == opLT && x < t, op == opLE && x <= t, op == opGT && x > t, op == opGE && x >= t:
			return c, stepMoved
		}
	}
	return 0, stepNone
}
