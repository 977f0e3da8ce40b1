package kabi

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixtureSigs are the signatures of every function of the fixture
// sources (testdata/src), written by reading the C: the function's
// signature is its external instance's, else its first instance's, and
// gcc's base type names. must marks those every fixture has (global and
// noinline, or otherwise kept out of line by every compiler).
var fixtureSigs = []struct {
	name, want string
	must       bool
	dwarf2     string // the signature in DWARF 2 fixtures, when it differs
}{
	// lib/sig_fix.c: the declarator zoo.
	{"kfx_register_handler", "int kfx_register_handler(int (*cb)(void *, int), void *data);", true, ""},
	{"sig_default_handler", "int sig_default_handler(void *data, int arg);", true, ""},
	{"kfx_get_handler", "int (*kfx_get_handler(int idx))(void *, int);", true, ""},
	{"kfx_get_handler_t", "kfx_handler_t kfx_get_handler_t(int idx);", true, ""},
	{"kfx_signal", "void (*kfx_signal(int sig, void (*handler)(int)))(int);", true, ""},
	{"kfx_sum4", "int kfx_sum4(int *a);", true, ""}, // int a[4] is adjusted to int *a
	{"kfx_rows", "int kfx_rows(int (*m)[4], int n);", true, ""},
	{"kfx_parse_args", "int kfx_parse_args(int argc, const char *const *argv);", true, ""},
	// DWARF 2 has no DW_TAG_restrict_type: gcc leaves restrict out.
	{"kfx_copy", "void kfx_copy(void *restrict dst, const void *restrict src, size_t n);", true,
		"void kfx_copy(void *dst, const void *src, size_t n);"},
	{"kfx_read_reg", "unsigned int kfx_read_reg(const volatile unsigned int *reg);", true, ""},
	{"kfx_set_state", "enum kfx_state kfx_set_state(struct kfx_req *req, union kfx_key key, enum kfx_state st, bool force, u64 stamp);", true, ""},
	{"kfx_init", "void kfx_init(void);", true, ""},
	{"kfx_old_style", "int kfx_old_style();", true, ""}, // K&R: no DW_AT_prototyped
	{"sig_hidden_helper", "int sig_hidden_helper(int sel);", true, ""},
	{"kfx_sig_dispatch", "int kfx_sig_dispatch(int sel);", true, ""},
	// mm/vmalloc_fix.c
	{"kfx_alloc", "void *kfx_alloc(size_t size, gfp_t flags);", true, ""},
	{"vm_area_fixup", "long unsigned int vm_area_fixup(long unsigned int addr);", false, ""},
	{"vm_map_page", "int vm_map_page(struct page *page, int order);", false, ""},
	{"vm_pages_count", "long unsigned int vm_pages_count(const struct page *page);", true, ""},
	{"vm_req_cost", "int vm_req_cost(const struct kfx_req *req);", false, ""},
	{"vm_scale", "long unsigned int vm_scale(long unsigned int v, int shift, int mode);", false, ""},
	{"vm_check_range", "int vm_check_range(const struct page *p, long unsigned int limit);", false, ""},
	{"vm_validate", "int vm_validate(const struct page *p, int n);", false, ""},
	{"vm_req_check", "int vm_req_check(const struct kfx_req *req, int unused);", false, ""},
	{"setup_once", "int setup_once(int x);", false, ""}, // two statics, same prototype
	{"vmap", "void *vmap(struct page **pages, unsigned int count, long unsigned int flags, pgprot_t prot);", true, ""},
	{"vm_sync", "int vm_sync(struct kfx_req *req, struct page *p);", true, ""},
	// kernel/sched_fix.c, fs/file_fix.c
	{"kfx_tree_sum", "int kfx_tree_sum(const struct kfx_node *node);", true, ""},
	{"do_work", "int do_work(int n);", true, ""},
	{"kfx_schedule", "int kfx_schedule(struct kfx_node *root);", true, ""},
	{"kfx_open_file", "int kfx_open_file(const char *name, int mode);", true, ""},
	// kernel/printk_fix.c
	{"kfx_printk", "int kfx_printk(const char *fmt, ...);", true, ""},
	{"kfx_log_event", "void kfx_log_event(int ev);", true, ""},
	{"kfx_dump_page", "void kfx_dump_page(const struct page *page);", true, ""},
	{"kfx_warn", "void kfx_warn(const char *msg);", true, ""},
	// init/main.c, version_fix.c, kfx/kernel.h, kfx_version.h
	{"start_kernel", "void start_kernel(void);", true, ""},
	{"kfx_version", "int kfx_version(u64 patch);", false, ""},
	{"kfx_version_code", "int kfx_version_code(int patch);", false, ""},
	{"page_to_index", "long unsigned int page_to_index(const struct page *page);", true, ""},
	{"kfx_trace_inner", "void kfx_trace_inner(int ev);", false, ""},
	{"kfx_trace_outer", "int kfx_trace_outer(int ev);", false, ""},
	// Declared in C only (defined in assembly without debug info), or
	// BUILD_BUG_ON's block-scope declarations: declarations have no
	// parameter names.
	{"memset", "void *memset(void *, int, size_t);", false, ""},
	{"kfx_asm_read_tsc", "long unsigned int kfx_asm_read_tsc(int, void *);", false, ""},
	{"__compiletime_assert_42", "void __compiletime_assert_42(void);", false, ""},
	{"__compiletime_assert_43", "void __compiletime_assert_43(void);", false, ""},
	// Assembly with gas debug info: gas writes no prototype; where C
	// declares the routine, the declaration is the signature.
	{"kfx_asm_cpu_relax", "void kfx_asm_cpu_relax(void);", false, ""},
	{"_start", "void _start();", false, ""},
	// rust/kfx_rust.rs (rust.elf): Rust sets no DW_AT_prototyped.
	{"kfx_rust_entry", "i32 kfx_rust_entry(i32 x);", false, ""},
	{"mix", "i32 mix(i32 x);", false, ""},
	{"bump", "u32 bump(&kfx_rust::helper::Counter self);", false, ""},
	{"wrapping_add", "i32 wrapping_add(i32 self, i32 rhs);", false, ""},
	{"wrapping_mul", "i32 wrapping_mul(i32 self, i32 rhs);", false, ""},
}

