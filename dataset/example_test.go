package dataset_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/dataset"
	"github.com/parquet-go/parquet-go"
)

// Export a build, then read its functions table back.
func ExampleWriteParquet() {
	dir, err := os.MkdirTemp("", "kabi-dataset")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	b, err := kabi.Open("../testdata/cmp-6.1.99-1-amd64.elf", nil)
	if err != nil {
		panic(err)
	}
	if err := dataset.WriteParquet(dir, b); err != nil {
		panic(err)
	}
	rows, err := parquet.ReadFile[dataset.Function](filepath.Join(dir, "functions", "build=6.1.99-1-amd64", "part-0.parquet"))
	if err != nil {
		panic(err)
	}
	fmt.Println(len(rows) == b.Len(), rows[0].Name)
	// Output: true _start
}

// Export a build, then read back the members of one struct: its fields
// inside anonymous unions carry their CO-RE access strings and their
// offsets from the start of the struct.
func ExampleMember() {
	dir, err := os.MkdirTemp("", "kabi-dataset")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	b, err := kabi.Open("../testdata/types-v1.elf", nil)
	if err != nil {
		panic(err)
	}
	if err := dataset.WriteParquet(dir, b); err != nil {
		panic(err)
	}
	rows, err := parquet.ReadFile[dataset.Member](filepath.Join(dir, "members", "build=6.1.99-1-amd64", "part-0.parquet"))
	if err != nil {
		panic(err)
	}
	for _, m := range rows {
		if m.Type == "kfx_anon" {
			fmt.Printf("%-8s %2d  %s\n", m.Access, *m.Offset, m.Decl)
		}
	}
	// Output:
	// 0:0       0  int kind
	// 0:1       8  union { int i; long int l; struct { short int lo; short int hi; }; }
	// 0:1:0     8  int i
	// 0:1:1     8  long int l
	// 0:1:2     8  struct { short int lo; short int hi; }
	// 0:1:2:0   8  short int lo
	// 0:1:2:1  10  short int hi
	// 0:2      16  struct { char tag; int count; } named_anon
	// 0:3      24  unsigned int flags
}
