package pmml

import "math"

// eval finds the k training instances nearest to the row (ties keep
// document order, as JPMML's stable sort does), predicts every target from
// them and ranks their ids for entityId outputs. A missing input leaves
// the row unscored.
func (nn *knn) eval(s *state, r *result) {
	nIn := len(nn.inputs)
	sc := r.scratch
	q, dist, nb := sc[:nIn], sc[nIn:nIn+nn.rows], sc[nIn+nn.rows:nIn+nn.rows+nn.k]
	vals := sc[nIn+nn.rows+nn.k : nIn+nn.rows+2*nn.k]
	votes := sc[nIn+nn.rows+2*nn.k:]
	for j := range nn.inputs {
		f, err := nn.inputs[j].code(*s.get(nn.inputs[j].slot), false)
		if err != nil {
			return
		}
		q[j] = f
	}
	for i := range dist {
		dist[i] = nn.compare(q, nn.x[i*nIn:(i+1)*nIn])
	}
	found := nn.nearest(dist, nb)
	if found < nn.k {
		return
	}
	for i := range nn.targets {
		v, label := nn.predict(&nn.targets[i], dist, nb, vals, votes)
		if i > 0 {
			r.targets = append(r.targets, v)
			continue
		}
		switch nn.primary {
		case knnPrimaryNumber:
			if nn.float {
				v.Num = float64(float32(v.Num))
			}
			r.setNumber(v.Num)
			v = r.value
		case knnPrimaryClass:
			r.ok, r.class = true, nn.targets[0].class[label]
		default:
			r.ok, r.value = true, v
		}
		r.targets = append(r.targets, v)
	}
	for _, i := range nb {
		r.entities = append(r.entities, nn.ids[int(i)])
	}
	r.entity = r.entities[0]
}

// compare returns the distance (or similarity) between the row q and a
// training instance y.
func (nn *knn) compare(q, y []float64) float64 {
	if nn.similarity {
		var a11, a10, a01, a00 float64
		for j := range q {
			switch x, t := q[j] != 0, y[j] != 0; {
			case x && t:
				a11++
			case x:
				a10++
			case t:
				a01++
			default:
				a00++
			}
		}
		switch nn.measure {
		case knnSimpleMatching:
			return (a11 + a00) / (a11 + a10 + a01 + a00)
		case knnJaccard:
			return a11 / (a11 + a10 + a01)
		case knnTanimoto:
			return (a11 + a00) / (a11 + 2*(a10+a01) + a00)
		}
		b := &nn.bin // c00, c01, c10, c11, d00, d01, d10, d11
		return (b[3]*a11 + b[2]*a10 + b[1]*a01 + b[0]*a00) / (b[7]*a11 + b[6]*a10 + b[5]*a01 + b[4]*a00)
	}
	acc := 0.0
	if nn.squares {
		for j, in := range nn.inputs {
			d := q[j] - y[j]
			acc += in.weight * d * d
		}
		if nn.measure == knnEuclidean {
			return math.Sqrt(acc)
		}
		return acc
	}
	for j := range q {
		in := &nn.inputs[j]
		var c float64
		switch in.compare {
		case knnAbsDiff:
			c = math.Abs(q[j] - y[j])
		case knnDelta:
			if q[j] != y[j] {
				c = 1
			}
		case knnEqual:
			if q[j] == y[j] {
				c = 1
			}
		}
		switch nn.measure {
		case knnEuclidean, knnSquaredEuclidean:
			acc += in.weight * c * c
		case knnCityBlock:
			acc += in.weight * c
		case knnChebychev:
			acc = math.Max(acc, in.weight*c)
		case knnMinkowski:
			acc += in.weight * math.Pow(c, nn.p)
		}
	}
	switch nn.measure {
	case knnEuclidean:
		return math.Sqrt(acc)
	case knnMinkowski:
		return math.Pow(acc, 1/nn.p)
	}
	return acc
}

// nearest fills nb with the indexes of the nearest instances, nearest
// first, and returns how many it found: an insertion into a list of k,
// which keeps the earlier of two instances equally near first.
func (nn *knn) nearest(dist, nb []float64) int {
	n := 0
	better := func(a, b float64) bool {
		if nn.similarity {
			return a > b
		}
		return a < b
	}
	for i, d := range dist {
		if math.IsNaN(d) {
			continue
		}
		if n == len(nb) && !better(d, dist[int(nb[n-1])]) {
			continue
		}
		j := n
		if n < len(nb) {
			n++
		} else {
			j = n - 1
		}
		for ; j > 0 && better(d, dist[int(nb[j-1])]); j-- {
			nb[j] = nb[j-1]
		}
		nb[j] = float64(i)
	}
	return n
}

// predict computes one target from the neighbours nb: its value, and for
// a categorical target the index of the winning label.
func (nn *knn) predict(t *knnTarget, dist, nb, vals, votes []float64) (Value, int) {
	if !t.categorical {
		switch nn.contMethod {
		case knnMedian:
			for i, n := range nb {
				vals[i] = t.nums[int(n)]
			}
			for i := 1; i < len(vals); i++ {
				for j := i; j > 0 && vals[j] < vals[j-1]; j-- {
					vals[j], vals[j-1] = vals[j-1], vals[j]
				}
			}
			h := len(vals) / 2
			if len(vals)%2 == 1 {
				return Float(vals[h]), -1
			}
			return Float((vals[h-1] + vals[h]) / 2), -1
		case knnWeightedAverage:
			sum, wsum := 0.0, 0.0
			for _, n := range nb {
				w := 1 / (dist[int(n)] + nn.threshold)
				sum += w * t.nums[int(n)]
				wsum += w
			}
			return Float(sum / wsum), -1
		}
		sum := 0.0
		for _, n := range nb {
			sum += t.nums[int(n)]
		}
		return Float(sum / float64(len(nb))), -1
	}
	votes = votes[:len(t.labels)]
	clear(votes)
	for _, n := range nb {
		w := 1.0
		if nn.catMethod == knnWeightedMajorityVote {
			w = 1 / (dist[int(n)] + nn.threshold)
		}
		votes[t.cats[int(n)]] += w
	}
	// "In case of a tie, the category with the largest number of cases in
	// the training data is the winner. If multiple categories are tied on
	// the largest number of cases in the training data, then the category
	// with the smallest data value (in lexical order) among the tied
	// categories is the winner."
	best := 0
	for l := 1; l < len(votes); l++ {
		switch {
		case votes[l] > votes[best]:
			best = l
		case votes[l] < votes[best]:
		case t.counts[l] > t.counts[best]:
			best = l
		case t.counts[l] == t.counts[best] && knnLess(t.labels[l], t.labels[best]):
			best = l
		}
	}
	return t.labels[best], best
}

// knnLess orders two labels: numbers by value, anything else by text.
func knnLess(a, b Value) bool {
	if a.Kind == KindNumber && b.Kind == KindNumber {
		return a.Num < b.Num
	}
	return a.String() < b.String()
}
