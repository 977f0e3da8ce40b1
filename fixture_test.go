package kabi

import (
	"debug/dwarf"
	"debug/elf"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// The facts asserted here are those of testdata/README.md, which were
// derived from the committed fixtures with tools independent of kabi.
// Addresses are not written out: they are read from the fixture with
// debug/elf (symbols) and debug/dwarf (inline sites), so the expectations
// stay true for every architecture the fixtures are built for.

var (
	buildsMu sync.Mutex
	builds   = map[string]*Build{}
)

// fixture opens testdata/NAME.elf once per test binary.
func fixture(t testing.TB, name string) *Build {
	t.Helper()
	buildsMu.Lock()
	defer buildsMu.Unlock()
	if b, ok := builds[name]; ok {
		return b
	}
	b, err := Open(filepath.Join("testdata", name+".elf"), nil)
	if err != nil {
		t.Fatal(err)
	}
	builds[name] = b
	return b
}

// gccFixtures are the fixtures that give identical facts (README).
var gccFixtures = []string{
	"x86_64-dwarf5", "x86_64-dwarf4", "x86_64-dwarf3", "x86_64-dwarf2", "x86_64-dwarf4-64bit",
	"x86_64-dwarf4-types", "x86_64-dwarf5-types", "x86_64-zlib", "x86_64-zstd", "i386", "aarch64", "s390x",
}

// oracle reads a fixture with the standard library, independently of kabi.
type oracle struct {
	t    testing.TB
	syms []elf.Symbol
	d    *dwarf.Data
}

func newOracle(t testing.TB, name string) *oracle {
	t.Helper()
	ef, err := elf.Open(filepath.Join("testdata", name+".elf"))
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close()
	syms, err := ef.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	d, err := ef.DWARF()
	if err != nil {
		t.Fatal(err)
	}
	return &oracle{t: t, syms: syms, d: d}
}

// sym returns the function symbol named name, which must be unique
// unless bind selects one.
func (o *oracle) sym(name string, bind elf.SymBind) *Symbol {
	o.t.Helper()
	var found *Symbol
	for i := range o.syms {
		s := &o.syms[i]
		if s.Name != name || elf.ST_TYPE(s.Info) != elf.STT_FUNC || elf.ST_BIND(s.Info) != bind {
			continue
		}
		if found != nil {
			continue // the first; all() fixes up the others
		}
		stem, suffix, tr := parseSuffix(name)
		found = &Symbol{Name: name, Address: s.Value, Size: s.Size, Bind: bind, Section: ".text",
			Stem: stem, Suffix: suffix, Transforms: tr}
	}
	if found == nil {
		o.t.Fatalf("oracle: no symbol %s (%v)", name, bind)
	}
	return found
}

// all returns the function symbols named name, in symbol-table order.
func (o *oracle) all(name string) []*Symbol {
	var out []*Symbol
	for i := range o.syms {
		s := &o.syms[i]
		if s.Name == name && elf.ST_TYPE(s.Info) == elf.STT_FUNC {
			out = append(out, o.sym(name, elf.ST_BIND(s.Info)))
			out[len(out)-1].Address, out[len(out)-1].Size = s.Value, s.Size
		}
	}
	return out
}

// addr is the address of the function symbol name.
func (o *oracle) addr(name string, bind elf.SymBind) uint64 { return o.sym(name, bind).Address }

// definition returns the low_pc of the subprogram named name in the
// compile unit whose DW_AT_name ends with cu.
func (o *oracle) definition(cu, name string) uint64 {
	o.t.Helper()
	return o.find(cu, name, dwarf.TagSubprogram)
}

// inlineSite returns the low_pc (or entry_pc) of the first
// DW_TAG_inlined_subroutine of function name in the compile unit whose
// DW_AT_name ends with cu.
func (o *oracle) inlineSite(cu, name string) uint64 {
	o.t.Helper()
	return o.find(cu, name, dwarf.TagInlinedSubroutine)
}

// find returns the low_pc (or entry_pc) of the first entry with tag for
// function name (by DW_AT_name, or that of its DW_AT_abstract_origin) in
// the compile unit whose DW_AT_name ends with cu.
func (o *oracle) find(cu, name string, tag dwarf.Tag) uint64 {
	o.t.Helper()
	r := o.d.Reader()
	in := false
	for {
		e, err := r.Next()
		if err != nil {
			o.t.Fatal(err)
		}
		if e == nil {
			break
		}
		if e.Tag == dwarf.TagCompileUnit {
			n, _ := e.Val(dwarf.AttrName).(string)
			in = len(n) >= len(cu) && n[len(n)-len(cu):] == cu
			continue
		}
		if !in || e.Tag != tag {
			continue
		}
		n := e.Val(dwarf.AttrName)
		if off, ok := e.Val(dwarf.AttrAbstractOrigin).(dwarf.Offset); ok {
			r2 := o.d.Reader()
			r2.Seek(off)
			org, err := r2.Next()
			if err != nil || org == nil {
				o.t.Fatalf("oracle: origin %#x: %v", off, err)
			}
			n = org.Val(dwarf.AttrName)
		}
		if n != name {
			continue
		}
		if pc, ok := e.Val(dwarf.AttrLowpc).(uint64); ok {
			return pc
		}
		if pc, ok := e.Val(dwarf.AttrEntrypc).(uint64); ok {
			return pc
		}
	}
	o.t.Fatalf("oracle: no %v of %s with an address in %s", tag, name, cu)
	return 0
}

func callers(list ...string) []Caller {
	var out []Caller
	for _, s := range list {
		for i := 0; i < len(s); i++ {
			if s[i] == ':' {
				out = append(out, Caller{File: s[:i], Function: s[i+1:]})
				break
			}
		}
	}
	return out
}

func loc(file string, line int) Location { return Location{File: file, Line: line} }

// checkFunction compares the whole Function with want, signatures aside:
// signature_test.go asserts every fixture function's signature.
func checkFunction(t *testing.T, b *Build, want *Function) {
	t.Helper()
	got, ok := b.Function(want.Name)
	if !ok {
		t.Fatalf("%s: no function %s", b.Meta.File, want.Name)
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Function{}, "Signature", "Attach"), cmpopts.IgnoreFields(Instance{}, "Signature"),
		cmpopts.IgnoreFields(Caller{}, "Site", "Addr", "HasAddr")); diff != "" { // sites: TestCallSites
		t.Errorf("%s: function %s (-want +got):\n%s", b.Meta.File, want.Name, diff)
	}
}

