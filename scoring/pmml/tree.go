package pmml

import (
	"encoding/xml"
	"math"
)

// treeKind decodes a TreeModel straight into flat arrays as the document
// streams by: nodes in document (depth-first) order, linked to their first
// child and next sibling. Only the predicates that are not a plain
// SimplePredicate are kept as xnodes. compile (tree_eval.go) turns the
// arrays into the walk's layout.
type treeKind struct {
	m     *model
	links []link
	raws  []rawPred
	info  []nodeInfo
	dists []rawDist
	root  bool
}

func newTreeKind(m *model) kindCompiler { return &treeKind{m: m} }

// link places a node in document order: its first child and its next
// sibling (-1: none). compile lays the nodes out again for the walk.
type link struct{ first, next int32 }

// rawPred is a node's predicate as decoded: a SimplePredicate's attributes
// or, for any other predicate, the whole element.
type rawPred struct {
	field, op, value string
	x                *xnode
	line             int
}

// nodeInfo is what a node says besides its predicate.
type nodeInfo struct {
	id, score    string
	hasScore     bool
	recordCount  float64 // NaN when absent
	defaultChild string
	// dists[distFrom:distTo] are the node's ScoreDistributions.
	distFrom, distTo int32
	line             int
}

// rawDist is a ScoreDistribution; absent numbers are NaN.
type rawDist struct {
	value                                string
	recordCount, probability, confidence float64
}

func (t *treeKind) element(d *decoder, p *parser, se xml.StartElement) error {
	if se.Name.Local != "Node" {
		return unsupported(se.Name.Local, p.line(), "<"+se.Name.Local+"> in a TreeModel")
	}
	if t.root {
		return p.errorf("the TreeModel has a second root Node")
	}
	t.root = true
	_, err := t.node(d, p, se)
	return err
}

// node decodes the Node just started and its subtree, returning its index.
func (t *treeKind) node(d *decoder, p *parser, se xml.StartElement) (int32, error) {
	if err := d.countNode(p); err != nil {
		return 0, err
	}
	i := int32(len(t.links))
	t.links = append(t.links, link{first: -1, next: -1})
	t.raws = append(t.raws, rawPred{line: p.line()})
	t.info = append(t.info, nodeInfo{}) // filled in once the children are read
	in := nodeInfo{line: p.line(), recordCount: math.NaN(), distFrom: int32(len(t.dists))}
	in.id = attrOr(se, "id", "")
	in.score, in.hasScore = attr(se, "score")
	in.defaultChild = attrOr(se, "defaultChild", "")
	if rc, ok := attr(se, "recordCount"); ok {
		f, err := parseNumber(rc)
		if err != nil {
			return 0, p.errorf("Node recordCount=%q is not a number", rc)
		}
		in.recordCount = f
	}
	last, hasPred := int32(-1), false
	err := p.children(func(c xml.StartElement) error {
		if c.Name.Space != p.space {
			return p.skip()
		}
		switch name := c.Name.Local; {
		case predicateKinds[name]:
			if hasPred {
				return p.errorf("a Node has a second predicate <%s>", name)
			}
			hasPred = true
			if name == "SimplePredicate" {
				r := &t.raws[i]
				r.field, r.op, r.value = attrOr(c, "field", ""), attrOr(c, "operator", ""), attrOr(c, "value", "")
				r.line = p.line()
				return p.skip()
			}
			x, err := p.element(c)
			t.raws[i].x = x
			return err
		case name == "ScoreDistribution":
			if last >= 0 {
				return p.errorf("a ScoreDistribution follows the child Nodes of its Node")
			}
			return t.scoreDistribution(p, c)
		case name == "Node":
			if last < 0 {
				in.distTo = int32(len(t.dists))
			}
			k, err := t.node(d, p, c)
			if err != nil {
				return err
			}
			if last < 0 {
				t.links[i].first = k
			} else {
				t.links[last].next = k
			}
			last = k
			return nil
		case name == "Extension", name == "Partition":
			return p.skip()
		}
		return unsupported(c.Name.Local, p.line(), "<"+c.Name.Local+"> in a Node")
	})
	if err != nil {
		return 0, err
	}
	if !hasPred {
		return 0, invalidf(in.line, "a Node has no predicate")
	}
	if last < 0 {
		in.distTo = int32(len(t.dists))
	}
	t.info[i] = in
	return i, nil
}

func (t *treeKind) scoreDistribution(p *parser, se xml.StartElement) error {
	dist := rawDist{value: attrOr(se, "value", ""), recordCount: math.NaN(), probability: math.NaN(), confidence: math.NaN()}
	for _, a := range []struct {
		name string
		to   *float64
	}{{"recordCount", &dist.recordCount}, {"probability", &dist.probability}, {"confidence", &dist.confidence}} {
		if s, ok := attr(se, a.name); ok {
			f, err := parseNumber(s)
			if err != nil {
				return p.errorf("ScoreDistribution %s=%q is not a number", a.name, s)
			}
			*a.to = f
		}
	}
	if _, ok := attr(se, "value"); !ok {
		return p.errorf("a ScoreDistribution has no value")
	}
	t.dists = append(t.dists, dist)
	return p.skip()
}

// treeStrategies are the TreeModel missingValueStrategy values.
var treeStrategies = map[string]uint8{
	"none": mvsNone, "lastPrediction": mvsLast, "nullPrediction": mvsNull, "defaultChild": mvsDefault,
	"weightedConfidence": mvsWeighted, "aggregateNodes": mvsAggregate,
}

// Missing value strategies.
const (
	mvsNone uint8 = iota
	mvsLast
	mvsNull
	mvsDefault
	mvsWeighted
	mvsAggregate
)
