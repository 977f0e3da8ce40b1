// Command query asks a kabi dataset (the folder `kabi export -o DIR`
// writes) the questions of package duckdb with DuckDB, and prints each
// answer with the time it took:
//
//	go run ./examples/query [-old BUILD] [-new BUILD] [-function NAME] [-n N] DIR
//	go run ./examples/query -sql QUERY DIR
//
// -old and -new default to the first and last builds by name. With -sql,
// it runs the query over the views of the tables (duckdb.Views) instead,
// and prints its rows tab-separated.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/kabi-dev/kabi/duckdb"
)

func main() {
	old := flag.String("old", "", "the old build of the comparisons (default: the first by name)")
	new := flag.String("new", "", "the new build (default: the last by name)")
	function := flag.String("function", "vmap", "the function whose callers are listed")
	n := flag.Int("n", 10, "rows shown of each answer")
	query := flag.String("sql", "", "a query of one's own over the views of the tables")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: query [-old BUILD] [-new BUILD] [-function NAME] [-n N] DIR\n       query -sql QUERY DIR")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	run := func() error { return run(flag.Arg(0), *old, *new, *function, *n) }
	if *query != "" {
		run = func() error { return runSQL(flag.Arg(0), *query) }
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "query:", err)
		os.Exit(1)
	}
}

func run(dir, old, new, function string, n int) error {
	ctx := context.Background()
	start := time.Now()
	db, err := duckdb.Open(dir)
	if err != nil {
		return err
	}
	defer db.Close()
	builds, err := db.Builds(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("%d builds (%s): %v\n", len(builds), since(start), builds)
	if old == "" {
		old = builds[0]
	}
	if new == "" {
		new = builds[len(builds)-1]
	}

	start = time.Now()
	sigs, err := db.SignatureChanges(ctx, old, new)
	if err != nil {
		return err
	}
	fmt.Printf("\nfunctions whose signature differs, %s -> %s: %d (%s)\n", old, new, len(sigs), since(start))
	for _, c := range sigs[:min(n, len(sigs))] {
		fmt.Printf("  %s\n    - %s\n    + %s\n", c.Name, orNone(c.Old), orNone(c.New))
	}

	for _, b := range []string{old, new} {
		start = time.Now()
		top, err := db.MostInlined(ctx, b, n)
		if err != nil {
			return err
		}
		fmt.Printf("\nmost-inlined functions of %s (%s)\n", b, since(start))
		for _, c := range top {
			fmt.Printf("  %8d  %s\n", c.N, c.Name)
		}
	}

	start = time.Now()
	callers, err := db.Callers(ctx, function)
	if err != nil {
		return err
	}
	fmt.Printf("\ncallers of %s in every build: %d rows (%s)\n", function, len(callers), since(start))
	last := ""
	for _, c := range callers {
		if c.Build != last {
			fmt.Printf("  %s\n", c.Build)
			last = c.Build
		}
		fmt.Printf("    %-40s %-6s %d\n", c.Caller, c.Kind, c.Sites)
	}

	start = time.Now()
	moved, err := db.MovedFields(ctx, old, new)
	if err != nil {
		return err
	}
	types := map[string]bool{}
	for _, m := range moved {
		types[m.Kind+" "+m.Type] = true
	}
	fmt.Printf("\nfields that moved, %s -> %s: %d in %d types (%s)\n", old, new, len(moved), len(types), since(start))
	for _, m := range moved[:min(n, len(moved))] {
		fmt.Printf("  %s %s.%s: bit %s -> %s\n", m.Kind, m.Type, m.Name, bit(m.OldBit), bit(m.NewBit))
	}
	return nil
}

func since(t time.Time) string { return time.Since(t).Round(time.Millisecond).String() }

func orNone(s string) string {
	if s == "" {
		return "(no prototype)"
	}
	return s
}

func bit(b int64) string {
	if b < 0 {
		return "unknown"
	}
	return fmt.Sprint(b)
}

// runSQL runs a query of one's own and prints its rows.
func runSQL(dir, query string) error {
	db, err := duckdb.Open(dir)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	rows, err := db.SQL().Query(query)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	fmt.Println(strings.Join(cols, "\t"))
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		cells := make([]string, len(vals))
		for i, v := range vals {
			if v == nil {
				cells[i] = "NULL"
			} else {
				cells[i] = fmt.Sprint(v)
			}
		}
		fmt.Println(strings.Join(cells, "\t"))
		n++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%d rows (%s)\n", n, since(start))
	return nil
}
