// Package dataset writes the surface of kernel builds as a dataset that
// SQL engines query across thousands of builds: Parquet tables, one
// directory per table, Hive-partitioned by build, so that a dataset grows
// by adding builds:
//
//	DIR/functions/build=6.1.0-47-amd64/part-0.parquet
//	DIR/instances/build=6.1.0-47-amd64/part-0.parquet
//	DIR/calls/build=6.1.0-47-amd64/part-0.parquet
//	...
//
// The tables ([Tables]) are the build's metadata (builds), its functions
// (functions, instances, calls, symbols), its types (types, members,
// enum_values, typedefs) and its hooks (tracepoints, lsm_hooks, kfuncs,
// syscalls, config); each table's row type (Function, Member, ...) reads
// the files back with parquet-go.
//
// The partition column, build, lives in the directory name only, as Hive,
// DuckDB (hive_partitioning), Spark and Trino expect. docs/parquet.md
// documents every column. Output is deterministic: the same build gives
// the same bytes.
package dataset

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/kabi-dev/kabi"
	"github.com/parquet-go/parquet-go"
)

// Tables are the tables WriteParquet writes, in the order it writes them.
var Tables = func() []string {
	var names []string
	for _, t := range tables {
		names = append(names, t.name)
	}
	return names
}()

// A table is one table of the dataset: its name and how a build's rows
// are written.
type table struct {
	name  string
	write func(io.Writer, *kabi.Build) error
}

// rowsOf makes a table's writer from the function listing its rows.
func rowsOf[T any](rows func(*kabi.Build, func(T))) func(io.Writer, *kabi.Build) error {
	return func(w io.Writer, b *kabi.Build) error { return writeRows(w, func(add func(T)) { rows(b, add) }) }
}

var tables = []table{
	{"builds", rowsOf(buildRows)},
	{"functions", rowsOf(functionRows)},
	{"instances", rowsOf(instanceRows)},
	{"calls", rowsOf(callRows)},
	{"symbols", rowsOf(symbolRows)},
	{"types", rowsOf(typeRows)},
	{"members", rowsOf(memberRows)},
	{"enum_values", rowsOf(enumValueRows)},
	{"typedefs", rowsOf(typedefRows)},
	{"tracepoints", rowsOf(tracepointRows)},
	{"lsm_hooks", rowsOf(lsmRows)},
	{"kfuncs", rowsOf(kfuncRows)},
	{"syscalls", rowsOf(syscallRows)},
	{"config", rowsOf(configRows)},
}

// Function is a row of the functions table: one per function of a build.
type Function struct {
	Name           string  `parquet:"name,dict"`
	Demangled      *string `parquet:"demangled,optional"`
	Collision      string  `parquet:"collision,dict"`
	Inline         string  `parquet:"inline,dict"`
	Transformation bool    `parquet:"transformation"`
	Issues         string  `parquet:"issues,dict"`
	Signature      *string `parquet:"signature,optional"`
	Instances      *int32  `parquet:"instances,optional"`
	Symbols        int32   `parquet:"symbols"`
	Kprobe         string  `parquet:"kprobe,dict"`
	Fentry         string  `parquet:"fentry,dict"`
}

// Instance is a row of the instances table: one per instance.
type Instance struct {
	Function       string  `parquet:"function,dict"`
	Index          int32   `parquet:"instance"`
	Module         string  `parquet:"module,dict"`
	File           *string `parquet:"file,optional,dict"`
	LocationFile   *string `parquet:"location_file,optional,dict"`
	LocationLine   *int32  `parquet:"location_line,optional"`
	Address        *int64  `parquet:"address,optional"`
	External       bool    `parquet:"external"`
	DeclaredInline bool    `parquet:"declared_inline"`
	Inlined        bool    `parquet:"inlined"`
	DeclaredOnly   bool    `parquet:"declared_only"`
	Assembler      bool    `parquet:"assembler"`
	Signature      *string `parquet:"signature,optional,dict"`
	InlineCallers  int32   `parquet:"inline_callers"`
	DirectCallers  int32   `parquet:"direct_callers"`
}

// Call is a row of the calls table: one per call or inline site.
type Call struct {
	Callee     string  `parquet:"callee,dict"`
	Instance   int32   `parquet:"instance"`
	Kind       string  `parquet:"kind,dict"`
	Caller     string  `parquet:"caller,dict"`
	CallerFile string  `parquet:"caller_file,dict"`
	SiteFile   *string `parquet:"site_file,optional,dict"`
	SiteLine   *int32  `parquet:"site_line,optional"`
	Address    *int64  `parquet:"address,optional"`
}

// Symbol is a row of the symbols table: one per function symbol.
type Symbol struct {
	Name       string  `parquet:"name,dict"`
	Stem       string  `parquet:"stem,dict"`
	Suffix     string  `parquet:"suffix,dict"`
	Transforms string  `parquet:"transforms,dict"`
	Address    int64   `parquet:"address"`
	Size       int64   `parquet:"size"`
	Bind       string  `parquet:"bind,dict"`
	Section    string  `parquet:"section,dict"`
	Module     string  `parquet:"module,dict"`
	Function   *string `parquet:"function,optional,dict"`
	Ftrace     bool    `parquet:"ftrace"`
	NoKprobe   string  `parquet:"nokprobe,dict"`
}

// BuildName is the value of a build's partition column: its release, else
// its file's base name.
func BuildName(b *kabi.Build) string {
	if b.Meta.Release != "" {
		return b.Meta.Release
	}
	return filepath.Base(b.Meta.File)
}

