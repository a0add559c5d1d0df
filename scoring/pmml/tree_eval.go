package pmml

import "math"

// treeNode is the hot part of a node, what walking the tree reads, packed
// in 16 bytes so that four nodes share a cache line: a forest is bound by
// memory, not arithmetic. A SimplePredicate on a numeric field is inline
// (op, slot, num); anything else is opComplex with slot indexing
// tree.preds. The nodes are in breadth-first order with the children of a
// node side by side, so testing the children of a node reads one cache
// line, and the upper levels of all trees, which every row walks, stay in
// cache.
type treeNode struct {
	num float64
	// pred is op<<24 | slot; kids is count<<24 | first child.
	pred, kids uint32
}

// Packing limits of treeNode.
const (
	maxPacked   = 1<<24 - 1
	maxChildren = 127
	// splitFlag marks a node whose two children split one numeric field
	// at one threshold (x <= t, then x > t; a pair < and >= is rewritten
	// to this, see relayout), as sklearn, XGBoost and LightGBM write every
	// split: the walk then picks the child with one comparison and no
	// branch on its outcome.
	splitFlag = 1 << 31
)

func (n *treeNode) op() uint8    { return uint8(n.pred >> 24) }
func (n *treeNode) slot() int32  { return int32(n.pred & maxPacked) }
func (n *treeNode) first() int32 { return int32(n.kids & maxPacked) }
func (n *treeNode) count() int32 { return int32(n.kids>>24) & maxChildren }
func (n *treeNode) leaf() bool   { return n.count() == 0 }
func (n *treeNode) end() int32   { return n.first() + n.count() }

// split picks the child of a splitFlag node for the current row: ok is
// false when the field is not a number, and the children must be tested
// one by one.
func (tr *tree) split(s *state, n *treeNode) (int32, bool) {
	c := n.first()
	cn := &tr.nodes[c]
	slot := cn.slot()
	if s.gen[slot] != s.cur {
		s.compute(slot)
	}
	v := &s.vals[slot]
	if v.Kind != KindNumber || v.Num != v.Num {
		return 0, false
	}
	return c + right(v.Num, cn.num), true
}

// right is 1 when x > t, else 0: the child of a split (x <= t, x > t)
// that holds, as an offset from the first. Which child a row takes is
// as good as random, so this is arithmetic, not a branch the processor
// would mispredict half the time.
func right(x, t float64) int32 {
	var d int32
	if x > t {
		d = 1
	}
	return d
}

// buildNode is a node's predicate before packing.
type buildNode struct {
	num  float64
	slot int32
	op   uint8
}

// tree is a compiled TreeModel. Per-node results are in parallel arrays
// (struct of arrays), so the walk touches only nodes.
type tree struct {
	nodes []treeNode
	preds []predicate
	// scores are regression scores (NaN: none); classes the predicted
	// class of each node (-1: none).
	scores  []float64
	classes []int32
	// dist[n] is the offset of node n's distribution in probs, confs and
	// counts (nclasses each), or -1.
	dist         []int32
	probs, confs []float64
	counts       []float64
	hasConf      bool
	records      []float64
	defaultChild []int32
	ids          []string // nil when no node has an id
	nclasses     int
	strategy     uint8
	noTrueLast   bool
	penalty      float64
	classify     bool
}

func (tr *tree) eval(s *state, r *result) {
	if tr.test(s, 0) != triTrue {
		return // the root does not hold: no prediction
	}
	if tr.strategy == mvsWeighted || tr.strategy == mvsAggregate {
		tr.evalAll(s, r, 0)
		return
	}
	n, levels, ok := tr.walk(s)
	if ok {
		tr.choose(s, r, n, levels)
	}
}

// walk follows the tree from its root, which holds, to the node that
// decides, and counts the missing value levels on the way. ok is false
// when the tree gives no prediction.
func (tr *tree) walk(s *state) (n int32, levels int, ok bool) {
	nodes, vals, gen, cur := tr.nodes, s.vals, s.gen, s.cur
	surrogates := s.surrogates
walk:
	for !nodes[n].leaf() {
		if nodes[n].kids&splitFlag != 0 {
			if c, ok := tr.split(s, &nodes[n]); ok {
				n = c
				continue
			}
		}
		for c, end := nodes[n].first(), nodes[n].end(); c < end; c++ {
			// The usual split, a number against a threshold, is tested
			// here; everything else in test.
			cn := &nodes[c]
			if op := cn.op(); op >= opLT && op <= opGE {
				slot := cn.slot()
				if gen[slot] != cur {
					s.compute(slot)
				}
				if v := &vals[slot]; v.Kind == KindNumber {
					x, t := v.Num, cn.num
					if (op == opLT && x < t) || (op == opLE && x <= t) || (op == opGT && x > t) || (op == opGE && x >= t) {
						n = c
						continue walk
					}
					continue
				}
			}
			switch tr.test(s, c) {
			case triTrue:
				n = c
				continue walk
			case triUnknown:
				switch tr.strategy {
				case mvsNull:
					return 0, 0, false
				case mvsLast:
					return n, levels + s.surrogates - surrogates, true
				case mvsDefault:
					if tr.defaultChild[n] < 0 {
						return 0, 0, false
					}
					n, levels = tr.defaultChild[n], levels+1
					continue walk
				}
			}
		}
		// No child holds.
		return n, levels + s.surrogates - surrogates, tr.noTrueLast && tr.hasScore(n)
	}
	return n, levels + s.surrogates - surrogates, true
}

// predict is eval for a regression tree whose result nobody else reads:
// a forest's member, summed without the bookkeeping of a result.
func (tr *tree) predict(s *state) (float64, bool) {
	if tr.test(s, 0) != triTrue {
		return 0, false
	}
	n, _, ok := tr.walk(s)
	if !ok {
		return 0, false
	}
	f := tr.scores[n]
	return f, f == f
}

// test evaluates the predicate of node i.
func (tr *tree) test(s *state, i int32) uint8 {
	n := &tr.nodes[i]
	switch n.op() {
	case opTrue:
		return triTrue
	case opFalse:
		return triFalse
	case opComplex:
		return tr.preds[n.slot()].test(s)
	}
	v := s.get(n.slot())
	switch n.op() {
	case opIsMissing:
		return b2t(v.Kind == KindMissing)
	case opIsNotMissing:
		return b2t(v.Kind != KindMissing)
	}
	return compareOp(n.op(), v, n.num)
}

func (tr *tree) hasScore(n int32) bool {
	if tr.classify {
		return tr.classes[n] >= 0 || tr.dist[n] >= 0
	}
	return !math.IsNaN(tr.scores[n])
}

// choose makes node n the prediction; levels is how many times a missing
// value was stepped around (default children, surrogates), each costing
// the missingValuePenalty on the confidence.
func (tr *tree) choose(s *state, r *result, n int32, levels int) {
	if tr.ids != nil {
		r.entity = tr.ids[n]
	}
	if !tr.classify {
		r.setNumber(tr.scores[n])
		return
	}
	r.class = tr.classes[n]
	if off := tr.dist[n]; off >= 0 {
		copy(r.probabilities(), tr.probs[off:int(off)+tr.nclasses])
		if tr.hasConf {
			penalty := 1.0
			if levels > 0 {
				penalty = math.Pow(tr.penalty, float64(levels))
			}
			for c := range r.conf[:tr.nclasses] {
				r.conf[c] = tr.confs[int(off)+c] * penalty
			}
			r.hasConf = true
		}
		if r.class < 0 {
			r.argmax()
		}
	} else if r.class >= 0 {
		r.probabilities()[r.class] = 1
	}
	r.ok = r.class >= 0
}
