package pmml

import "math"

// eval sums the partial scores and ranks the reason codes as JPMML does:
// each code collects the differences between baseline and partial score
// of the Attributes that matched with it (summed when several
// Characteristics share a code), codes with a negative total are dropped
// (they did not pull the score down), and the rest are ranked by total,
// highest first, ties in the order the codes were first met.
func (sc *scorecard) eval(s *state, r *result) {
	score := sc.initial
	n := len(sc.codes)
	points, order := r.scratch[:n], r.scratch[n:2*n]
	for i := range points {
		points[i] = math.NaN() // not met in this row
	}
	met := 0
	for c := range sc.chars {
		ch := &sc.chars[c]
		matched := false
		for a := range ch.attrs {
			at := &ch.attrs[a]
			if at.pred.test(s) != triTrue {
				continue
			}
			partial := at.score
			if at.complex != nil {
				v := at.complex.eval(s)
				if v.Kind != KindNumber {
					return // an undefined partial score leaves the score undefined
				}
				partial = v.Num
			}
			score += partial
			if at.code >= 0 {
				diff := ch.baseline - partial
				if sc.pointsAbove {
					diff = -diff
				}
				if math.IsNaN(points[at.code]) {
					points[at.code] = 0
					order[met] = float64(at.code)
					met++
				}
				points[at.code] += diff
			}
			matched = true
			break
		}
		if !matched {
			// "If not even a single Attribute evaluates to true for a
			// given Characteristic, the scorecard as a whole returns an
			// invalid value."
			return
		}
	}
	if sc.float {
		score = float64(float32(score))
	}
	r.setNumber(score)
	if !r.ok {
		return
	}
	// Rank the codes met: an insertion sort, stable, on a handful of
	// codes, without allocating.
	ranked := order[:met]
	for i := 1; i < len(ranked); i++ {
		for j := i; j > 0 && points[int(ranked[j])] > points[int(ranked[j-1])]; j-- {
			ranked[j], ranked[j-1] = ranked[j-1], ranked[j]
		}
	}
	for _, c := range ranked {
		if points[int(c)] >= 0 {
			r.reasons = append(r.reasons, sc.codes[int(c)])
		}
	}
}
