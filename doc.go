// Package kabi maps the function dependency surface of Linux kernel builds.
//
// A kprobe or fentry program names kernel functions. Across kernel
// versions, architectures and distribution flavors those functions vanish,
// change signature, get inlined away (fully or at some call sites), get
// renamed by the compiler (.isra.0, .constprop.0, .part.0, .cold), or
// collide with same-named static functions. kabi reads a kernel build
// (a vmlinux with DWARF debug info) and tells, for every function: is it
// there, how many definitions and where, is it inlined and by whom, who
// calls it directly, and which ELF symbols carry it.
//
// The rules follow the research tool DepSurf ("Revealing the Unstable
// Foundations of eBPF-Based Kernel Extensions", EuroSys 2025), with the
// corrections listed in the README.
//
// The DWARF reader underneath is package [github.com/kabi-dev/kabi/dwarfx].
package kabi
