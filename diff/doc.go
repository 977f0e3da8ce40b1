// Package diff compares kernel builds: how one function fares in every
// build of a set of groups, and what changed between two whole builds.
//
// The rules are DepSurf's (docs/rules.md §5 and §8): builds form groups
// (Regular: one arch and flavor across versions, compared in a chain;
// Arch and Flavor: a default build against each other architecture or
// flavor, compared as a star; Revision: ABI revisions of one version),
// a function's status in a build is Absent or its issues, and two
// signatures differ by structured changes — parameters added, removed,
// reordered or retyped, and the return type.
//
// Everything here is a value: reports hold no files or DWARF, so the
// renderers in package render can print them in any format, and they
// never parse text to do so.
package diff
