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