// clangNames turns gcc's base type names into clang's.
var clangNames = strings.NewReplacer("long unsigned int", "unsigned long", "long long unsigned int", "unsigned long long")

// fixtureNames are the fixtures built from testdata/src by gen.sh (the
// others, built from other sources for other tests, are not listed).
var fixtureNames = []string{
	"x86_64-dwarf5", "x86_64-dwarf4", "x86_64-dwarf3", "x86_64-dwarf2", "x86_64-dwarf4-64bit",
	"x86_64-dwarf4-types", "x86_64-dwarf5-types", "x86_64-zlib", "x86_64-zstd",
	"i386", "aarch64", "s390x", "clang", "rust",
}

func fixtureFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, n := range fixtureNames {
		p := filepath.Join("testdata", n+".elf")
		if _, err := os.Stat(p); err == nil {
			files = append(files, p)
		}
	}
	if len(files) == 0 {
		t.Skip("no fixtures in testdata/")
	}
	if len(files) != len(fixtureNames) {
		t.Errorf("only %d of the %d fixtures are in testdata/", len(files), len(fixtureNames))
	}
	return files
}

func TestFixtureSignatures(t *testing.T) {
	for _, path := range fixtureFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			b, err := Open(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			sigs := buildSignatures(b)
			clang := filepath.Base(path) == "clang.elf"
			known := map[string]bool{}
			for _, f := range fixtureSigs {
				known[f.name] = true
				fs := sigs[f.name]
				if fs == nil {
					if f.must {
						t.Errorf("%s: missing", f.name)
					}
					continue
				}
				want := f.want
				if f.dwarf2 != "" && filepath.Base(path) == "x86_64-dwarf2.elf" {
					want = f.dwarf2
				}
				if clang {
					want = clangNames.Replace(want)
				}
				if got := fs.main().String(); got != want {
					t.Errorf("%s:\n got %s\nwant %s", f.name, got, want)
				}
				for _, s := range fs.all {
					if s.String() != want {
						t.Errorf("%s: an instance has %s", f.name, s.String())
					}
				}
			}
			for name := range sigs {
				if !known[name] {
					t.Errorf("function %s of the fixture has no expected signature", name)
				}
			}
			if fs := sigs["_start"]; fs != nil && fs.main().Known() {
				t.Errorf("_start (gas) has a known prototype: %s", fs.main())
			}
			if fs := sigs["kfx_init"]; fs != nil && !fs.main().Known() {
				t.Error("kfx_init has no known prototype")
			}
		})
	}
}