// TestFixtureCases asserts each surface-rules case of testdata/README.md
// on the reference gcc build, field by field.
func TestFixtureCases(t *testing.T) {
	const name = "x86_64-dwarf5"
	b := fixture(t, name)
	o := newOracle(t, name)
	G, L := elf.STB_GLOBAL, elf.STB_LOCAL
	vmalloc := "mm/vmalloc_fix.c"

	cases := []struct {
		why  string
		want *Function
	}{
		{"external function called from several files; two call sites in one caller give two entries; a call through an inlined static and from its out-of-line copy", &Function{
			Name: "kfx_alloc",
			Instances: []*Instance{{
				File: vmalloc, Location: loc(vmalloc, 21), Address: o.addr("kfx_alloc", G), HasAddr: true, External: true,
				DirectCallers: callers(vmalloc+":vmap", vmalloc+":vm_map_page", "fs/file_fix.c:kfx_open_file",
					"fs/file_fix.c:kfx_open_file", "kernel/sched_fix.c:kfx_schedule"),
			}},
			Symbols:   []*Symbol{o.sym("kfx_alloc", G)},
			Collision: UniqueGlobal, Inline: InlineNo,
		}},
		{"defined in the CU compiled by absolute path; calls from clone copies go to the origin", &Function{
			Name: "kfx_printk",
			Instances: []*Instance{{
				File: "kernel/printk_fix.c", Location: loc("kernel/printk_fix.c", 14), Address: o.addr("kfx_printk", G), HasAddr: true, External: true,
				DirectCallers: callers("init/main.c:start_kernel", vmalloc+":vm_validate",
					vmalloc+":vm_check_range", vmalloc+":vm_check_range", vmalloc+":vm_check_range",
					vmalloc+":vm_req_check", "kernel/sched_fix.c:kfx_schedule",
					"kernel/printk_fix.c:kfx_warn", "kernel/printk_fix.c:kfx_dump_page"),
			}},
			Symbols:   []*Symbol{o.sym("kfx_printk", G)},
			Collision: UniqueGlobal, Inline: InlineNo,
		}},
		{"Static Duplication of a header static inline, one CU with an out-of-line copy: the copy's address there, the first inline site elsewhere", &Function{
			Name: "page_to_index",
			Instances: []*Instance{
				{File: "init/main.c", Location: loc("include/kfx/kernel.h", 78), Address: o.inlineSite("init/main.c", "page_to_index"), HasAddr: true,
					DeclaredInline: true, Inlined: true, InlineCallers: callers("init/main.c:start_kernel")},
				{File: vmalloc, Location: loc("include/kfx/kernel.h", 78), Address: o.inlineSite(vmalloc, "page_to_index"), HasAddr: true,
					DeclaredInline: true, Inlined: true, InlineCallers: callers(vmalloc+":vmap", vmalloc+":vm_map_page")},
				{File: "fs/file_fix.c", Location: loc("include/kfx/kernel.h", 78), Address: o.addr("page_to_index", L), HasAddr: true,
					DeclaredInline: true, Inlined: true, InlineCallers: callers("fs/file_fix.c:do_work")},
				{File: "kernel/sched_fix.c", Location: loc("include/kfx/kernel.h", 78), Address: o.inlineSite("kernel/sched_fix.c", "page_to_index"), HasAddr: true,
					DeclaredInline: true, Inlined: true, InlineCallers: callers("kernel/sched_fix.c:kfx_schedule")},
				{File: "kernel/printk_fix.c", Location: loc("include/kfx/kernel.h", 78), Address: o.inlineSite("kernel/printk_fix.c", "page_to_index"), HasAddr: true,
					DeclaredInline: true, Inlined: true, InlineCallers: callers("kernel/printk_fix.c:kfx_dump_page")},
			},
			Symbols:   []*Symbol{o.sym("page_to_index", L)},
			Collision: StaticDuplication, Inline: InlineSelective,
			Issues: []Issue{IssueDuplicate, IssueSelectiveInline},
		}},
		{"Static Duplication, always inlined: Full; nested inline callers are the outermost subprogram", &Function{
			Name: "kfx_trace_inner",
			Instances: []*Instance{
				{File: "init/main.c", Location: loc("include/kfx/kernel.h", 90), Address: o.inlineSite("init/main.c", "kfx_trace_inner"), HasAddr: true,
					DeclaredInline: true, Inlined: true, InlineCallers: callers("init/main.c:start_kernel")},
				{File: vmalloc, Location: loc("include/kfx/kernel.h", 90), Address: o.inlineSite(vmalloc, "kfx_trace_inner"), HasAddr: true,
					DeclaredInline: true, Inlined: true, InlineCallers: callers(vmalloc+":vmap", vmalloc+":vm_map_page")},
				{File: "fs/file_fix.c", Location: loc("include/kfx/kernel.h", 90), Address: o.inlineSite("fs/file_fix.c", "kfx_trace_inner"), HasAddr: true,
					DeclaredInline: true, Inlined: true, InlineCallers: callers("fs/file_fix.c:kfx_open_file")},
			},
			Collision: StaticDuplication, Inline: InlineFull,
			Issues: []Issue{IssueDuplicate, IssueFullInline},
		}},
		{"Static-Static Collision", &Function{
			Name: "setup_once",
			Instances: []*Instance{
				{File: vmalloc, Location: loc(vmalloc, 159), Address: o.definition(vmalloc, "setup_once"), HasAddr: true,
					DirectCallers: callers(vmalloc + ":vmap")},
				{File: "fs/file_fix.c", Location: loc("fs/file_fix.c", 24), Address: o.definition("fs/file_fix.c", "setup_once"), HasAddr: true,
					DirectCallers: callers("fs/file_fix.c:do_work")},
			},
			Symbols:   o.all("setup_once"),
			Collision: StaticStaticCollision, Inline: InlineNo, Issues: []Issue{IssueCollision},
		}},
		{"Static-Global Collision; a call inside a lexical block", &Function{
			Name: "do_work",
			Instances: []*Instance{
				{File: "fs/file_fix.c", Location: loc("fs/file_fix.c", 34), Address: o.addr("do_work", G), HasAddr: true, External: true,
					DirectCallers: callers("fs/file_fix.c:kfx_open_file")},
				{File: "kernel/sched_fix.c", Location: loc("kernel/sched_fix.c", 30), Address: o.addr("do_work", L), HasAddr: true,
					DirectCallers: callers("kernel/sched_fix.c:kfx_schedule")},
			},
			Symbols:   []*Symbol{o.sym("do_work", L), o.sym("do_work", G)},
			Collision: StaticGlobalCollision, Inline: InlineNo, Issues: []Issue{IssueCollision},
		}},
		{"Full inline in one CU", &Function{
			Name: "vm_area_fixup",
			Instances: []*Instance{{File: vmalloc, Location: loc(vmalloc, 38), Address: o.inlineSite(vmalloc, "vm_area_fixup"), HasAddr: true,
				DeclaredInline: true, Inlined: true, InlineCallers: callers(vmalloc + ":vmap")}},
			Collision: UniqueStatic, Inline: InlineFull, Issues: []Issue{IssueFullInline},
		}},
		{"Selective inline, static, with an out-of-line concrete copy", &Function{
			Name: "vm_map_page",
			Instances: []*Instance{{File: vmalloc, Location: loc(vmalloc, 51), Address: o.addr("vm_map_page", L), HasAddr: true,
				DeclaredInline: true, Inlined: true, InlineCallers: callers(vmalloc + ":vmap")}},
			Symbols:   []*Symbol{o.sym("vm_map_page", L)},
			Collision: UniqueStatic, Inline: InlineSelective, Issues: []Issue{IssueSelectiveInline},
		}},
		{"Selective inline, global: inlined in its CU, called out of line from another", &Function{
			Name: "vm_pages_count",
			Instances: []*Instance{{File: vmalloc, Location: loc(vmalloc, 66), Address: o.addr("vm_pages_count", G), HasAddr: true,
				External: true, Inlined: true,
				InlineCallers: callers(vmalloc + ":vmap"), DirectCallers: callers("kernel/sched_fix.c:kfx_schedule")}},
			Symbols:   []*Symbol{o.sym("vm_pages_count", G)},
			Collision: UniqueGlobal, Inline: InlineSelective, Issues: []Issue{IssueSelectiveInline},
		}},
		{"gcc .isra clone: calls reach the origin through the clone's abstract origin", &Function{
			Name: "vm_req_cost",
			Instances: []*Instance{{File: vmalloc, Location: loc(vmalloc, 81), Address: o.addr("vm_req_cost.isra.0", L), HasAddr: true,
				Inlined: true, DirectCallers: callers(vmalloc+":vm_sync", vmalloc+":vmap")}},
			Symbols:   []*Symbol{o.sym("vm_req_cost.isra.0", L)},
			Collision: UniqueStatic, Inline: InlineSelective, Transformation: true,
			Issues: []Issue{IssueSelectiveInline, IssueTransformation},
		}},
		{"gcc .part clone; the partially inlined head gives inline callers", &Function{
			Name: "vm_check_range",
			Instances: []*Instance{{File: vmalloc, Location: loc(vmalloc, 104), Address: o.addr("vm_check_range.part.0", L), HasAddr: true,
				Inlined:       true,
				InlineCallers: callers(vmalloc+":vm_sync", vmalloc+":vmap"),
				DirectCallers: callers(vmalloc+":vm_sync", vmalloc+":vmap")}},
			Symbols:   []*Symbol{o.sym("vm_check_range.part.0", L)},
			Collision: UniqueStatic, Inline: InlineSelective, Transformation: true,
			Issues: []Issue{IssueSelectiveInline, IssueTransformation},
		}},
		{"gcc .cold part; the definition has DW_AT_ranges only, whose first range is the hot part, the unsuffixed symbol", &Function{
			Name: "vm_validate",
			Instances: []*Instance{{File: vmalloc, Location: loc(vmalloc, 130), Address: o.addr("vm_validate", L), HasAddr: true,
				DirectCallers: callers(vmalloc+":vm_sync", vmalloc+":vmap")}},
			Symbols:   append(o.all("vm_validate"), o.all("vm_validate.cold")...),
			Collision: UniqueStatic, Inline: InlineNo, Transformation: true,
			Issues: []Issue{IssueTransformation},
		}},
		{"two transformations on one symbol (constprop + cold)", &Function{
			Name: "vm_req_check",
			Instances: []*Instance{{File: vmalloc, Location: loc(vmalloc, 145), Address: o.addr("vm_req_check.constprop.0", L), HasAddr: true,
				Inlined: true, DirectCallers: callers(vmalloc+":vm_sync", vmalloc+":vmap")}},
			Symbols:   append(o.all("vm_req_check.constprop.0"), o.all("vm_req_check.constprop.0.cold")...),
			Collision: UniqueStatic, Inline: InlineSelective, Transformation: true,
			Issues: []Issue{IssueSelectiveInline, IssueTransformation},
		}},
		{"recursion counts", &Function{
			Name: "kfx_tree_sum",
			Instances: []*Instance{{File: "kernel/sched_fix.c", Location: loc("kernel/sched_fix.c", 18), Address: o.addr("kfx_tree_sum", G), HasAddr: true,
				External: true, DirectCallers: callers("kernel/sched_fix.c:kfx_schedule", "kernel/sched_fix.c:kfx_tree_sum")}},
			Symbols:   []*Symbol{o.sym("kfx_tree_sum", G)},
			Collision: UniqueGlobal, Inline: InlineNo,
		}},
		{"calls from inside nested inlined code count for the outermost subprogram", &Function{
			Name: "kfx_log_event",
			Instances: []*Instance{{File: "kernel/printk_fix.c", Location: loc("kernel/printk_fix.c", 30), Address: o.addr("kfx_log_event", G), HasAddr: true,
				External: true, DirectCallers: callers("init/main.c:start_kernel", vmalloc+":vmap", vmalloc+":vm_check_range",
					vmalloc+":vm_map_page", "fs/file_fix.c:kfx_open_file")}},
			Symbols:   []*Symbol{o.sym("kfx_log_event", G)},
			Collision: UniqueGlobal, Inline: InlineNo,
		}},
		{"declared in C, defined in assembly without debug info: declared only", &Function{
			Name:      "memset",
			Instances: []*Instance{{External: true, DeclaredOnly: true, DirectCallers: callers(vmalloc + ":kfx_alloc")}},
			Symbols:   []*Symbol{o.sym("memset", G)},
			Collision: UniqueGlobal, Inline: InlineNo,
		}},
		{"assembly with gas debug info: no decl_file, so the location is the CU path without a line", &Function{
			Name: "kfx_asm_cpu_relax",
			Instances: []*Instance{{File: "arch/entry.S", Location: loc("arch/entry.S", 0), Address: o.addr("kfx_asm_cpu_relax", G), HasAddr: true,
				External: true, DirectCallers: callers("kernel/sched_fix.c:kfx_schedule"), Assembler: true}},
			Symbols:   []*Symbol{o.sym("kfx_asm_cpu_relax", G)},
			Collision: UniqueGlobal, Inline: InlineNo,
		}},
		{"a static inline from a header at the tree root", &Function{
			Name: "kfx_version_code",
			Instances: []*Instance{{File: "version_fix.c", Location: loc("kfx_version.h", 10), Address: o.inlineSite("version_fix.c", "kfx_version_code"), HasAddr: true,
				DeclaredInline: true, Inlined: true, InlineCallers: callers("version_fix.c:kfx_version")}},
			Collision: UniqueStatic, Inline: InlineFull, Issues: []Issue{IssueFullInline},
		}},
	}
	for _, c := range cases {
		t.Run(c.want.Name, func(t *testing.T) {
			t.Log(c.why)
			checkFunction(t, b, c.want)
		})
	}
}

