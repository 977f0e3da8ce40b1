package dataset

import "github.com/kabi-dev/kabi"

// Build is the row of the builds table: one per build, its metadata.
type Build struct {
	Release        *string `parquet:"release,optional"`
	Version        *string `parquet:"version,optional"`
	Revision       *string `parquet:"revision,optional"`
	Flavor         *string `parquet:"flavor,optional"`
	Arch           *string `parquet:"arch,optional"`
	Compiler       *string `parquet:"compiler,optional"`
	Banner         *string `parquet:"banner,optional"`
	BuildID        *string `parquet:"build_id,optional"`
	Package        *string `parquet:"package,optional"`
	PackageVersion *string `parquet:"package_version,optional"`
	File           string  `parquet:"file"`
	ConfigSource   *string `parquet:"config_source,optional"`
	Functions      int32   `parquet:"functions"`
	Types          int32   `parquet:"types"`
	Tracepoints    int32   `parquet:"tracepoints"`
	HookSkips      int32   `parquet:"hook_skips"`
}

func buildRows(b *kabi.Build, add func(Build)) {
	m := b.Meta
	r := Build{
		Release: optString(m.Release), Version: optString(m.Version), Revision: optString(m.Revision),
		Flavor: optString(m.Flavor), Arch: optString(m.Arch), Compiler: optString(m.Compiler),
		Banner: optString(m.Banner), BuildID: optString(m.BuildID), Package: optString(m.Package),
		PackageVersion: optString(m.PackageVersion), File: m.File, ConfigSource: optString(b.ConfigSource()),
		Functions: int32(b.Len()), Types: int32(b.TypeLen(0)),
	}
	for range b.Tracepoints() {
		r.Tracepoints++
	}
	for range b.HookSkips() {
		r.HookSkips++
	}
	add(r)
}
