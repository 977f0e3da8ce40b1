package kabi_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/kabi-dev/kabi"
)

// Open a build and look at one function: where it is defined, who calls
// it, and which symbols carry it.
func Example() {
	b, err := kabi.Open("testdata/x86_64-dwarf5.elf", nil)
	if err != nil {
		log.Fatal(err)
	}
	f, ok := b.Function("kfx_alloc")
	if !ok {
		log.Fatal("no kfx_alloc")
	}
	fmt.Println(b.Meta.Release, b.Meta.Arch)
	fmt.Println(f.Name, "|", f.Collision, "| inline:", f.Inline, "| transformation:", f.Transformation)
	for _, in := range f.Instances {
		fmt.Println("in", in.File, "at", in.Location)
		for _, c := range in.DirectCallers {
			fmt.Println("  called by", c)
		}
	}
	for _, s := range f.Symbols {
		fmt.Println("symbol", s.Name, s.Bind)
	}
	// Output:
	// 6.1.99-1-amd64 amd64
	// kfx_alloc | Unique Global | inline: No | transformation: false
	// in mm/vmalloc_fix.c at mm/vmalloc_fix.c:21
	//   called by mm/vmalloc_fix.c:vmap
	//   called by mm/vmalloc_fix.c:vm_map_page
	//   called by fs/file_fix.c:kfx_open_file
	//   called by fs/file_fix.c:kfx_open_file
	//   called by kernel/sched_fix.c:kfx_schedule
	// symbol kfx_alloc STB_GLOBAL
}

// Functions yields every function in name order; Issues says what makes
// each one hard to trace.
func ExampleBuild_Functions() {
	b, err := kabi.Open("testdata/x86_64-dwarf5.elf", nil)
	if err != nil {
		log.Fatal(err)
	}
	for f := range b.Functions() {
		if len(f.Issues) > 0 && f.Name[0] == 'v' {
			fmt.Println(f.Name, f.Issues)
		}
	}
	// Output:
	// vm_area_fixup [Full Inline]
	// vm_check_range [Selective Inline Transformation]
	// vm_map_page [Selective Inline]
	// vm_pages_count [Selective Inline]
	// vm_req_check [Selective Inline Transformation]
	// vm_req_cost [Selective Inline Transformation]
	// vm_scale [Selective Inline Transformation]
	// vm_validate [Transformation]
}

// FunctionNamesWithPrefix lists the names a pattern such as "vm_req_*"
// can match; from an index file it reads only those names.
func ExampleBuild_FunctionNamesWithPrefix() {
	b, err := kabi.Open("testdata/x86_64-dwarf5.elf", nil)
	if err != nil {
		log.Fatal(err)
	}
	for name := range b.FunctionNamesWithPrefix("vm_req_") {
		fmt.Println(name)
	}
	// Output:
	// vm_req_check
	// vm_req_cost
}

// A static function defined in two files is a Static-Static Collision:
// a kprobe on its name is ambiguous.
func ExampleFunction_collision() {
	b, err := kabi.Open("testdata/x86_64-dwarf5.elf", nil)
	if err != nil {
		log.Fatal(err)
	}
	f, _ := b.Function("setup_once")
	fmt.Println(f.Collision)
	for _, in := range f.Instances {
		fmt.Println(in.Location, "external:", in.External)
	}
	// Output:
	// Static-Static Collision
	// mm/vmalloc_fix.c:159 external: false
	// fs/file_fix.c:24 external: false
}

// Stats gives the shape of a build's surface.
func ExampleBuild_Stats() {
	b, err := kabi.Open("testdata/x86_64-dwarf5.elf", nil)
	if err != nil {
		log.Fatal(err)
	}
	s := b.Stats()
	fmt.Println(s.Functions, "functions,", s.Symbols, "function symbols,", s.SuffixedSymbols, "suffixed")
	for _, c := range kabi.Collisions() {
		fmt.Printf("%s: %d\n", c, s.Collision[c])
	}
	for _, k := range kabi.InlineKinds() {
		fmt.Printf("inline %s: %d\n", k, s.Inline[k])
	}
	fmt.Println("isra only:", s.Transforms[kabi.TransformISRA])
	fmt.Println("constprop and cold:", s.Transforms[kabi.TransformConstProp|kabi.TransformCold])
	fmt.Println("two or more transformations:", s.TwoOrMore())
	// Output:
	// 45 functions, 46 function symbols, 6 suffixed
	// Unique Global: 30
	// Unique Static: 10
	// Static Duplication: 3
	// Static-Static Collision: 1
	// Static-Global Collision: 1
	// inline No: 34
	// inline Selective: 7
	// inline Full: 4
	// isra only: 1
	// constprop and cold: 1
	// two or more transformations: 1
}

// Analyse a build once, save its index, and load it back in a fraction of
// the time: the loaded build answers as the analysis did.
func ExampleWriteIndexFile() {
	b, err := kabi.Open("testdata/x86_64-dwarf5.elf", nil)
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "kabi")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, kabi.IndexName(b.Meta))
	if err := kabi.WriteIndexFile(path, b); err != nil {
		log.Fatal(err)
	}
	fresh, _ := kabi.IndexUpToDate(path, "testdata/x86_64-dwarf5.elf")
	ib, err := kabi.Open(path, nil)
	if err != nil {
		log.Fatal(err)
	}
	f, _ := ib.Function("vm_scale")
	fmt.Println(filepath.Base(path), fresh, ib.Len(), "functions")
	fmt.Println(f.Collision, f.Inline, f.Transformation, f.Issues)
	fmt.Println(f.Signature)
	// Output:
	// 6.1.99-1-amd64.kabi true 45 functions
	// Unique Static Selective true [Selective Inline Transformation]
	// long unsigned int vm_scale(long unsigned int v, int shift, int mode);
}
