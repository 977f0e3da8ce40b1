// Package kabi maps the function dependency surface of Linux kernel builds.
//
// A kprobe or fentry program names kernel functions. Across kernel
// versions, architectures and distribution flavors those functions vanish,
// change signature, get inlined away (fully or at some call sites), get
// renamed by the compiler (.isra.0, .constprop.0, .part.0, .cold,
// .llvm.NNNN), or collide with same-named static functions. kabi reads a
// kernel build (a vmlinux with DWARF debug info and a symbol table) and
// tells, for every function: how many definitions it has and where
// ([Instance]), whether it is inlined and into whom, who calls it
// directly, and which ELF symbols carry it ([Symbol]); and it classifies
// each [Function] by [Collision], [InlineKind] and transformation.
//
// [Open] or [New] read a [Build]; [Build.Function] looks a function up and
// [Build.Functions] iterates them in name order.
//
// The rules follow the research tool DepSurf ("Revealing the Unstable
// Foundations of eBPF-Based Kernel Extensions", EuroSys 2025), with the
// corrections listed in the README: calls inside out-of-line copies are
// attributed to the origin, instance addresses are those of the
// out-of-line definition, Rust compile units are included (DepSurf
// skipped them), __cfi_ padding and .llvm.NNNN suffixes are understood,
// and relative paths are kept relative. Functions are keyed by their DWARF
// names, as in DepSurf: by the linkage name where there is one (Rust,
// C++), which is also the symbol a probe attaches to, with the demangled
// name kept for display and lookup.
//
// The DWARF reader underneath is package [github.com/kabi-dev/kabi/dwarfx].
//
// # Security
//
// Input is untrusted. The DWARF is read by dwarfx, which bounds every read
// by the file; kabi reads the symbol table through debug/elf and the banner
// and build-ID note with explicit bounds. Errors for bad input name the
// file and wrap [ErrNotELF], [ErrNoDWARF], [ErrNoSymbols] or a dwarfx
// sentinel. A panic inside [Open] or [New] is recovered and returned as
// an error that says it is a bug.
//
// # Concurrency
//
// A [Build] is immutable once returned and safe for concurrent use.
// [New] decodes compile units in parallel ([Options].Concurrency) and
// reads the symbol table meanwhile; the result does not depend on the
// number of workers. A Build keeps no reference to the file or its DWARF.
package kabi
