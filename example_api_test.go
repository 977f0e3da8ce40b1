package kabi_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/kabi-dev/kabi"
)

// Lookup is Function with an error that says why a name is missing, and
// that knows a compiler-renamed symbol's function.
func ExampleBuild_Lookup() {
	b, err := kabi.Open("testdata/x86_64-dwarf5.elf", nil)
	if err != nil {
		log.Fatal(err)
	}
	f, err := b.Lookup("vm_req_cost.isra.0") // a clone's symbol: its function
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Name, f.Collision, f.Inline)
	_, err = b.Lookup("no_such_function")
	fmt.Println(errors.Is(err, kabi.ErrNotFound))
	// Output:
	// vm_req_cost Unique Static Selective
	// true
}

// Symbol finds the ELF symbols of a name: what a kprobe attaches to.
func ExampleBuild_Symbol() {
	b, err := kabi.Open("testdata/x86_64-dwarf5.elf", nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, name := range []string{"vm_req_check.constprop.0", "vm_req_check.constprop.0.cold"} {
		for _, s := range b.Symbol(name) {
			fmt.Println(s.Name, s.Bind, "stem", s.Stem, "transforms", s.Transforms)
		}
	}
	// Output:
	// vm_req_check.constprop.0 STB_LOCAL stem vm_req_check transforms constprop
	// vm_req_check.constprop.0.cold STB_LOCAL stem vm_req_check transforms constprop+cold
}

// Options tune a read: here, leave out the signatures and the types for a
// faster read, and name the release where the build's banner is missing
// or wrong.
func ExampleOptions() {
	b, err := kabi.Open("testdata/x86_64-dwarf5.elf", &kabi.Options{
		NoSignatures: true,
		NoTypes:      true,
		Release:      "6.1.99-2-amd64",
	})
	if err != nil {
		log.Fatal(err)
	}
	f, _ := b.Function("vmap")
	fmt.Println(b.Meta.Release, b.Meta.Revision, f.Signature == nil, b.TypeLen(kabi.KindStruct))
	// Output:
	// 6.1.99-2-amd64 2 true 0
}

// OpenContext stops reading when the context is done: a server bounds a
// request this way.
func ExampleOpenContext() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b, err := kabi.OpenContext(ctx, "testdata/x86_64-dwarf5.elf", nil)
	if err != nil {
		log.Fatal(err) // context.DeadlineExceeded after a minute
	}
	fmt.Println(b.Len(), "functions")

	cancel()
	_, err = kabi.OpenContext(ctx, "testdata/x86_64-dwarf5.elf", nil)
	fmt.Println(err)
	// Output:
	// 45 functions
	// context canceled
}

// CheckBTF compares a kernel's own BTF prototypes with the signatures
// kabi derives from its DWARF (a real vmlinux: Debian's carry .BTF).
func ExampleCheckBTF() {
	r, err := kabi.CheckBTF("/usr/lib/debug/boot/vmlinux-6.1.0-47-amd64")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d BTF functions, %.2f%% agree\n", r.Names, 100*r.Agreement())
	for _, m := range r.Mismatches[:min(3, len(r.Mismatches))] {
		fmt.Println(m.Name, m.Class)
		fmt.Println("  BTF:  ", &m.BTF)
		fmt.Println("  DWARF:", m.DWARF)
	}
}

// CompareBTF is CheckBTF for BTF read apart from the build: here the raw
// BTF a running kernel shows in /sys/kernel/btf/vmlinux. A K&R definition
// has no prototype in DWARF, where BTF can only say (void).
func ExampleCompareBTF() {
	funcs, err := kabi.BTFSignatures("testdata/running/sys/kernel/btf/vmlinux")
	if err != nil {
		log.Fatal(err)
	}
	b, err := kabi.Open("testdata/cmp-6.1.99-1-amd64.elf", nil)
	if err != nil {
		log.Fatal(err)
	}
	r := kabi.CompareBTF(b, funcs)
	fmt.Println(r.Names, "names,", r.Compared, "compared,", r.Agree, "agree,", len(r.Mismatches), "mismatch")
	for _, m := range r.Mismatches {
		fmt.Println(m.Name, m.Class)
		fmt.Println("  BTF:  ", &m.BTF)
		fmt.Println("  DWARF:", m.DWARF)
	}
	// Output:
	// 58 names, 57 compared, 56 agree, 1 mismatch
	// kfx_old_style variadic or prototype
	//   BTF:   int kfx_old_style(void);
	//   DWARF: int kfx_old_style();
}