// TestFixtureNames checks the set of functions: 45 DWARF names, memcpy a
// symbol without DWARF, the __compiletime_assert_ declarations dropped.
func TestFixtureNames(t *testing.T) {
	for _, name := range gccFixtures {
		b := fixture(t, name)
		if b.Len() != 45 {
			t.Errorf("%s: %d functions, want 45", name, b.Len())
		}
		for _, n := range []string{"__compiletime_assert_42", "__compiletime_assert_43", "memcpy"} {
			if _, ok := b.Function(n); ok {
				t.Errorf("%s: function %s exists", name, n)
			}
		}
		var orphans []string
		for s := range b.UnattachedSymbols() {
			orphans = append(orphans, s.Name)
		}
		if diff := cmp.Diff([]string{"memcpy"}, orphans); diff != "" {
			t.Errorf("%s: unattached symbols (-want +got):\n%s", name, diff)
		}
		prev := ""
		for f := range b.Functions() {
			if f.Name <= prev {
				t.Errorf("%s: %q after %q: not in name order", name, f.Name, prev)
			}
			prev = f.Name
		}
	}
}

// withoutAddresses copies a build's functions with every address zeroed.
// siteAddrsOff returns cs without their addresses.
func siteAddrsOff(cs []Caller) []Caller {
	if cs == nil {
		return nil
	}
	out := make([]Caller, len(cs))
	for i, c := range cs {
		c.Addr = 0
		out[i] = c
	}
	return out
}

