package duckdb_test

import (
	"context"
	"fmt"
	"os"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/dataset"
	"github.com/kabi-dev/kabi/duckdb"
)

// Export two builds, then ask DuckDB which functions changed signature.
func ExampleDB_SignatureChanges() {
	dir, err := os.MkdirTemp("", "kabi-duckdb")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	for _, f := range []string{"../testdata/cmp-6.2.5-1-amd64.elf", "../testdata/cmp-6.3.1-2-amd64.elf"} {
		b, err := kabi.Open(f, nil)
		if err != nil {
			panic(err)
		}
		if err := dataset.WriteParquet(dir, b); err != nil {
			panic(err)
		}
	}
	db, err := duckdb.Open(dir)
	if err != nil {
		panic(err)
	}
	defer db.Close()
	changes, err := db.SignatureChanges(context.Background(), "6.2.5-1-amd64", "6.3.1-2-amd64")
	if err != nil {
		panic(err)
	}
	for _, c := range changes[:2] {
		fmt.Printf("%s\n  %s\n  %s\n", c.Name, c.Old, c.New)
	}
	// Output:
	// kfx_cmp_bind
	//   int kfx_cmp_bind(int cpu, int node, int prio);
	//   int kfx_cmp_bind(int node, int cpu, int prio);
	// kfx_cmp_config
	//   int kfx_cmp_config(int a, long int b, char *c);
	//   long int kfx_cmp_config(long int b, unsigned int a, int d);
}