// WriteParquet writes the tables of build b under dir, in the partition
// directories named for BuildName(b), each table's file written to a
// temporary name and renamed when complete. It refuses to replace a
// partition that exists: remove it first, or export to another DIR.
func WriteParquet(dir string, b *kabi.Build) error {
	part := "build=" + partitionValue(BuildName(b))
	for _, t := range Tables {
		if _, err := os.Stat(filepath.Join(dir, t, part)); err == nil {
			return fmt.Errorf("%s: %s already has a partition %s (two builds of the same release?)", b.Meta.File, filepath.Join(dir, t), part)
		}
	}
	write := func(table string, fill func(io.Writer) error) error {
		d := filepath.Join(dir, table, part)
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		final := filepath.Join(d, "part-0.parquet")
		f, err := os.Create(final + ".tmp")
		if err != nil {
			return err
		}
		err = fill(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(final+".tmp", final)
		}
		if err != nil {
			os.Remove(final + ".tmp")
			return fmt.Errorf("%s: writing %s: %w", b.Meta.File, final, err)
		}
		return nil
	}
	for _, t := range tables {
		if err := write(t.name, func(w io.Writer) error { return t.write(w, b) }); err != nil {
			return err
		}
	}
	return b.Err()
}

// partitionValue escapes a partition value as Hive does (URL path escaping
// of '/', '=', '%' and the like).
func partitionValue(v string) string {
	if v == "" {
		return "__HIVE_DEFAULT_PARTITION__"
	}
	return strings.ReplaceAll(url.PathEscape(v), "=", "%3D")
}

// rowGroup bounds the rows of one row group, so a reader can skip parts.
const rowGroup = 1 << 16

// writeRows writes the rows that rows adds, a row group at a time: only
// one row group of a table is held, never the whole table.
func writeRows[T any](w io.Writer, rows func(add func(T))) error {
	pw := parquet.NewGenericWriter[T](w, parquet.Compression(&parquet.Zstd), parquet.CreatedBy("kabi", "", ""))
	var buf []T
	var err error
	flush := func() {
		if err == nil && len(buf) > 0 {
			if _, err = pw.Write(buf); err == nil {
				err = pw.Flush()
			}
		}
		clear(buf)
		buf = buf[:0]
	}
	rows(func(r T) {
		buf = append(buf, r)
		if len(buf) == rowGroup {
			flush()
		}
	})
	flush()
	return errors.Join(err, pw.Close())
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func functionRows(b *kabi.Build, add func(Function)) {
	for f := range b.Functions() {
		var issues []string
		for _, i := range f.Issues {
			issues = append(issues, i.String())
		}
		r := Function{
			Name: f.Name, Demangled: optString(f.Demangled),
			Collision: f.Collision.String(), Inline: f.Inline.String(), Transformation: f.Transformation,
			Issues:  strings.Join(issues, ","),
			Symbols: int32(len(f.Symbols)),
			Kprobe:  f.Attach.Kprobe.String(), Fentry: f.Attach.Fentry.String(),
		}
		if f.InstancesKnown() {
			n := int32(len(f.Instances))
			r.Instances = &n
		}
		if f.Signature != nil {
			r.Signature = optString(f.Signature.String())
		}
		add(r)
	}
}

func instanceRows(b *kabi.Build, add func(Instance)) {
	for f := range b.Functions() {
		for i, in := range f.Instances {
			r := Instance{
				Function: f.Name, Index: int32(i), Module: in.Module, File: optString(in.File),
				External: in.External, DeclaredInline: in.DeclaredInline, Inlined: in.Inlined,
				DeclaredOnly: in.DeclaredOnly, Assembler: in.Assembler,
				InlineCallers: int32(len(in.InlineCallers)), DirectCallers: int32(len(in.DirectCallers)),
			}
			if in.Location.File != "" {
				r.LocationFile = optString(in.Location.File)
				if in.Location.Line > 0 {
					l := int32(in.Location.Line)
					r.LocationLine = &l
				}
			}
			if in.HasAddr {
				a := int64(in.Address)
				r.Address = &a
			}
			if in.Signature != nil {
				r.Signature = optString(in.Signature.String())
			}
			add(r)
		}
	}
}

func callRows(b *kabi.Build, add func(Call)) {
	for f := range b.Functions() {
		for i, in := range f.Instances {
			for _, l := range []struct {
				kind string
				list []kabi.Caller
			}{{"inline", in.InlineCallers}, {"direct", in.DirectCallers}} {
				for _, c := range l.list {
					r := Call{Callee: f.Name, Instance: int32(i), Kind: l.kind, Caller: c.Function, CallerFile: c.File}
					if c.Site.File != "" {
						r.SiteFile = optString(c.Site.File)
						if c.Site.Line > 0 {
							n := int32(c.Site.Line)
							r.SiteLine = &n
						}
					}
					if c.HasAddr {
						a := int64(c.Addr)
						r.Address = &a
					}
					add(r)
				}
			}
		}
	}
}

func symbolRows(b *kabi.Build, add func(Symbol)) {
	owner := make(map[*kabi.Symbol]string)
	for f := range b.Functions() {
		for _, s := range f.Symbols {
			owner[s] = f.Name
		}
	}
	for s := range b.Symbols() {
		r := Symbol{
			Name: s.Name, Stem: s.Stem, Suffix: s.Suffix, Transforms: s.Transforms.String(),
			Address: int64(s.Address), Size: int64(s.Size), Bind: s.Bind.String(), Section: s.Section,
			Module: s.Module, Ftrace: s.Ftrace, NoKprobe: s.NoKprobe.String(),
		}
		if fn, ok := owner[s]; ok {
			r.Function = &fn
		}
		add(r)
	}
}
