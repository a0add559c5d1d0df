package main

import (
	"math"
	"math/bits"
	"time"
)

// The latency histogram has log-linear buckets, as HdrHistogram's: values
// below 2·subCount nanoseconds are exact, and each power of two above is
// cut into subCount buckets, so a reported value is within 1/(2·subCount)
// (under 1 %) of a recorded one. Recording is an index computation and an
// increment, cheap enough to do for every call of every connection.
const (
	subBits     = 6
	subCount    = 1 << subBits
	bucketCount = (64 - subBits + 1) * subCount
)

// histogram counts latencies. The zero value is empty; each connection
// has its own, merged after the run.
type histogram struct {
	counts   [bucketCount]uint64
	n        uint64
	min, max time.Duration
}

// bucketOf returns the bucket of v nanoseconds.
func bucketOf(v uint64) int {
	if v < subCount {
		return int(v)
	}
	shift := bits.Len64(v) - subBits - 1
	return (shift+1)*subCount + int(v>>shift) - subCount
}

// bucketRange returns the lowest value of bucket i and how many values it
// holds.
func bucketRange(i int) (lo, width uint64) {
	if i < 2*subCount {
		return uint64(i), 1
	}
	shift := i/subCount - 1
	return uint64(i%subCount+subCount) << shift, 1 << shift
}

// record counts one latency.
func (h *histogram) record(d time.Duration) {
	d = max(d, 0)
	h.counts[bucketOf(uint64(d))]++
	if h.n == 0 || d < h.min {
		h.min = d
	}
	h.n++
	h.max = max(h.max, d)
}

// merge adds the counts of o.
func (h *histogram) merge(o *histogram) {
	if o.n == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	h.n += o.n
	h.max = max(h.max, o.max)
}

// quantile returns the latency below or at which a fraction q of the
// recorded ones are (nearest rank), as the middle of its bucket within the
// smallest and largest recorded; 0 when nothing was recorded.
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	switch rank = min(max(rank, 1), h.n); rank {
	case 1:
		return h.min
	case h.n:
		return h.max
	}
	var seen uint64
	for i, c := range h.counts {
		if seen += c; seen >= rank {
			lo, width := bucketRange(i)
			return min(max(time.Duration(lo+(width-1)/2), h.min), h.max)
		}
	}
	return h.max
}
