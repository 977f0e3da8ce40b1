// Package kabi maps the dependency surface of Linux kernel builds: the
// functions, types (structs, unions, enums), tracepoints, LSM hooks,
// kfuncs, syscalls and config options an eBPF program can depend on. Every
// kind is named the same way ([Kind], [Ref], [ParseRef]); the functions
// are the deepest part of the model, described first.
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
// A Build can be saved to an index file ([WriteIndexFile], [Build.WriteIndex])
// and loaded back by [Open] or [New] in milliseconds instead of seconds:
// they recognise an index by its magic. Names and classification are
// decoded at once, the rest of a function when it is first asked for;
// the loaded Build answers every call as the analysis did.
//
// [Open] and [New] also read a kernel debug package as distributions ship
// it (Debian's linux-image-RELEASE-dbg .deb, Ubuntu's -dbgsym .ddeb)
// without unpacking it: the vmlinux (usr/lib/debug/boot/vmlinux-*,
// usr/lib/debug/vmlinux-*) is held in memory outside the Go heap while it
// is analysed. An xz data archive in several blocks, as distributions
// build it, is read at offsets: its index says where each block's data
// lies, so only the blocks that hold the archive's headers up to the
// vmlinux and the parts of the vmlinux the analysis reads are decoded, in
// parallel (not the relocation sections a vmlinux keeps for its debug
// sections, half of Debian's amd64 one, nor anything after it). Any other
// data archive (zstd, gzip, none, xz in one block) is decompressed as a
// stream, which stops once the vmlinux has been read. The package's name
// and version are kept in [Metadata]. The module tree under
// usr/lib/debug/lib/modules is not read unless [Options].PackageModules
// asks for it: such a Build holds the vmlinux's functions only, and
// equals the one read from the unpacked vmlinux. With it, the modules are streamed out of the archive after
// vmlinux and analysed as they come, and the Build equals the one read
// from the unpacked vmlinux and module tree.
//
// [OpenRunning] reads the running kernel from its BTF and /proc/kallsyms.
// That source cannot tell inline information, callers or where functions
// are defined: such functions have [InlineUnknown], [CollisionUnknown] and
// no Instances, which every renderer shows as unknown.
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
// A package's ar directory is checked against its size and its members'
// order (debian-binary, control.tar, data.tar); a file in it is held only
// after its claimed size is checked against what is left of the
// package's decompression budget ([Options].MaxDecompressed; by default
// 16 times the package's size), and the decompressed stream takes from the
// same budget as it is read. Errors name the package and the member and
// wrap [ErrPackage], [ErrBudget] or [ErrNoKernel].
//
// An index file is read whole and its CRC-32C verified before anything is
// decoded; another format version, older or newer, is refused
// ([ErrIndexVersion]). Every
// count is bounded by the bytes left, a section's decompressed size by its
// compressed size, types may refer only to earlier types (no cycles) and
// are bounded in size, and the lazy decoding behind [Build.Function]
// recovers from a panic like [New]. Errors name the file and the section
// and wrap [ErrIndexCorrupt], [ErrIndexTruncated] or [ErrIndexVersion];
// damage found after [New] returned (only possible behind a valid
// checksum) is reported by [Build.Err] and [Build.Lookup].
//
// # Concurrency
//
// A [Build] is immutable once returned and safe for concurrent use.
// [New] decodes compile units in parallel ([Options].Concurrency) and
// reads the symbol table meanwhile; the result does not depend on the
// number of workers. A Build keeps no reference to the file or its DWARF.
// A Build loaded from an index keeps the index's bytes (about 1% of the
// vmlinux) and decodes blocks of functions as they are used, safely from
// any number of goroutines. It holds the last few blocks decoded, and
// those whose functions or symbols a caller holds, so a walk over every
// function of many builds holds little of each; a function or symbol
// handed out stays the build's (Function returns it again, and a
// function's Symbols are those of [Build.Symbols]). [Build.Compact] turns
// a build read from a vmlinux into that form.
package kabi
