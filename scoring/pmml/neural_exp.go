package pmml

import (
	"math"
	"math/big"
)

// expExact is exp rounded correctly (but for arguments within 1e-23 of a
// rounding boundary), which is what Java's Math.exp gives in practice. A
// network multiplies its hidden neurons' outputs by weights of ±80
// (KNIME's), so an ulp of difference in a logistic becomes 1e-14 in a
// probability; math.Exp (an assembly routine on amd64) is off by an ulp
// often enough to miss the 1e-15 KNIME's networks are checked to.
//
// It computes in double-double arithmetic: exp(x) = 2^k · 2^(j/64) ·
// exp(r) with |r| ≤ ln2/128, the powers of two from a table, exp(r) - 1
// as r + r²/2 in double-double plus the rest of its Taylor series in
// float64. It allocates nothing and costs a few times math.Exp.
func expExact(x float64) float64 {
	switch {
	case math.IsNaN(x):
		return x
	case x > 709.782712893384:
		return math.Inf(1)
	case x < -745.1332191019412:
		return 0
	case x == 0:
		return 1
	}
	n := math.Round(x * (64 / math.Ln2))
	j := int(n) & 63
	k := (int(n) - j) / 64
	r := ddAdd(ddouble{x, 0}, ddMulF(ddouble{-ln2DD.hi / 64, -ln2DD.lo / 64}, n))
	t := r.hi
	tail := t * t * t * (1.0/6 + t*(1.0/24+t*(1.0/120+t*(1.0/720+t*(1.0/5040+t*(1.0/40320))))))
	m := ddAdd(ddAdd(r, ddMulF(ddMul(r, r), 0.5)), ddouble{tail, 0})
	p := &exp2Table[j]
	e := ddAdd(*p, ddMul(*p, m))
	return math.Ldexp(e.hi+e.lo, k)
}

// exp2Table holds 2^(j/64) for j in [0, 64) in double-double, computed
// once as the sixth square root of 2^j.
var exp2Table = func() (tab [64]ddouble) {
	for j := range tab {
		f := new(big.Float).SetPrec(256).SetMantExp(big.NewFloat(1).SetPrec(256), j)
		for range 6 {
			f.Sqrt(f)
		}
		hi, _ := f.Float64()
		lo, _ := f.Sub(f, big.NewFloat(hi).SetPrec(256)).Float64()
		tab[j] = ddouble{hi, lo}
	}
	return tab
}()

// ddouble is a double-double number: hi+lo with |lo| ≤ ulp(hi)/2.
type ddouble struct{ hi, lo float64 }

// ln2DD is ln 2 to 106 bits.
var ln2DD = ddouble{0x1.62e42fefa39efp-1, 0x1.abc9e3b39803fp-56}

func ddTwoSum(a, b float64) ddouble {
	s := a + b
	bb := s - a
	return ddouble{s, (a - (s - bb)) + (b - bb)}
}

func ddQuickTwoSum(a, b float64) ddouble {
	s := a + b
	return ddouble{s, b - (s - a)}
}

func ddAdd(a, b ddouble) ddouble {
	s := ddTwoSum(a.hi, b.hi)
	t := ddTwoSum(a.lo, b.lo)
	s = ddQuickTwoSum(s.hi, s.lo+t.hi)
	return ddQuickTwoSum(s.hi, s.lo+t.lo)
}

func ddMul(a, b ddouble) ddouble {
	p := a.hi * b.hi
	e := math.FMA(a.hi, b.hi, -p) + (a.hi*b.lo + a.lo*b.hi)
	return ddQuickTwoSum(p, e)
}

func ddMulF(a ddouble, b float64) ddouble {
	p := a.hi * b
	e := math.FMA(a.hi, b, -p) + a.lo*b
	return ddQuickTwoSum(p, e)
}
