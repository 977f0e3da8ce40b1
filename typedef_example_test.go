package kabi_test

import (
	"fmt"
	"log"

	"github.com/kabi-dev/kabi"
)

// Read a struct's layout: its size, its members with their offsets and
// bitfield widths, and a field inside an anonymous union, found as C and
// CO-RE find it.
func ExampleBuild_Type() {
	b, err := kabi.Open("testdata/types-v1.elf", nil)
	if err != nil {
		log.Fatal(err)
	}
	t, ok := b.Type(kabi.KindStruct, "kfx_anon")
	if !ok {
		log.Fatal("no struct kfx_anon")
	}
	fmt.Println(t.Kind, t.Name, t.Size, "bytes, at", t.Locations[0])
	for _, m := range t.Members {
		fmt.Printf("  %-30s offset %d\n", m.Decl(), m.Offset())
	}
	f, _ := t.Field("hi")
	fmt.Println("hi:", f.Member.Decl(), "at bit", f.BitOffset, "path", f.Path)
	// Output:
	// struct kfx_anon 32 bytes, at types/kfx_types.h:26
	//   int kind                       offset 0
	//   union {...}                    offset 8
	//   struct {...} named_anon        offset 16
	//   unsigned int flags             offset 24
	// hi: short int hi at bit 80 path [1 2 1]
}

// Iterate over the enums of a build, in name order, with their values.
func ExampleBuild_Types() {
	b, err := kabi.Open("testdata/types-v1.elf", nil)
	if err != nil {
		log.Fatal(err)
	}
	for t := range b.Types(kabi.KindEnum) {
		fmt.Print(t.Name, ":")
		for _, v := range t.Values {
			fmt.Print(" ", v.Name, "=", t.ValueString(v))
		}
		fmt.Println()
	}
	// Output:
	// kfx_big: KFX_BIG_LOW=1 KFX_BIG_HIGH=18446744073709551600
	// kfx_neg: KFX_NEG_MIN=-5 KFX_NEG_ZERO=0 KFX_NEG_MAX=5
	// kfx_s64: KFX_S64_MIN=-9223372036854775808 KFX_S64_ONE=1
	// kfx_ver: KFX_VER_A=0 KFX_VER_B=2 KFX_VER_C=3
}
