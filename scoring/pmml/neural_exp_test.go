package pmml

import (
	"math"
	"math/rand/v2"
	"testing"
)

// expSlow is exp by another road, for checking expExact: exp(r/1024)
// by its Taylor series in double-double, squared ten times.
func expSlow(x float64) float64 {
	k := math.Round(x / math.Ln2)
	r := ddAdd(ddouble{x, 0}, ddMulF(ddouble{-ln2DD.hi, -ln2DD.lo}, k))
	s := ddouble{math.Ldexp(r.hi, -10), math.Ldexp(r.lo, -10)}
	m, term := s, s
	for n := 2; n <= 9; n++ {
		term = ddMulF(ddMul(term, s), 1/float64(n))
		m = ddAdd(m, term)
	}
	for range 10 {
		m = ddAdd(ddMulF(m, 2), ddMul(m, m))
	}
	e := ddAdd(ddouble{1, 0}, m)
	return math.Ldexp(e.hi+e.lo, int(k))
}

func TestExpExact(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ x, want float64 }{
		{0, 1}, {1, math.E}, {-1, 1 / math.E}, {math.Ln2, 2}, {710, math.Inf(1)}, {-746, 0},
		{math.Inf(-1), 0}, {math.Inf(1), math.Inf(1)}, {-0.35098596372533125, 0.7039936352343011},
	} {
		if got := expExact(tt.x); got != tt.want {
			t.Errorf("expExact(%v) = %v, want %v", tt.x, got, tt.want)
		}
	}
	if !math.IsNaN(expExact(math.NaN())) {
		t.Error("expExact(NaN) is not NaN")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	differ := 0
	for range 200000 {
		x := (rng.Float64()*2 - 1) * 700
		if rng.IntN(2) == 0 {
			x /= 1000
		}
		got, slow, fast := expExact(x), expSlow(x), math.Exp(x)
		if got != slow {
			t.Fatalf("expExact(%v) = %v; the slow road gives %v", x, got, slow)
		}
		// math.Exp on amd64 is off by two ulps now and then:
		// exp(-0.35098596372533125) is 0.70399363523430108604, not
		// math.Exp's 0.7039936352343009.
		if d := math.Abs(got-fast) / got; d > 5e-16 {
			t.Fatalf("expExact(%v) = %v, far from math.Exp's %v", x, got, fast)
		}
		if got != fast {
			differ++
		}
	}
	t.Logf("math.Exp differs in %d of 200000", differ)
}

func BenchmarkExpExact(b *testing.B) {
	x := 0.0
	for b.Loop() {
		x = expExact(-x*1e-3 - 3)
	}
}