// TestFixtureClones checks what gcc's clones receive, from the copies'
// own DWARF (the source prototype stays the signature).
func TestFixtureClones(t *testing.T) {
	want := map[string]string{
		"vm_scale":       "long unsigned int vm_scale(long unsigned int v); /* not passed: mode = 1, shift = 12 */",
		"vm_req_cost":    "int vm_req_cost(); /* not passed: req (removed) */",
		"vm_req_check":   "int vm_req_check(const struct kfx_req *req); /* not passed: unused (removed) */",
		"vm_check_range": "int vm_check_range(long unsigned int limit); /* not passed: p (removed) */",
	}
	for _, path := range fixtureFiles(t) {
		if filepath.Base(path) == "clang.elf" {
			continue // clang makes no such clones
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			b, err := Open(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]string{}
			for f := range b.Functions() {
				for _, in := range f.Instances {
					if in.Signature == nil {
						continue
					}
					for _, c := range in.Signature.Clones {
						got[f.Name] = append(got[f.Name], c.String(in.Signature))
					}
				}
			}
			for name, w := range want {
				if len(got[name]) != 1 || got[name][0] != w {
					t.Errorf("%s clones:\n got %q\nwant [%q]", name, got[name], w)
				}
			}
			for name, g := range got {
				if _, ok := want[name]; !ok {
					t.Errorf("%s: unexpected clone view %q (its copies take the declared parameters)", name, g)
				}
			}
		})
	}
}

// TestQualify: qualifying adds the qualifiers to a copy (an array's to
// its elements', a function type's nowhere), leaves a type that has them
// as it is, and a converter's types say whether it made them.
func TestQualify(t *testing.T) {
	intT := &Type{Kind: Base, Name: "int"}
	cint := &Type{Kind: Base, Name: "int", Qual: Const}
	fn := &Type{Kind: Func, Elem: intT, Prototyped: true}
	for _, c := range []struct {
		t    *Type
		q    Qualifiers
		want string // Declare(result, "x"); "" for t itself
	}{
		{intT, 0, ""},
		{cint, Const, ""},
		{fn, Const, ""},
		{intT, Const, "const int x"},
		{cint, Volatile, "const volatile int x"},
		{&Type{Kind: Pointer, Elem: intT}, Const, "int *const x"},
		{&Type{Kind: Array, Len: 4, Elem: &Type{Kind: Array, Len: 2, Elem: intT}}, Volatile, "volatile int x[4][2]"},
	} {
		before := Declare(c.t, "x")
		conv := newDWARFSigs(nil, newStringPool(), nil)
		for i, q := range []func() (*Type, bool){
			func() (*Type, bool) { return qualify(c.t, c.q), true },
			func() (*Type, bool) { return conv.qualify(c.t, false, c.q) },
		} {
			got, local := q()
			switch {
			case c.want == "" && (got != c.t || i == 1 && local):
				t.Errorf("%s with %v (%d): %s, local %v, want itself", before, c.q, i, Declare(got, "x"), local)
			case c.want != "" && (got == c.t || Declare(got, "x") != c.want || !local):
				t.Errorf("%s with %v (%d): %s, local %v, want %s", before, c.q, i, Declare(got, "x"), local, c.want)
			}
			if Declare(c.t, "x") != before {
				t.Errorf("%s with %v (%d): the type was changed", before, c.q, i)
			}
		}
	}
}
