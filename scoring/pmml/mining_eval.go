package pmml

import (
	"math"
	"sort"
)

func (mg *mining) eval(s *state, r *result) {
	switch mg.method {
	case mmSelectFirst:
		for i := range mg.segs {
			if sg := &mg.segs[i]; sg.pred.test(s) == triTrue {
				mg.adopt(r, sg, sg.cm.run(s))
				return
			}
		}
		return
	case mmModelChain:
		var last *segment
		var lr *result
		for i := range mg.segs {
			if sg := &mg.segs[i]; sg.pred.test(s) == triTrue {
				last, lr = sg, sg.cm.run(s)
			}
		}
		if last != nil {
			mg.adopt(r, last, lr)
		}
		return
	case mmSelectAll:
		for i := range mg.segs {
			if sg := &mg.segs[i]; sg.pred.test(s) == triTrue {
				sg.cm.run(s)
			}
		}
		return // the segments' results are read through segmentId
	}
	if mg.classify {
		mg.combineClasses(s, r)
	} else {
		mg.combineValues(s, r)
	}
}

// adopt makes a segment's result the MiningModel's.
func (mg *mining) adopt(r *result, sg *segment, sr *result) {
	if !sr.ok {
		return
	}
	r.ok, r.entity = true, sr.entity
	if !mg.classify {
		r.value = sr.value
		if r.value.Kind == KindNumber {
			r.value.Num = mg.round(r.value.Num)
		}
		return
	}
	r.class = -1
	if sr.class >= 0 && int(sr.class) < len(sg.classMap) {
		r.class = sg.classMap[sr.class]
	}
	if sr.hasProbs {
		probs := r.probabilities()
		for i, c := range sg.classMap {
			probs[c] += sr.probs[i]
		}
	}
	if sr.hasConf {
		clear(r.conf)
		for i, c := range sg.classMap {
			r.conf[c] += sr.conf[i]
		}
		r.hasConf = true
	}
	r.ok = r.class >= 0
}

func (mg *mining) round(f float64) float64 {
	if mg.float {
		return float64(float32(f))
	}
	return f
}

// skip decides what a segment without a prediction does to the whole:
// done reports that the MiningModel has no prediction either.
func (mg *mining) skip(missingWeight *float64, sg *segment) (done bool) {
	switch mg.missing {
	case mpSkipSegment:
		*missingWeight += sg.weight
		return *missingWeight/mg.weightSum > mg.threshold
	}
	return true
}

// combineValues aggregates the numbers of regression segments.
func (mg *mining) combineValues(s *state, r *result) {
	var sum, wsum, missing float64
	sum32 := mg.base
	n := 0
	vals := r.scratch[:0]
	var lane lanes
	for i := range mg.segs {
		sg := &mg.segs[i]
		var v float64
		var ok bool
		if sg.fast != nil && !sg.cm.needsResult {
			// Trees are walked lanes at a time (tree_lanes.go), and their
			// predictions then summed in segment order.
			k := i - lane.from
			if i >= lane.from+lane.n {
				k = mg.fill(s, &lane, i)
			}
			v, ok = lane.v[k], lane.ok[k]
		} else if sg.pred.test(s) != triTrue {
			continue
		} else {
			sr := sg.cm.run(s)
			v, ok = sr.value.Float()
			ok = ok && sr.ok
		}
		if !ok {
			if mg.skip(&missing, sg) {
				return
			}
			continue
		}
		n++
		switch mg.method {
		case mmSum, mmAverage:
			sum += v
			sum32 += float32(v)
		case mmWeightedAverage, mmWeightedSum:
			sum += v * sg.weight
			sum32 += float32(v) * float32(sg.weight)
			wsum += sg.weight
		case mmMax:
			if n == 1 || v > sum {
				sum = v
			}
			sum32 = float32(sum)
		case mmMedian, mmWeightedMedian:
			vals = append(vals, v, sg.weight)
		}
	}
	if n == 0 {
		return
	}
	if mg.float {
		sum = float64(sum32)
	}
	switch mg.method {
	case mmAverage:
		sum /= float64(n)
	case mmWeightedAverage:
		sum /= wsum
	case mmMedian, mmWeightedMedian:
		sum = weightedMedian(vals, mg.method == mmMedian)
	}
	r.setNumber(mg.round(sum))
}

// weightedMedian takes (value, weight) pairs. The plain median averages
// the two middle values of an even count; the weighted one is the
// smallest value whose cumulative weight reaches half the total, as
// scikit-learn's AdaBoostRegressor predicts.
func weightedMedian(pairs []float64, plain bool) float64 {
	n := len(pairs) / 2
	idx := make([]int, n) // allocation is fine: median ensembles are rare and small
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return pairs[2*idx[a]] < pairs[2*idx[b]] })
	if plain {
		if n%2 == 1 {
			return pairs[2*idx[n/2]]
		}
		return (pairs[2*idx[n/2-1]] + pairs[2*idx[n/2]]) / 2
	}
	total := 0.0
	for i := range n {
		total += pairs[2*i+1]
	}
	acc := 0.0
	for _, i := range idx {
		acc += pairs[2*i+1]
		if acc >= total/2 {
			return pairs[2*i]
		}
	}
	return math.NaN()
}

// combineClasses aggregates the votes or probabilities of classification
// segments into the MiningModel's classes.
func (mg *mining) combineClasses(s *state, r *result) {
	probs := r.probabilities()
	var total, missing float64
	n := 0
	for i := range mg.segs {
		sg := &mg.segs[i]
		if sg.pred.test(s) != triTrue {
			continue
		}
		sr := sg.cm.run(s)
		if !sr.ok {
			if mg.skip(&missing, sg) {
				r.hasProbs = false
				return
			}
			continue
		}
		n++
		switch mg.method {
		case mmMajorityVote, mmWeightedMajorityVote:
			w := 1.0
			if mg.method == mmWeightedMajorityVote {
				w = sg.weight
			}
			if sr.class >= 0 {
				probs[sg.classMap[sr.class]] += w
				total += w
			}
		case mmAverage, mmWeightedAverage:
			w := 1.0
			if mg.method == mmWeightedAverage {
				w = sg.weight
			}
			for k, c := range sg.classMap {
				if sr.hasProbs {
					probs[c] += w * sr.probs[k]
				} else if int32(k) == sr.class {
					probs[c] += w
				}
			}
			total += w
		case mmMax:
			best := 0.0
			if sr.class >= 0 && sr.hasProbs {
				best = sr.probs[sr.class]
			}
			if n == 1 || best > total {
				total = best
				clear(probs)
				for k, c := range sg.classMap {
					if sr.hasProbs {
						probs[c] = sr.probs[k]
					}
				}
			}
		default: // median
			return
		}
	}
	if n == 0 || total == 0 {
		r.hasProbs = false
		return
	}
	if mg.method != mmMax {
		for c := range probs {
			probs[c] /= total
		}
	}
	r.argmax()
}

// fill walks the run of fast segments from i, up to a lane's width, and
// returns i's place in it.
func (mg *mining) fill(s *state, l *lanes, i int) int {
	var trees [laneWidth]*tree
	k := 0
	for j := i; j < len(mg.segs) && k < laneWidth; j++ {
		sg := &mg.segs[j]
		if sg.fast == nil || sg.cm.needsResult {
			break
		}
		trees[k] = sg.fast
		k++
	}
	l.from, l.n = i, k
	predictLanes(s, trees[:k], l)
	return 0
}
