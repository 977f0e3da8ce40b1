package kabi_test

import (
	"fmt"
	"log"

	"github.com/kabi-dev/kabi"
)

// A whole kernel: the fixture vmlinux and the module tree beside it.
// setup_once is a static function of vmlinux (twice) and of module
// kfx_mod: a collision across the kernel.
func ExampleOptions_moduleDir() {
	b, err := kabi.Open("testdata/x86_64-dwarf5.elf", &kabi.Options{ModuleDir: "testdata/modules/6.1.99-1-amd64"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(b.Modules())
	f, _ := b.Function("setup_once")
	fmt.Println(f.Collision)
	for _, s := range f.Symbols {
		fmt.Println(s.KallsymsName(), s.Bind)
	}
	// Output:
	// [kfx_blk kfx_mod kfx_net kfx_noname kfx_trace]
	// Static-Static Collision
	// setup_once STB_LOCAL
	// setup_once STB_LOCAL
	// setup_once [kfx_mod] STB_LOCAL
}

// A running kernel's build (here a fixture root holding sys/ and proc/)
// has no DWARF: its modules are the loaded ones whose BTF it read, and
// where a function is defined is unknown.
func ExampleBuild_Running() {
	b, err := kabi.OpenRunning("testdata/running-hooks", nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(b.Running(), b.Modules())
	f, _ := b.Function("kfx_mod_probe")
	fmt.Println(f.InstancesKnown(), f.Inline)
	// Output:
	// true [kfx_mod kfx_trace]
	// false Unknown
}