// sitesOff returns cs without their sites and addresses.
func sitesOff(cs []Caller) []Caller {
	if cs == nil {
		return nil
	}
	out := make([]Caller, len(cs))
	for i, c := range cs {
		out[i] = Caller{File: c.File, Function: c.Function}
	}
	return out
}

func withoutAddresses(b *Build) []Function {
	var out []Function
	for f := range b.Functions() {
		c := *f
		c.Instances, c.Symbols = nil, nil
		for _, in := range f.Instances {
			i := *in
			i.Address = 0
			i.Signature = nil // per fixture in signature_test.go (DWARF 2 has no restrict, for one)
			i.InlineCallers, i.DirectCallers = siteAddrsOff(i.InlineCallers), siteAddrsOff(i.DirectCallers)
			c.Instances = append(c.Instances, &i)
		}
		c.Signature = nil
		for _, s := range f.Symbols {
			sy := *s
			sy.Address, sy.Size = 0, 0
			c.Symbols = append(c.Symbols, &sy)
		}
		out = append(out, c)
	}
	return out
}

// TestFixturesAgree: every gcc fixture (DWARF 2 to 5, 64-bit DWARF, type
// units, zlib, zstd, i386, arm64, big-endian s390x) gives the same facts
// as the reference build, addresses aside.
func TestFixturesAgree(t *testing.T) {
	ref := withoutAddresses(fixture(t, gccFixtures[0]))
	for _, name := range gccFixtures[1:] {
		if diff := cmp.Diff(ref, withoutAddresses(fixture(t, name))); diff != "" {
			t.Errorf("%s differs from %s (-%s +%s):\n%s", name, gccFixtures[0], gccFixtures[0], name, diff)
		}
	}
}
