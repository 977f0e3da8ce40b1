package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/kabi-dev/kabi"
)

// btfcheck runs `kabi btfcheck [-n N] [-btf FILE] [-base VMLINUX] BUILD`:
// the build's BTF function prototypes (or those of FILE) against kabi's
// DWARF signatures; a module's split BTF is read over VMLINUX's.
func btfcheck(w io.Writer, args []string) error {
	fs := flag.NewFlagSet("btfcheck", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	n := fs.Int("n", 10, "how many mismatches to print")
	btfFile := fs.String("btf", "", "read the BTF from this file (raw BTF such as /sys/kernel/btf/vmlinux, or an ELF file) instead of BUILD")
	base := fs.String("base", "", "the vmlinux (or its raw BTF) whose BTF a module's split BTF extends")
	if err := parseFlags(w, fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"btfcheck takes BUILD"}
	}
	path := fs.Arg(0)
	if ix, err := kabi.IsIndexFile(path); err == nil && ix {
		return fmt.Errorf("%s is an index file, which holds no BTF: btfcheck takes the vmlinux", path)
	}
	funcs, err := btfFuncs(path, *btfFile, *base)
	if err != nil {
		return err
	}
	limitMemory(path, true) // open reads the types too
	b, err := open(path)
	if err != nil {
		return err
	}
	r := kabi.CompareBTF(b, funcs)
	fmt.Fprintf(w, "build:        %s (%s %s)\n", b.Meta.File, b.Meta.Release, b.Meta.Arch)
	fmt.Fprintf(w, "BTF FUNCs:    %d (%d names)\n", r.Funcs, r.Names)
	fmt.Fprintf(w, "compared:     %d names with a DWARF prototype\n", r.Compared)
	fmt.Fprintf(w, "agree:        %d (%.4f%% of compared)\n", r.Agree, 100*r.ComparedAgreement())
	fmt.Fprintf(w, "unprototyped: %d assembler routines without a prototype in DWARF, void f(void) in BTF (agree as far as BTF can say)\n", r.Unprototyped)
	fmt.Fprintf(w, "not compared: %d assembler routines (BTF writes them void f(void))\n", r.Assembler)
	fmt.Fprintf(w, "agreement:    %.4f%% of all names\n", 100*r.Agreement())
	classes := r.Classes()
	if len(classes) > 0 {
		fmt.Fprintln(w, "by class:")
		names := make([]string, 0, len(classes))
		for c := range classes {
			names = append(names, string(c))
		}
		slices.Sort(names)
		for _, c := range names {
			fmt.Fprintf(w, "  %-40s %d\n", c, classes[kabi.MismatchClass(c)])
		}
	}
	for i, m := range r.Mismatches {
		if i == *n {
			fmt.Fprintf(w, "... and %d more (-n)\n", len(r.Mismatches)-i)
			break
		}
		fmt.Fprintf(w, "%s [%s]\n  BTF   %s\n", m.Name, m.Class, m.BTF.String())
		if m.DWARF != nil {
			fmt.Fprintf(w, "  DWARF %s\n", m.DWARF.String())
		}
	}
	return nil
}

// btfFuncs reads the BTF functions of build, or of btfFile when it is
// given; as a module's split BTF over base's when base is given.
func btfFuncs(build, btfFile, base string) ([]kabi.BTFFunc, error) {
	src := build
	if btfFile != "" {
		src = btfFile
	}
	if base == "" {
		return kabi.BTFSignatures(src)
	}
	f, err := os.Open(src)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	bf, err := os.Open(base)
	if err != nil {
		return nil, err
	}
	defer bf.Close()
	return kabi.ModuleBTFSignatures(f, src, bf, base)
}
