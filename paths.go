package kabi

import (
	"path"
	"strings"
)

// A PathRule turns a path found in DWARF (a compile unit's DW_AT_name, or a
// declaration file joined to its directory) into the path kabi shows,
// normally relative to the kernel source root. compDir is the unit's
// DW_AT_comp_dir. A rule must be a pure function of its arguments; it is
// called from one goroutine at a time, and its results are cached.
//
// Before a rule sees a path, kabi cleans it ([path.Clean]), so
// arch/x86/kernel/../../x86/xen/xen-head.S arrives as arch/x86/xen/xen-head.S.
type PathRule func(p, compDir string) string

// SourceRootRule is the default [PathRule] (docs/rules.md §2): an absolute
// path whose fourth component, counting the empty one before the leading
// '/', starts with "linux-" loses its first four components, so
// /build/reproducible-path/linux-6.1.192/mm/vmalloc.c becomes mm/vmalloc.c.
// A build tree one level higher, /build/linux-aws-5.4/mm/vmalloc.c (third
// component), loses its first three. Any other path, in particular a
// relative one such as Debian's mm/vmalloc.c, is returned unchanged.
func SourceRootRule(p, compDir string) string {
	if !strings.HasPrefix(p, "/") {
		return p
	}
	// Components: "", c1, c2, c3, rest...
	rest := p[1:]
	var comps [3]string
	for i := range comps {
		j := strings.IndexByte(rest, '/')
		if j < 0 {
			return p
		}
		comps[i], rest = rest[:j], rest[j+1:]
	}
	if strings.HasPrefix(comps[2], "linux-") {
		return rest
	}
	if strings.HasPrefix(comps[1], "linux-") {
		return comps[2] + "/" + rest
	}
	return p
}

// StripPrefixRule returns a [PathRule] that removes the first of prefixes
// that a path starts with (as whole components: "/src/linux" strips
// "/src/linux/mm/vmalloc.c" but not "/src/linux-6.1/mm/vmalloc.c"). Paths
// that match no prefix go through [SourceRootRule].
func StripPrefixRule(prefixes ...string) PathRule {
	ps := make([]string, 0, len(prefixes))
	for _, p := range prefixes {
		if p = strings.TrimRight(p, "/"); p != "" {
			ps = append(ps, p+"/")
		}
	}
	return func(p, compDir string) string {
		for _, pre := range ps {
			if rest, ok := strings.CutPrefix(p, pre); ok && rest != "" {
				return rest
			}
		}
		return SourceRootRule(p, compDir)
	}
}

// CompDirRule is a [PathRule] for builds made inside the source tree: a
// path that starts with the unit's DW_AT_comp_dir loses it. Other paths go
// through [SourceRootRule].
func CompDirRule(p, compDir string) string {
	if compDir = strings.TrimRight(compDir, "/"); compDir != "" {
		if rest, ok := strings.CutPrefix(p, compDir+"/"); ok && rest != "" {
			return rest
		}
	}
	return SourceRootRule(p, compDir)
}

// cleanPath is path.Clean without turning "" into ".".
func cleanPath(p string) string {
	if p == "" {
		return ""
	}
	return path.Clean(p)
}
