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
