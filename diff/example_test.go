package diff_test

import (
	"fmt"
	"log"
	"path/filepath"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/diff"
)

// Compare two versions of one function's signature.
func ExampleSignatures() {
	var builds []*kabi.Build
	for _, f := range []string{"cmp-6.2.5-1-amd64.elf", "cmp-6.3.1-2-amd64.elf"} {
		b, err := kabi.Open(filepath.Join("..", "testdata", f), nil)
		if err != nil {
			log.Fatal(err)
		}
		builds = append(builds, b)
	}
	old, _ := builds[0].Function("kfx_cmp_config")
	new, _ := builds[1].Function("kfx_cmp_config")
	fmt.Println(old.Signature)
	fmt.Println(new.Signature)
	for _, c := range diff.Signatures(old.Signature, new.Signature) {
		fmt.Println(c)
	}
	// Output:
	// int kfx_cmp_config(int a, long int b, char *c);
	// long int kfx_cmp_config(long int b, unsigned int a, int d);
	// Param added: int d
	// Param removed: char *c
	// Param reordered: a, b, c -> b, a, d
	// Param type changed: int a -> unsigned int a
	// Return type changed: int -> long int
}

// Group builds by their metadata and report one function across them.
func ExampleFunction() {
	var builds []*kabi.Build
	for _, f := range []string{"cmp-6.1.99-1-amd64.elf", "cmp-6.2.5-1-amd64.elf", "cmp-6.3.1-2-amd64.elf"} {
		b, err := kabi.Open(filepath.Join("..", "testdata", f), nil)
		if err != nil {
			log.Fatal(err)
		}
		builds = append(builds, b)
	}
	r := diff.Function("kfx_cmp_poll", builds, diff.GroupBuilds(builds, nil))
	for _, g := range r.Groups {
		for _, s := range g.Status {
			fmt.Println(g.Name, s.Label, s.Issues())
		}
		for _, p := range g.Pairs {
			fmt.Println(p.Old, "→", p.New, p.Changes)
		}
	}
	// Output:
	// Regular 6.1 [Absent]
	// Regular 6.2 []
	// Regular 6.3 []
	// 6.1 → 6.2 [Added]
	// 6.2 → 6.3 [Param added: int timeout]
}

// What changed in the hooks between two builds, kind by kind.
func ExampleHookSurfaces() {
	v1, err := kabi.Open("../testdata/hooks-6.1.99-1-amd64.elf", nil)
	if err != nil {
		log.Fatal(err)
	}
	v2, err := kabi.Open("../testdata/hooks-6.2.5-1-amd64.elf", nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range diff.HookSurfaces(v1, v2) {
		fmt.Println(d.Kind, "added", d.Added, "removed", d.Removed)
		for _, c := range d.Changed {
			for _, ch := range c.Changes {
				if ch.Kind != diff.FormatChanged {
					fmt.Println("  ", c.Name, ch)
				}
			}
		}
	}
	// Output:
	// tracepoint added [block_rq_merge] removed [block_rq_insert]
	//    block_rq_issue Func changed: trace_event_raw_event_block_rq: Param removed: void *q; Param reordered: __data, q, rq -> __data, rq
	//    block_rq_issue Event changed: Field added: unsigned int bytes; Field moved: rwbs: offset 20 -> 24
	// lsm added [file_truncate] removed []
	// kfunc added [bpf_kfx_file_mode] removed []
	// syscall added [openat2] removed []
	//    openat Renumbered in sys_call_table: 3 -> 4
	// config added [CONFIG_KFX_NEW] removed [CONFIG_KFX_OLD]
	//    CONFIG_HZ Value changed: 250 -> 1000
}
