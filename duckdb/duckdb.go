// Package duckdb queries a kabi dataset (the Parquet tables `kabi export`
// writes, see package dataset and docs/parquet.md) with DuckDB, in
// process: the questions asked across many builds are SQL over the
// tables of every build at once.
//
// It lives in a module of its own, github.com/kabi-dev/kabi/duckdb,
// because DuckDB is C++ reached through cgo: the kabi library itself
// never needs a C compiler. Its queries are plain SQL (the constants
// below), the same a user types into the DuckDB CLI after the views of
// [Views], or writes for Spark and Trino against the same folder.
//
// # Concurrency
//
// A DB may be used from several goroutines, as a [database/sql.DB].
package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2" // the "duckdb" database/sql driver

	"github.com/kabi-dev/kabi/dataset"
)

// A DB is an in-memory DuckDB database with a view per table of a
// dataset folder.
type DB struct {
	db  *sql.DB
	dir string
}

// Views returns the statements that make each table of the dataset under
// dir a view of the same name over its Hive-partitioned files: the build
// column comes from the folder names, kept as text.
func Views(dir string) []string {
	var out []string
	for _, t := range dataset.Tables {
		glob := filepath.ToSlash(filepath.Join(dir, t, "*", "*.parquet"))
		out = append(out, fmt.Sprintf("CREATE VIEW %s AS SELECT * FROM read_parquet('%s', hive_partitioning = true, hive_types_autocast = false)",
			t, strings.ReplaceAll(glob, "'", "''")))
	}
	return out
}

// Open opens an in-memory DuckDB database with the views of [Views] over
// the dataset under dir. It returns an error naming dir when dir holds
// no exported build.
func Open(dir string) (*DB, error) {
	if m, _ := filepath.Glob(filepath.Join(dir, "builds", "build=*", "*.parquet")); len(m) == 0 {
		if _, err := os.Stat(dir); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%s: no exported build (kabi export -o %s BUILD... writes one)", dir, dir)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, err
	}
	for _, v := range Views(dir) {
		if _, err := db.Exec(v); err != nil {
			db.Close()
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
	}
	return &DB{db: db, dir: dir}, nil
}

// Close closes the database.
func (d *DB) Close() error { return d.db.Close() }

// SQL is the database, for queries of one's own over the views.
func (d *DB) SQL() *sql.DB { return d.db }

// BuildsSQL lists the builds of the dataset in name order.
const BuildsSQL = `SELECT build FROM builds ORDER BY build`

// Builds returns the partition names of the builds in the dataset, in
// name order.
func (d *DB) Builds(ctx context.Context) ([]string, error) {
	return collect(ctx, d.db, BuildsSQL, nil, func(r *sql.Rows) (s string, err error) { return s, r.Scan(&s) })
}

// SignatureChangesSQL lists the functions of both builds whose signature
// differs (a signature that is NULL in one build only counts), by name.
const SignatureChangesSQL = `SELECT a.name, a.signature AS old, b.signature AS new
FROM functions a JOIN functions b USING (name)
WHERE a.build = $1 AND b.build = $2
  AND a.signature IS DISTINCT FROM b.signature
ORDER BY a.name`

// A SignatureChange is a function whose signature differs between two
// builds; Old or New is "" where that build has no prototype for it.
type SignatureChange struct {
	Name, Old, New string
}

// SignatureChanges runs [SignatureChangesSQL] for builds old and new.
func (d *DB) SignatureChanges(ctx context.Context, old, new string) ([]SignatureChange, error) {
	return collect(ctx, d.db, SignatureChangesSQL, []any{old, new}, func(r *sql.Rows) (c SignatureChange, err error) {
		var o, n sql.NullString
		err = r.Scan(&c.Name, &o, &n)
		c.Old, c.New = o.String, n.String
		return c, err
	})
}

// MostInlinedSQL lists the functions of a build with the most inline
// sites, most first, then by name.
const MostInlinedSQL = `SELECT callee, count(*) AS sites
FROM calls
WHERE build = $1 AND kind = 'inline'
GROUP BY callee
ORDER BY sites DESC, callee
LIMIT $2`

// A Count is a name and a number of rows.
type Count struct {
	Name string
	N    int64
}

// MostInlined runs [MostInlinedSQL] for build, giving the first n.
func (d *DB) MostInlined(ctx context.Context, build string, n int) ([]Count, error) {
	return collect(ctx, d.db, MostInlinedSQL, []any{build, n}, func(r *sql.Rows) (c Count, err error) {
		return c, r.Scan(&c.Name, &c.N)
	})
}

// CallersSQL lists the callers of a function in every build: per build,
// each caller and kind of site (inline or direct) with its number of
// sites.
const CallersSQL = `SELECT build, caller, kind, count(*) AS sites
FROM calls
WHERE callee = $1
GROUP BY build, caller, kind
ORDER BY build, caller, kind`

// A Caller is a function calling or inlining another in one build.
type Caller struct {
	Build, Caller, Kind string
	Sites               int64
}

// Callers runs [CallersSQL] for function.
func (d *DB) Callers(ctx context.Context, function string) ([]Caller, error) {
	return collect(ctx, d.db, CallersSQL, []any{function}, func(r *sql.Rows) (c Caller, err error) {
		return c, r.Scan(&c.Build, &c.Caller, &c.Kind, &c.Sites)
	})
}

// MovedFieldsSQL lists the fields of structs and unions (their first
// definitions) whose offset differs between two builds, by type, then in
// the new build's declaration order: kabi's "Field moved" changes.
const MovedFieldsSQL = `SELECT a.kind, a.type, a.name, a.bit_offset AS old_bit, b.bit_offset AS new_bit
FROM members a JOIN members b USING (kind, type, name)
WHERE a.build = $1 AND b.build = $2
  AND a.variant = 0 AND b.variant = 0 AND a.field AND b.field
  AND a.bit_offset IS DISTINCT FROM b.bit_offset
ORDER BY a.kind, a.type, b.member`

// A MovedField is a field whose offset from the start of its type
// differs between two builds; a bit offset is -1 where DWARF does not
// give it as a number.
type MovedField struct {
	Kind, Type, Name string
	OldBit, NewBit   int64
}

// MovedFields runs [MovedFieldsSQL] for builds old and new.
func (d *DB) MovedFields(ctx context.Context, old, new string) ([]MovedField, error) {
	return collect(ctx, d.db, MovedFieldsSQL, []any{old, new}, func(r *sql.Rows) (m MovedField, err error) {
		var o, n sql.NullInt64
		err = r.Scan(&m.Kind, &m.Type, &m.Name, &o, &n)
		m.OldBit, m.NewBit = -1, -1
		if o.Valid {
			m.OldBit = o.Int64
		}
		if n.Valid {
			m.NewBit = n.Int64
		}
		return m, err
	})
}

// collect runs a query and scans each row.
func collect[T any](ctx context.Context, db *sql.DB, query string, args []any, scan func(*sql.Rows) (T, error)) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
