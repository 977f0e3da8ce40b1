package main

import (
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/kabi-dev/kabi/dataset"
)

// exportCmd runs `kabi export -format parquet -o DIR BUILD...`: the
// builds as Parquet tables, Hive-partitioned by build (see package
// dataset and docs/parquet.md). One build is read, written and dropped at
// a time, so the memory it takes is that of the largest build.
func exportCmd(w io.Writer, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	format := fs.String("format", "parquet", "output format: parquet")
	out := fs.String("o", "", "the dataset's folder")
	if err := parseFlags(w, fs, args); err != nil {
		return err
	}
	if *format != "parquet" {
		return usageError{fmt.Sprintf("unknown format %q (export writes parquet)", *format)}
	}
	if *out == "" || fs.NArg() == 0 {
		return usageError{"export takes -o DIR and BUILD..."}
	}
	for _, path := range fs.Args() {
		start := time.Now()
		b, err := open(path)
		if err != nil {
			return err
		}
		if err := dataset.WriteParquet(*out, b); err != nil {
			return err
		}
		fmt.Fprintf(w, "%s: build=%s, %d functions (%.1fs)\n", path, dataset.BuildName(b), b.Len(), time.Since(start).Seconds())
	}
	return nil
}
