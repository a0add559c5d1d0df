package pmml

import (
	"fmt"
	"math"
)

// relayout reorders the nodes, decoded depth first and linked by links,
// breadth first with the children of each node side by side (see
// treeNode), and moves every per-node array along.
func (tr *tree) relayout(links []link, build []buildNode) error {
	n := len(build)
	if n > maxPacked {
		return fmt.Errorf("a tree has %d Nodes; at most %d are supported", n, maxPacked)
	}
	order := make([]int32, 0, n) // new index -> old index
	newOf := make([]int32, n)    // old index -> new index
	first := make([]int32, n)    // by new index
	count := make([]uint32, n)
	order = append(order, 0)
	newOf[0] = 0
	for i := 0; i < len(order); i++ {
		old := order[i]
		first[i] = int32(len(order))
		k := 0
		for c := links[old].first; c >= 0; c = links[c].next {
			newOf[c] = int32(len(order))
			order = append(order, c)
			k++
		}
		if k > maxChildren {
			return fmt.Errorf("a Node has %d children; at most %d are supported", k, maxChildren)
		}
		count[i] = uint32(k)
	}
	if len(order) != n {
		return fmt.Errorf("the Nodes do not form one tree")
	}
	nodes := make([]treeNode, n)
	for i, old := range order {
		b := &build[old]
		if b.slot > maxPacked {
			return fmt.Errorf("a tree reads field slot %d; at most %d are supported", b.slot, maxPacked)
		}
		nodes[i] = treeNode{num: b.num, pred: uint32(b.op)<<24 | uint32(b.slot), kids: count[i]<<24 | uint32(first[i])}
	}
	for i := range nodes {
		nd := &nodes[i]
		if nd.count() != 2 {
			continue
		}
		a, b := &nodes[nd.first()], &nodes[nd.first()+1]
		if a.slot() != b.slot() || a.num != b.num {
			continue
		}
		switch {
		case a.op() == opLE && b.op() == opGT:
			nd.kids |= splitFlag
		case a.op() == opLT && b.op() == opGE && !math.IsInf(a.num, -1):
			// x < t is x <= t' and x >= t is x > t' for every number x
			// (NaN included: all four are false) with t' the double
			// below t, so the pair becomes the usual one and split makes
			// one comparison.
			t := math.Nextafter(a.num, math.Inf(-1))
			a.pred = uint32(opLE)<<24 | uint32(a.slot())
			b.pred = uint32(opGT)<<24 | uint32(b.slot())
			a.num, b.num = t, t
			nd.kids |= splitFlag
		}
	}
	tr.nodes = nodes
	tr.scores = permute(tr.scores, order)
	tr.classes = permute(tr.classes, order)
	tr.dist = permute(tr.dist, order)
	tr.records = permute(tr.records, order)
	tr.ids = permute(tr.ids, order)
	tr.defaultChild = permute(tr.defaultChild, order)
	for i, d := range tr.defaultChild {
		if d >= 0 {
			tr.defaultChild[i] = newOf[d]
		}
	}
	return nil
}

// permute returns xs in the new order; nil stays nil.
func permute[T any](xs []T, order []int32) []T {
	if xs == nil {
		return nil
	}
	out := make([]T, len(xs))
	for i, old := range order {
		out[i] = xs[old]
	}
	return out
}
