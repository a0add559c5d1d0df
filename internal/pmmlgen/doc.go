// Package pmmlgen generates PMML models for benchmarks and load tests.
//
// The models are generated, not stored: a few hundred trees are megabytes
// of XML, and a generator shows what they are. Each function writes the
// layout its exporter writes (sklearn2pmml for forests and gradient
// boosting) from a fixed seed, so the same arguments give the same bytes
// on every run and every machine, and measurements compare.
//
// The features are numeric fields x0..x(n-1) and the target is y, so a row
// for any generated model is n numbers under the column names x0..x(n-1).
package pmmlgen
