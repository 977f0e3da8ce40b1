package dwarfx_test

import (
	"debug/dwarf"
	"debug/elf"
	"fmt"
	"log"

	"github.com/kabi-dev/kabi/dwarfx"
)

// Open a kernel-shaped build and list its compile units.
func ExampleOpen() {
	d, err := dwarfx.Open("../testdata/x86_64-dwarf5.elf")
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	fmt.Println(d.InfoUnits(), "compile units")
	for _, u := range d.Units()[:2] {
		fmt.Printf("unit %d: DWARF %d, %d-byte addresses\n", u.Index, u.Version, u.AddrSize)
	}
	// Output:
	// 8 compile units
	// unit 0: DWARF 5, 8-byte addresses
	// unit 1: DWARF 5, 8-byte addresses
}

// Walk the entries with the convenient iterator: the subprograms of the
// first compile unit that have a name.
func ExampleReader_All() {
	d, err := dwarfx.Open("../testdata/x86_64-dwarf5.elf")
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	// Decode only the attributes needed; the rest are skipped by size.
	r := d.Reader(&dwarfx.ReaderOptions{Attrs: []dwarf.Attr{dwarf.AttrName, dwarf.AttrExternal}})
	n := 0
	for e, err := range r.All() {
		if err != nil {
			log.Fatal(err)
		}
		if e.Tag == dwarf.TagCompileUnit && e.Offset != d.Units()[0].EntryOffset {
			break // the second unit begins
		}
		if name := e.Field(dwarf.AttrName); e.Tag == dwarf.TagSubprogram && name != nil && n < 3 {
			_, external := e.Val(dwarf.AttrExternal)
			fmt.Println(name.Str(), "external:", external)
			n++
		}
	}
	// Output:
	// _start external: true
	// kfx_asm_cpu_relax external: true
}

// Decode a function's prototype: find its definition, then ask a
// TypeDecoder, which follows types and origins on demand.
func ExampleTypeDecoder() {
	d, err := dwarfx.Open("../testdata/x86_64-dwarf5.elf")
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	r := d.Reader(&dwarfx.ReaderOptions{Attrs: []dwarf.Attr{dwarf.AttrName, dwarf.AttrDeclaration}})
	var off uint64
	for e, err := range r.All() {
		if err != nil {
			log.Fatal(err)
		}
		if f := e.Field(dwarf.AttrName); e.Tag == dwarf.TagSubprogram && f != nil && f.Str() == "vmap" && e.Field(dwarf.AttrDeclaration) == nil {
			off = e.Offset
			break
		}
	}
	td := d.NewTypeDecoder()
	defer td.Release() // its tables' memory serves the next decoder
	p, err := td.Prototype(off)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("returns a", p.Return.Kind, "to void:", p.Return.Elem == nil) // void *
	for _, prm := range p.Params {
		fmt.Printf("%s: %s %q\n", prm.Name, prm.Type.Kind, prm.Type.Name)
	}
	// Output:
	// returns a pointer to void: true
	// pages: pointer ""
	// count: base "unsigned int"
	// flags: base "long unsigned int"
	// prot: typedef "pgprot_t"
}

// The relocation that puts an address in a word, for a module's machine:
// the type every entry of a module's address lists has.
func ExampleWordReloc() {
	ef, err := elf.Open("../testdata/x86_64-dwarf5.elf")
	if err != nil {
		log.Fatal(err)
	}
	defer ef.Close()
	typ, name, ok := dwarfx.WordReloc(ef)
	fmt.Println(ok, typ, name(typ))
	// Output:
	// true 1 R_X86_64_64
}
