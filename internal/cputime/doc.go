// Package cputime reads the CPU time of the process, which benchmarks
// report beside the wall time: on a shared machine it is the steadier
// of the two.
package cputime
