package kabi

import (
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/kabi-dev/kabi/internal/kmem"
)

// A Syscall is one system call of a build: its entries in the build's
// syscall tables (sys_call_table, and the compat tables ia32_sys_call_table,
// x32_sys_call_table, compat_sys_call_table where present), each read at
// the table's symbol address and resolved through the symbol table to
// the wrapper the entry calls. ksyscall/ programs, and kprobe/ programs
// on the wrapper, attach there. Entries that call the not-implemented
// stub sys_ni_syscall, or a weak wrapper (COND_SYSCALL: a syscall the
// configuration leaves out, whose weak stub returns -ENOSYS, such as
// __x64_sys_lookup_dcookie), are no syscall.
type Syscall struct {
	Name    string         // "openat": the wrapper's name without its prefix
	Entries []SyscallEntry // in table order, then number
}

// A SyscallEntry is one entry of a syscall table.
type SyscallEntry struct {
	// Table is "sys_call_table", "ia32_sys_call_table", ...; "" when
	// unknown (a running kernel: its kallsyms lists the wrapper, its
	// tables are in its memory).
	Table string
	// Number is the syscall number, the index in the table; -1 when
	// unknown (as Table is).
	Number  int
	Wrapper string // the function symbol the entry calls: "__x64_sys_openat", "__arm64_sys_openat", "sys_openat"
}

// Entry returns the syscall's entry in the named table.
func (s *Syscall) Entry(table string) (SyscallEntry, bool) {
	for _, e := range s.Entries {
		if e.Table == table {
			return e, true
		}
	}
	return SyscallEntry{}, false
}

// Syscall returns the system call named name ("openat", without a
// wrapper prefix).
func (b *Build) Syscall(name string) (*Syscall, bool) {
	return findByName(b.hooks().syscalls, name, func(s *Syscall) string { return s.Name })
}

// Syscalls yields the build's system calls in name order.
func (b *Build) Syscalls() iter.Seq[*Syscall] { return seqOf(b.hooks().syscalls) }

// syscallTables are the tables read, in order.
var syscallTables = []string{"sys_call_table", "ia32_sys_call_table", "x32_sys_call_table", "compat_sys_call_table", "sys_call_table_emu"}

// maxSyscalls bounds one table.
const maxSyscalls = 1 << 14

// readSyscalls reads the syscall tables. A table's entry count is its
// symbol's size over the pointer size; entries that call the
// not-implemented stub (sys_ni_syscall) are no syscall.
func (h *hookSet) readSyscalls(img *kmem.Image, syms *hookSymbols, arch string) {
	byName := map[string]*Syscall{}
	ptr := uint64(img.PointerSize())
	for _, table := range syscallTables {
		sym, ok := syms.byName[table]
		if !ok {
			continue
		}
		if sym.Size == 0 || sym.Size%ptr != 0 || sym.Size/ptr > maxSyscalls {
			h.skip(KindSyscall, table, "a size of %d bytes is not a table of pointers", sym.Size)
			continue
		}
		prefixes := tablePrefixes(arch, table)
		ents, err := img.Pointers(sym.Value, int(sym.Size/ptr))
		if err != nil {
			h.skip(KindSyscall, table, "%v", err)
			continue
		}
		for nr, addr := range ents {
			if addr == 0 {
				continue
			}
			wrapper, name, ok := syscallWrapper(syms.funcAt[addr], prefixes)
			if !ok {
				where := fmt.Sprintf("%s[%d]", table, nr)
				if _, in := img.SectionOf(addr); !in {
					h.skip(KindSyscall, where, "the entry %#x points outside every section", addr)
				} else {
					h.skip(KindSyscall, where, "no syscall wrapper symbol at %#x", addr)
				}
				continue
			}
			if name == "ni_syscall" || syms.weak[wrapper] {
				continue // not implemented, or left out by the configuration
			}
			s := byName[name]
			if s == nil {
				s = &Syscall{Name: name}
				byName[name] = s
			}
			s.Entries = append(s.Entries, SyscallEntry{Table: table, Number: nr, Wrapper: wrapper})
		}
	}
	for _, s := range byName {
		h.syscalls = append(h.syscalls, s)
	}
	slices.SortFunc(h.syscalls, func(a, b *Syscall) int { return strings.Compare(a.Name, b.Name) })
}

// tablePrefixes are the wrapper prefixes that the entries of a table
// call, by architecture and table, most specific first: where one
// function has several names (the kernel aliases __x64_sys_fork and
// __ia32_sys_fork when their code is the same), the table's own wins.
func tablePrefixes(arch, table string) []string {
	compat := table != "sys_call_table"
	switch arch {
	case "amd64":
		switch table {
		case "ia32_sys_call_table":
			return []string{"__ia32_compat_sys_", "__ia32_sys_"}
		case "x32_sys_call_table":
			return []string{"__x32_compat_sys_", "__x64_compat_sys_", "__x64_sys_"}
		}
		return []string{"__x64_sys_"}
	case "i386":
		return []string{"__ia32_sys_", "sys_"}
	case "arm64":
		if compat {
			return []string{"__arm64_compat_sys_", "__arm64_sys_"}
		}
		return []string{"__arm64_sys_"}
	case "s390x":
		if compat {
			return []string{"__s390_compat_sys_", "__s390_sys_"}
		}
		return []string{"__s390x_sys_"}
	case "riscv64":
		if compat {
			return []string{"__riscv_compat_sys_"}
		}
		return []string{"__riscv_sys_"}
	}
	if compat {
		return []string{"compat_sys_", "sys_"}
	}
	return []string{"sys_"}
}

// syscallWrapper picks, among the function symbols at an entry's address,
// the syscall wrapper and returns it with the syscall's name: the wrapper's
// name after "sys_", past an architecture prefix ("__x64_", "__ia32_",
// "__arm64_", "__s390x_", "__riscv_", ...) and "compat_". A name with one
// of the table's prefixes (see tablePrefixes) wins, then one with an
// architecture prefix, then a bare sys_ name; ties go to the first in
// byte order.
func syscallWrapper(names []string, prefixes []string) (wrapper, name string, ok bool) {
	for _, n := range names {
		// The not-implemented stub, whatever other names it has: a
		// syscall the configuration leaves out (COND_SYSCALL) is a weak
		// alias of it, such as __x64_sys_lookup_dcookie.
		if strings.HasSuffix(n, "sys_ni_syscall") {
			return n, "ni_syscall", true
		}
	}
	best := -1
	for _, n := range names {
		rest := n
		rank := 0
		if strings.HasPrefix(rest, "__") {
			i := strings.Index(rest[2:], "_")
			if i < 0 {
				continue
			}
			rest = rest[2+i+1:]
			rank = 1
		}
		rest = strings.TrimPrefix(rest, "compat_")
		sc, found := strings.CutPrefix(rest, "sys_")
		if !found || sc == "" || strings.Contains(sc, ".") {
			continue
		}
		for i, p := range prefixes {
			if strings.HasPrefix(n, p) {
				rank = 2 + len(prefixes) - i
				break
			}
		}
		if rank > best || (rank == best && n < wrapper) {
			best, wrapper, name = rank, n, sc
		}
	}
	return wrapper, name, best >= 0
}
