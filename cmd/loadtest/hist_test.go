package main

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestBucketOf(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 1))
	values := []uint64{0, 1, 63, 64, 127, 128, 129, 255, 256, 1000, 1 << 40, 1<<63 - 1, 1 << 63, 1<<64 - 1}
	for range 10000 {
		values = append(values, r.Uint64()>>r.IntN(64))
	}
	for _, v := range values {
		i := bucketOf(v)
		if i < 0 || i >= bucketCount {
			t.Fatalf("bucketOf(%d) = %d, out of [0, %d)", v, i, bucketCount)
		}
		lo, width := bucketRange(i)
		if v < lo || v-lo >= width {
			t.Errorf("bucketOf(%d) = %d holds [%d, %d+%d)", v, i, lo, lo, width)
		}
		if v >= 2*subCount && width > v/subCount {
			t.Errorf("bucket of %d is %d wide, more than 1/%d of it", v, width, subCount)
		}
	}
	// Buckets tile the values: each starts where the one before ends.
	for i := 1; i < bucketCount; i++ {
		lo, _ := bucketRange(i)
		plo, pw := bucketRange(i - 1)
		if plo+pw != lo {
			t.Fatalf("bucket %d starts at %d, bucket %d ends at %d", i, lo, i-1, plo+pw)
		}
	}
}

func TestQuantile(t *testing.T) {
	t.Parallel()
	uniform := func(h *histogram) { // 1 µs … 1000 µs
		for i := 1; i <= 1000; i++ {
			h.record(time.Duration(i) * time.Microsecond)
		}
	}
	tests := []struct {
		name   string
		fill   func(*histogram)
		q      float64
		want   time.Duration
		within float64 // relative error allowed
	}{
		{"empty", func(*histogram) {}, 0.5, 0, 0},
		{"one value is exact", func(h *histogram) { h.record(5*time.Millisecond + 3) }, 0.5, 5*time.Millisecond + 3, 0},
		{"exact small values", func(h *histogram) {
			for _, d := range []time.Duration{3, 7, 7, 9} {
				h.record(d)
			}
		}, 0.5, 7, 0},
		{"uniform p50", uniform, 0.50, 500 * time.Microsecond, 0.01},
		{"uniform p90", uniform, 0.90, 900 * time.Microsecond, 0.01},
		{"uniform p99", uniform, 0.99, 990 * time.Microsecond, 0.01},
		{"max is exact", uniform, 1, 1000 * time.Microsecond, 0},
		{"min is exact", uniform, 0, time.Microsecond, 0},
		{"tail not in p99", func(h *histogram) {
			for range 99 {
				h.record(time.Millisecond)
			}
			h.record(time.Second)
		}, 0.99, time.Millisecond, 0.01},
		{"tail in p99", func(h *histogram) {
			for range 98 {
				h.record(time.Millisecond)
			}
			h.record(time.Second)
			h.record(time.Second)
		}, 0.99, time.Second, 0.01},
		{"negative counts as zero", func(h *histogram) { h.record(-time.Second) }, 0.5, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := new(histogram)
			tt.fill(h)
			got := h.quantile(tt.q)
			if diff := float64(got - tt.want); diff > tt.within*float64(tt.want) || -diff > tt.within*float64(tt.want) {
				t.Errorf("quantile(%v) = %v, want %v within %.0f %%", tt.q, got, tt.want, 100*tt.within)
			}
		})
	}
}

func TestHistogramMerge(t *testing.T) {
	t.Parallel()
	var whole, a, b histogram
	for i := range 1000 {
		d := time.Duration(i*i) * time.Microsecond
		whole.record(d)
		if i%3 == 0 {
			a.record(d)
		} else {
			b.record(d)
		}
	}
	a.merge(&b)
	a.merge(new(histogram))
	if a.n != whole.n || a.min != whole.min || a.max != whole.max || a.counts != whole.counts {
		t.Fatalf("merged halves differ from the whole: n %d/%d max %v/%v", a.n, whole.n, a.max, whole.max)
	}
}
