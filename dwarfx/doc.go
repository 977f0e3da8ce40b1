// Package dwarfx is a streaming reader for DWARF debugging information in
// ELF files, built to walk a whole Linux kernel's debug info quickly, and
// the caller-graph extraction that kabi builds on.
//
// It reads DWARF versions 2 to 5 (the DWARF 5 standard, https://dwarfstd.org),
// 32- and 64-bit DWARF, ELF32 and ELF64 files of either byte order, and
// debug sections compressed with zlib or zstd (SHF_COMPRESSED) or in the
// older .zdebug form. Relocatable objects (ET_REL, such as kernel
// modules) are read with the relocations of their debug sections applied,
// for x86-64, i386, arm64, armhf, ppc64el, s390x and riscv64 (reloc.go
// lists the relocation types each accepts). Compile, partial, type and skeleton units are read,
// from .debug_info and the DWARF 4 .debug_types section.
//
// Entries are decoded by following a plan compiled once per abbreviation:
// attributes a caller does not want are skipped by size, subtrees by
// DW_AT_sibling, and strings are returned as slices of the string section,
// so a steady-state walk makes no heap allocation per entry.
//
// Extract is the caller-graph walk kabi builds on: per compile unit, in
// unit order, the functions it defines, declares, copies out of line,
// inlines and calls, with the outermost caller of each inline and call
// site. With ExtractOptions.Prototypes it also decodes each subprogram's
// prototype in its workers; TypeDecoder decodes types and prototypes on
// demand for other uses. Range lists (DW_AT_ranges) and line-table file
// names are read where they name addresses and declaration files.
//
// # Memory
//
// A Data read from an *os.File of a linked program (Open, or New with an
// *os.File) maps the file read-only where the system allows (Linux and
// the BSDs) and slices its uncompressed debug sections from the mapping,
// so that a kernel's 170 MB of .debug_info never sits on the Go heap;
// Extract hands the pages it has read back to the system as it goes.
// Close releases the mapping: after it only the strings Keep returned may
// be used. The string sections, compressed sections and the sections of
// relocatable objects are read into memory, as is everything read from
// another io.ReaderAt. A relocatable object's uncompressed sections are
// read into buffers that Close hands on to the next one read: a kernel's
// thousands of modules, read a few at a time, reuse a few buffers. That
// memory, and the tables and memos walks hand on to the next, is kept
// while some Data is open (or not yet collected, when it is never
// closed), and after the last is closed until the next garbage
// collection, unless another Data is read before it: a program that
// goes on with other work does not keep it.
//
// # Security
//
// Input is untrusted. Every length, count and offset read from the file is
// checked against the bytes that back it before it is used or allocated
// for; compressed sections are decompressed only up to the size their
// header states, and that size must be plausible for the compressed bytes
// and fit in what is left of the file's [Budget], which all compressed
// sections of a file share (16 times the file's size by default).
// Errors are *FormatError values naming the file, section and offset. A
// panic inside a public entry point is recovered and returned as an error
// that says it is a bug.
//
// # Concurrency
//
// A Data is immutable once built and safe for concurrent use; a Reader is
// not, so each goroutine makes its own. Extract decodes compile units in
// parallel (ExtractOptions.Concurrency) and delivers them in unit order, so
// its output does not depend on the number of workers.
package dwarfx
