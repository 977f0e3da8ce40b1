package check_test

import (
	"fmt"
	"log"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/check"
)

// Check an eBPF object against two kernel builds and print what happens
// to one of its programs' targets in each.
func Example() {
	obj, err := check.Open("testdata/tracing.bpf.o", nil)
	if err != nil {
		log.Fatal(err)
	}
	var builds []*kabi.Build
	for _, path := range []string{"../testdata/cmp-6.1.99-1-amd64.elf", "../testdata/cmp-6.2.5-1-amd64.elf"} {
		b, err := kabi.Open(path, nil)
		if err != nil {
			log.Fatal(err)
		}
		builds = append(builds, b)
	}
	r := check.Check([]*check.Object{obj}, builds)
	for _, row := range r.Rows {
		if row.Dep.String() != "fentry kfx_cmp_submit" {
			continue
		}
		fmt.Println(row.Dep, "expects", row.Dep.Expect)
		for i, f := range row.Findings {
			fmt.Printf("%s: %s: %s\n", r.Builds[i].Label, f.Consequence, f.Reason)
		}
	}
	// Output:
	// fentry kfx_cmp_submit expects int ____f_submit(void *buf, int len);
	// 6.1.99-1-amd64: fine: present
	// 6.2.5-1-amd64: wrong data: argument 1 is int prio in this build, the program reads void *buf there (now argument 2)
}

// An object that is not what it should be gives an error naming the file
// and what is wrong.
func ExampleOpen_noBTF() {
	_, err := check.Open("testdata/nobtf.bpf.o", nil)
	fmt.Println(err)
	// Output:
	// testdata/nobtf.bpf.o: no BTF (compile with clang -g -target bpf)
}
