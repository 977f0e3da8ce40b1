package dwarfx

import (
	"debug/dwarf"
	"debug/elf"
	"fmt"
	"hash/fnv"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// funcLabel names a function the way surface-rules keys instances: an
// external function by its name, a static one by name and declaration
// location (file:line), so that two statics with one name stay apart.
// A function whose entry is in another unit than the one being walked
// (a cross-unit reference, as ThinLTO makes) is marked with that unit's
// index.
func funcLabel(cu *CompileUnit, f *Func) string {
	s := f.Name
	if !f.External && f.HasFile {
		s = fmt.Sprintf("%s@%s:%d", f.Name, f.File.Path(), f.Line)
	}
	if f.Unit != cu.Unit.Index {
		s += fmt.Sprintf(" [unit %d]", f.Unit)
	}
	return s
}

// eventLines runs Extract and renders its output as a readable list: a
// "== UNIT" line per compile unit, then one line per event in walk order,
// "KIND FUNC" and, for inlines and calls, "<- CALLER".
func eventLines(t testing.TB, d *Data, opts *ExtractOptions) []string {
	t.Helper()
	var out []string
	err := d.Extract(opts, func(cu *CompileUnit) error {
		out = append(out, "== "+cu.Unit.Name)
		for _, ev := range cu.Events {
			s := ev.Kind.String() + " " + funcLabel(cu, &cu.Funcs[ev.Func])
			if ev.Kind == Inlined || ev.Kind == Call {
				caller := "?"
				if ev.Caller >= 0 {
					caller = funcLabel(cu, &cu.Funcs[ev.Caller])
				}
				s += " <- " + caller
			}
			out = append(out, s)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("%s: Extract: %v", d.Name(), err)
	}
	return out
}

func openFixture(t testing.TB, name string) *Data {
	t.Helper()
	d, err := Open(filepath.Join("../testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// gccFixtures are the fixtures gcc built from the same sources. They give
// the same events: the DWARF versions, 64-bit DWARF, type units,
// compression, the 32-bit and the big-endian targets change the encoding,
// not what gcc inlined, cloned or called (testdata/README.md checked the
// same with readelf and two independent analyzers).
var gccFixtures = []string{
	"x86_64-dwarf5.elf", "x86_64-dwarf4.elf", "x86_64-dwarf3.elf", "x86_64-dwarf2.elf",
	"x86_64-dwarf4-64bit.elf", "x86_64-dwarf4-types.elf", "x86_64-dwarf5-types.elf",
	"x86_64-zlib.elf", "x86_64-zstd.elf", "i386.elf", "aarch64.elf", "s390x.elf",
}

// wantGCC is Extract's output for the gcc fixtures, in walk order. Each
// line was checked against the sources in testdata/src and the facts in
// testdata/README.md (caller lists per surface-rules case, in walk order);
// TestExtractCases restates those facts case by case. gcc writes a unit's
// declarations first and its abstract DIEs after the functions that use
// them; locations are raw (line-table directory and file), the CU-path
// rule being the root package's.
var wantGCC = []string{
	// arch/entry.S is assembled with -g: gas writes a subprogram per function.
	"== arch/entry.S",
	"definition _start",
	"definition kfx_asm_cpu_relax",
	"== init/main.c",
	"declaration kfx_log_event",
	"declaration kfx_version",
	"declaration kfx_dump_page",
	"declaration kfx_asm_read_tsc",
	"declaration kfx_sig_dispatch",
	"declaration kfx_schedule",
	"declaration kfx_open_file",
	"declaration vm_sync",
	"declaration vmap",
	"declaration kfx_printk",
	"declaration kfx_init",
	"definition start_kernel",
	"inlined page_to_index@include/kfx/kernel.h:78 <- start_kernel",
	"inlined kfx_trace_outer@include/kfx/kernel.h:96 <- start_kernel",
	"inlined kfx_trace_inner@include/kfx/kernel.h:90 <- start_kernel",
	// A call inside kfx_trace_inner inlined in kfx_trace_outer inlined in
	// start_kernel: the caller is the outermost function.
	"call kfx_log_event <- start_kernel",
	"call kfx_init <- start_kernel",
	"call kfx_printk <- start_kernel",
	"call vmap <- start_kernel",
	"call vm_sync <- start_kernel",
	"call kfx_open_file <- start_kernel",
	"call kfx_schedule <- start_kernel",
	"call kfx_sig_dispatch <- start_kernel",
	// Declared in C, defined in arch/lib.S (no DWARF): declaration only.
	"call kfx_asm_read_tsc <- start_kernel",
	"call kfx_dump_page <- start_kernel",
	"call kfx_version <- start_kernel",
	"definition kfx_trace_outer@include/kfx/kernel.h:96",
	"definition kfx_trace_inner@include/kfx/kernel.h:90",
	"definition page_to_index@include/kfx/kernel.h:78",
	"== mm/vmalloc_fix.c",
	"declaration kfx_warn",
	"declaration kfx_printk",
	"declaration kfx_log_event",
	"declaration memset",
	// The clones: calls go to the clone, whose concrete DIE names the origin.
	"definition vm_sync",
	"inlined vm_check_range@mm/vmalloc_fix.c:104 <- vm_sync",
	"call vm_check_range@mm/vmalloc_fix.c:104 <- vm_sync",
	"call vm_req_cost@mm/vmalloc_fix.c:81 <- vm_sync",
	"call vm_req_check@mm/vmalloc_fix.c:145 <- vm_sync",
	"call vm_validate@mm/vmalloc_fix.c:130 <- vm_sync",
	"call vm_scale@mm/vmalloc_fix.c:90 <- vm_sync",
	"definition vmap",
	// BUILD_BUG_ON's block-scope declaration; filtering it is the caller's job.
	"declaration __compiletime_assert_43",
	// Selective inline: vm_map_page inlined in vmap, and inside it
	// kfx_trace_outer -> kfx_trace_inner -> call kfx_log_event (3 levels).
	"inlined vm_map_page@mm/vmalloc_fix.c:51 <- vmap",
	"inlined kfx_trace_outer@include/kfx/kernel.h:96 <- vmap",
	"inlined kfx_trace_inner@include/kfx/kernel.h:90 <- vmap",
	"call kfx_log_event <- vmap",
	"inlined page_to_index@include/kfx/kernel.h:78 <- vmap",
	"call kfx_alloc <- vmap",
	"inlined vm_pages_count <- vmap",
	"inlined vm_check_range@mm/vmalloc_fix.c:104 <- vmap",
	"call vm_check_range@mm/vmalloc_fix.c:104 <- vmap",
	"inlined vm_area_fixup@mm/vmalloc_fix.c:38 <- vmap",
	"call vm_req_cost@mm/vmalloc_fix.c:81 <- vmap",
	"call vm_req_check@mm/vmalloc_fix.c:145 <- vmap",
	"call vm_scale@mm/vmalloc_fix.c:90 <- vmap",
	"call vm_scale@mm/vmalloc_fix.c:90 <- vmap",
	"call vm_validate@mm/vmalloc_fix.c:130 <- vmap",
	"call setup_once@mm/vmalloc_fix.c:159 <- vmap",
	"definition setup_once@mm/vmalloc_fix.c:159",
	"definition vm_req_check@mm/vmalloc_fix.c:145",
	"definition vm_validate@mm/vmalloc_fix.c:130",
	"call kfx_warn <- vm_validate@mm/vmalloc_fix.c:130",
	"call kfx_printk <- vm_validate@mm/vmalloc_fix.c:130",
	"definition vm_check_range@mm/vmalloc_fix.c:104",
	"definition vm_scale@mm/vmalloc_fix.c:90",
	"definition vm_req_cost@mm/vmalloc_fix.c:81",
	"definition vm_pages_count",
	"definition vm_map_page@mm/vmalloc_fix.c:51",
	"definition vm_area_fixup@mm/vmalloc_fix.c:38",
	"definition kfx_alloc",
	"call memset <- kfx_alloc",
	"definition kfx_trace_outer@include/kfx/kernel.h:96",
	"definition kfx_trace_inner@include/kfx/kernel.h:90",
	"definition page_to_index@include/kfx/kernel.h:78",
	// Out-of-line copies: calls and inlines inside them belong to the origin.
	"concrete-copy vm_pages_count",
	"concrete-copy vm_check_range@mm/vmalloc_fix.c:104",
	"call kfx_log_event <- vm_check_range@mm/vmalloc_fix.c:104",
	"call kfx_printk <- vm_check_range@mm/vmalloc_fix.c:104",
	"call kfx_printk <- vm_check_range@mm/vmalloc_fix.c:104",
	"call kfx_printk <- vm_check_range@mm/vmalloc_fix.c:104",
	"concrete-copy vm_req_check@mm/vmalloc_fix.c:145",
	"call kfx_warn <- vm_req_check@mm/vmalloc_fix.c:145",
	"call kfx_printk <- vm_req_check@mm/vmalloc_fix.c:145",
	"concrete-copy vm_scale@mm/vmalloc_fix.c:90",
	"concrete-copy vm_req_cost@mm/vmalloc_fix.c:81",
	"concrete-copy vm_map_page@mm/vmalloc_fix.c:51",
	"inlined page_to_index@include/kfx/kernel.h:78 <- vm_map_page@mm/vmalloc_fix.c:51",
	"inlined kfx_trace_outer@include/kfx/kernel.h:96 <- vm_map_page@mm/vmalloc_fix.c:51",
	"inlined kfx_trace_inner@include/kfx/kernel.h:90 <- vm_map_page@mm/vmalloc_fix.c:51",
	"call kfx_log_event <- vm_map_page@mm/vmalloc_fix.c:51",
	"call kfx_alloc <- vm_map_page@mm/vmalloc_fix.c:51",
	"== fs/file_fix.c",
	"declaration kfx_log_event",
	"declaration kfx_alloc",
	"definition kfx_open_file",
	"inlined kfx_trace_outer@include/kfx/kernel.h:96 <- kfx_open_file",
	"inlined kfx_trace_inner@include/kfx/kernel.h:90 <- kfx_open_file",
	"call kfx_log_event <- kfx_open_file",
	// Two call sites in one caller: two events.
	"call kfx_alloc <- kfx_open_file",
	"call kfx_alloc <- kfx_open_file",
	"call do_work <- kfx_open_file",
	"definition do_work",
	"inlined page_to_index@include/kfx/kernel.h:78 <- do_work",
	"call setup_once@fs/file_fix.c:24 <- do_work",
	"definition setup_once@fs/file_fix.c:24",
	"definition kfx_trace_outer@include/kfx/kernel.h:96",
	"definition kfx_trace_inner@include/kfx/kernel.h:90",
	"definition page_to_index@include/kfx/kernel.h:78",
	// fs/file_fix.c takes page_to_index's address: an out-of-line copy.
	"concrete-copy page_to_index@include/kfx/kernel.h:78",
	"== kernel/sched_fix.c",
	"declaration kfx_asm_cpu_relax",
	"declaration vm_pages_count",
	"declaration kfx_alloc",
	"declaration kfx_printk",
	"definition kfx_schedule",
	// The static do_work, called from inside a lexical block.
	"call do_work@kernel/sched_fix.c:30 <- kfx_schedule",
	"call kfx_printk <- kfx_schedule",
	"declaration __compiletime_assert_42",
	"inlined page_to_index@include/kfx/kernel.h:78 <- kfx_schedule",
	"call kfx_tree_sum <- kfx_schedule",
	"call kfx_alloc <- kfx_schedule",
	"call vm_pages_count <- kfx_schedule",
	"call kfx_asm_cpu_relax <- kfx_schedule",
	"definition do_work@kernel/sched_fix.c:30",
	"definition kfx_tree_sum",
	// Recursion.
	"call kfx_tree_sum <- kfx_tree_sum",
	"definition page_to_index@include/kfx/kernel.h:78",
	"== lib/sig_fix.c",
	"definition kfx_sig_dispatch",
	"call sig_hidden_helper@lib/sig_fix.c:103 <- kfx_sig_dispatch",
	"call kfx_get_handler_t <- kfx_sig_dispatch",
	"call kfx_register_handler <- kfx_sig_dispatch",
	"call kfx_signal <- kfx_sig_dispatch",
	"call kfx_sum4 <- kfx_sig_dispatch",
	"call kfx_rows <- kfx_sig_dispatch",
	"call kfx_parse_args <- kfx_sig_dispatch",
	"call kfx_copy <- kfx_sig_dispatch",
	"call kfx_read_reg <- kfx_sig_dispatch",
	"call kfx_set_state <- kfx_sig_dispatch",
	"call kfx_old_style <- kfx_sig_dispatch",
	"definition sig_hidden_helper@lib/sig_fix.c:103",
	"definition kfx_old_style",
	"definition kfx_init",
	"definition kfx_set_state",
	"definition kfx_read_reg",
	"definition kfx_copy",
	"definition kfx_parse_args",
	"definition kfx_rows",
	"definition kfx_sum4",
	"definition kfx_signal",
	"definition kfx_get_handler_t",
	"call kfx_get_handler <- kfx_get_handler_t",
	"definition kfx_get_handler",
	"definition sig_default_handler@lib/sig_fix.c:17",
	"definition kfx_register_handler",
	// Directory index 0 before DWARF 5 is the compilation directory.
	"== version_fix.c",
	"definition kfx_version",
	"inlined kfx_version_code@/build/reproducible-path/linux-6.1.99/kfx_version.h:10 <- kfx_version",
	"definition kfx_version_code@/build/reproducible-path/linux-6.1.99/kfx_version.h:10",
	// Compiled by absolute path (and -I), so the raw names are absolute.
	"== /build/reproducible-path/linux-6.1.99/kernel/printk_fix.c",
	"definition kfx_warn",
	"call kfx_printk <- kfx_warn",
	"definition kfx_dump_page",
	"inlined page_to_index@/build/reproducible-path/linux-6.1.99/include/kfx/kernel.h:78 <- kfx_dump_page",
	"call kfx_printk <- kfx_dump_page",
	"definition kfx_log_event",
	"definition kfx_printk",
	"definition page_to_index@/build/reproducible-path/linux-6.1.99/include/kfx/kernel.h:78",
}

// TestExtractGCC compares Extract's whole output on every gcc fixture
// with wantGCC.
func TestExtractGCC(t *testing.T) {
	for _, name := range gccFixtures {
		t.Run(name, func(t *testing.T) {
			got := eventLines(t, openFixture(t, name), nil)
			if diff := cmp.Diff(wantGCC, got); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}

// wantClang is Extract's output on clang.elf (clang 14, ThinLTO): the
// functions imported into another module get their own units (unit 2, 3
// and 4 hold what init/main.c imported, unit 6 what mm imported), and
// start_kernel's inlined subroutines refer to them with DW_FORM_ref_addr.
// clang writes declarations after the functions, emits no DIE for
// __compiletime_assert_ and none for _start (a DW_TAG_label), and ThinLTO
// dropped the call sites of many cross-module calls (testdata/README.md).
var wantClang = []string{
	"== arch/entry.S",
	"== init/main.c",
	"definition page_to_index@include/kfx/kernel.h:78",
	"definition kfx_trace_inner@include/kfx/kernel.h:90",
	"definition kfx_trace_outer@include/kfx/kernel.h:96",
	"definition start_kernel",
	"inlined vm_sync [unit 2] <- start_kernel",
	"inlined kfx_open_file [unit 3] <- start_kernel",
	"inlined kfx_trace_outer@include/kfx/kernel.h:96 [unit 3] <- start_kernel",
	"inlined kfx_trace_inner@include/kfx/kernel.h:90 [unit 3] <- start_kernel",
	"inlined kfx_schedule [unit 4] <- start_kernel",
	"inlined page_to_index@include/kfx/kernel.h:78 <- start_kernel",
	"inlined kfx_trace_outer@include/kfx/kernel.h:96 <- start_kernel",
	"inlined kfx_trace_inner@include/kfx/kernel.h:90 <- start_kernel",
	"call kfx_init <- start_kernel",
	"call kfx_alloc <- start_kernel",
	"call kfx_alloc <- start_kernel",
	"call kfx_log_event <- start_kernel",
	"call kfx_alloc <- start_kernel",
	"call kfx_asm_cpu_relax <- start_kernel",
	"call kfx_asm_read_tsc <- start_kernel",
	"call kfx_dump_page <- start_kernel",
	"call kfx_version <- start_kernel",
	"call kfx_log_event <- start_kernel",
	"declaration kfx_init",
	"declaration kfx_alloc",
	"declaration kfx_log_event",
	"declaration kfx_asm_cpu_relax",
	"declaration kfx_asm_read_tsc",
	"declaration kfx_dump_page",
	"declaration kfx_version",
	"== mm/vmalloc_fix.c",
	"definition vm_sync",
	"== fs/file_fix.c",
	"definition kfx_open_file",
	"definition kfx_trace_inner@include/kfx/kernel.h:90",
	"definition kfx_trace_outer@include/kfx/kernel.h:96",
	"== kernel/sched_fix.c",
	"definition kfx_schedule",
	"== mm/vmalloc_fix.c",
	"definition kfx_alloc",
	"call memset <- kfx_alloc",
	"declaration memset",
	"concrete-copy vm_pages_count",
	"definition page_to_index@include/kfx/kernel.h:78",
	"definition kfx_trace_inner@include/kfx/kernel.h:90",
	"definition kfx_trace_outer@include/kfx/kernel.h:96",
	"concrete-copy vm_map_page@/build/reproducible-path/linux-6.1.99/mm/vmalloc_fix.c:51",
	"inlined page_to_index@include/kfx/kernel.h:78 <- vm_map_page@/build/reproducible-path/linux-6.1.99/mm/vmalloc_fix.c:51",
	"inlined kfx_trace_outer@include/kfx/kernel.h:96 <- vm_map_page@/build/reproducible-path/linux-6.1.99/mm/vmalloc_fix.c:51",
	"inlined kfx_trace_inner@include/kfx/kernel.h:90 <- vm_map_page@/build/reproducible-path/linux-6.1.99/mm/vmalloc_fix.c:51",
	"call kfx_alloc <- vm_map_page@/build/reproducible-path/linux-6.1.99/mm/vmalloc_fix.c:51",
	"call kfx_log_event <- vm_map_page@/build/reproducible-path/linux-6.1.99/mm/vmalloc_fix.c:51",
	"declaration kfx_log_event",
	"definition vm_map_page@/build/reproducible-path/linux-6.1.99/mm/vmalloc_fix.c:51",
	"definition vm_pages_count",
	"definition vm_area_fixup@/build/reproducible-path/linux-6.1.99/mm/vmalloc_fix.c:38",
	"definition vmap",
	"inlined vm_map_page@/build/reproducible-path/linux-6.1.99/mm/vmalloc_fix.c:51 <- vmap",
	"inlined page_to_index@include/kfx/kernel.h:78 <- vmap",
	"inlined kfx_trace_outer@include/kfx/kernel.h:96 <- vmap",
	"inlined kfx_trace_inner@include/kfx/kernel.h:90 <- vmap",
	"inlined vm_pages_count <- vmap",
	"inlined vm_area_fixup@/build/reproducible-path/linux-6.1.99/mm/vmalloc_fix.c:38 <- vmap",
	"call vm_check_range@/build/reproducible-path/linux-6.1.99/mm/vmalloc_fix.c:104 <- vmap",
	"call kfx_alloc <- vmap",
	"call kfx_log_event <- vmap",
	"call vm_req_cost@/build/reproducible-path/linux-6.1.99/mm/vmalloc_fix.c:81 <- vmap",
	"call vm_req_check@/build/reproducible-path/linux-6.1.99/mm/vmalloc_fix.c:145 <- vmap",
	"call vm_scale@/build/reproducible-path/linux-6.1.99/mm/vmalloc_fix.c:90 <- vmap",
	"call vm_scale@/build/reproducible-path/linux-6.1.99/mm/vmalloc_fix.c:90 <- vmap",
	"call vm_validate@/build/reproducible-path/linux-6.1.99/mm/vmalloc_fix.c:130 <- vmap",
	"call setup_once@/build/reproducible-path/linux-6.1.99/mm/vmalloc_fix.c:159 <- vmap",
	"definition vm_check_range@/build/reproducible-path/linux-6.1.99/mm/vmalloc_fix.c:104",
	"call kfx_log_event <- vm_check_range@/build/reproducible-path/linux-6.1.99/mm/vmalloc_fix.c:104",
	"definition vm_req_cost@/build/reproducible-path/linux-6.1.99/mm/vmalloc_fix.c:81",
	"definition vm_req_check@/build/reproducible-path/linux-6.1.99/mm/vmalloc_fix.c:145",
	"inlined kfx_warn [unit 6] <- vm_req_check@/build/reproducible-path/linux-6.1.99/mm/vmalloc_fix.c:145",
	"definition vm_scale@/build/reproducible-path/linux-6.1.99/mm/vmalloc_fix.c:90",
	"definition vm_validate@/build/reproducible-path/linux-6.1.99/mm/vmalloc_fix.c:130",
	"inlined kfx_warn [unit 6] <- vm_validate@/build/reproducible-path/linux-6.1.99/mm/vmalloc_fix.c:130",
	"definition setup_once@/build/reproducible-path/linux-6.1.99/mm/vmalloc_fix.c:159",
	"definition vm_sync",
	"call vm_req_cost@/build/reproducible-path/linux-6.1.99/mm/vmalloc_fix.c:81 <- vm_sync",
	"call vm_req_check@/build/reproducible-path/linux-6.1.99/mm/vmalloc_fix.c:145 <- vm_sync",
	"call vm_check_range@/build/reproducible-path/linux-6.1.99/mm/vmalloc_fix.c:104 <- vm_sync",
	"call vm_validate@/build/reproducible-path/linux-6.1.99/mm/vmalloc_fix.c:130 <- vm_sync",
	"call vm_scale@/build/reproducible-path/linux-6.1.99/mm/vmalloc_fix.c:90 <- vm_sync",
	"== /build/reproducible-path/linux-6.1.99/kernel/printk_fix.c",
	"definition kfx_warn",
	"== fs/file_fix.c",
	"concrete-copy page_to_index@include/kfx/kernel.h:78",
	"definition page_to_index@include/kfx/kernel.h:78",
	"definition do_work",
	"inlined page_to_index@include/kfx/kernel.h:78 <- do_work",
	"call setup_once@/build/reproducible-path/linux-6.1.99/fs/file_fix.c:24 <- do_work",
	"definition setup_once@/build/reproducible-path/linux-6.1.99/fs/file_fix.c:24",
	"definition kfx_trace_inner@include/kfx/kernel.h:90",
	"definition kfx_trace_outer@include/kfx/kernel.h:96",
	"definition kfx_open_file",
	"inlined kfx_trace_outer@include/kfx/kernel.h:96 <- kfx_open_file",
	"inlined kfx_trace_inner@include/kfx/kernel.h:90 <- kfx_open_file",
	"call kfx_alloc <- kfx_open_file",
	"call kfx_alloc <- kfx_open_file",
	"call do_work <- kfx_open_file",
	"call kfx_log_event <- kfx_open_file",
	"declaration kfx_alloc",
	"declaration kfx_log_event",
	"== kernel/sched_fix.c",
	"definition kfx_tree_sum",
	"call kfx_tree_sum <- kfx_tree_sum",
	"definition kfx_schedule",
	"call kfx_tree_sum <- kfx_schedule",
	"call kfx_alloc <- kfx_schedule",
	"call kfx_asm_cpu_relax <- kfx_schedule",
	"declaration kfx_alloc",
	"declaration kfx_asm_cpu_relax",
	"definition do_work@/build/reproducible-path/linux-6.1.99/kernel/sched_fix.c:30",
	"== lib/sig_fix.c",
	"definition kfx_register_handler",
	"definition kfx_get_handler",
	"definition sig_default_handler@/build/reproducible-path/linux-6.1.99/lib/sig_fix.c:17",
	"definition kfx_get_handler_t",
	"call kfx_get_handler <- kfx_get_handler_t",
	"definition kfx_signal",
	"definition kfx_sum4",
	"definition kfx_rows",
	"definition kfx_parse_args",
	"definition kfx_copy",
	"definition kfx_read_reg",
	"definition kfx_set_state",
	"definition kfx_init",
	"definition kfx_old_style",
	"definition kfx_sig_dispatch",
	"call sig_hidden_helper@/build/reproducible-path/linux-6.1.99/lib/sig_fix.c:103 <- kfx_sig_dispatch",
	"call kfx_get_handler_t <- kfx_sig_dispatch",
	"call kfx_register_handler <- kfx_sig_dispatch",
	"call kfx_signal <- kfx_sig_dispatch",
	"call kfx_sum4 <- kfx_sig_dispatch",
	"call kfx_rows <- kfx_sig_dispatch",
	"call kfx_parse_args <- kfx_sig_dispatch",
	"call kfx_copy <- kfx_sig_dispatch",
	"call kfx_read_reg <- kfx_sig_dispatch",
	"call kfx_set_state <- kfx_sig_dispatch",
	"call kfx_old_style <- kfx_sig_dispatch",
	"definition sig_hidden_helper@/build/reproducible-path/linux-6.1.99/lib/sig_fix.c:103",
	"== version_fix.c",
	"definition kfx_version_code@./kfx_version.h:10",
	"definition kfx_version",
	"inlined kfx_version_code@./kfx_version.h:10 <- kfx_version",
	"== /build/reproducible-path/linux-6.1.99/kernel/printk_fix.c",
	"definition kfx_printk",
	"definition kfx_log_event",
	"definition page_to_index@include/kfx/kernel.h:78",
	"definition kfx_dump_page",
	"inlined page_to_index@include/kfx/kernel.h:78 <- kfx_dump_page",
	"call kfx_printk <- kfx_dump_page",
	"definition kfx_warn",
	"call kfx_printk <- kfx_warn",
}

func TestExtractClang(t *testing.T) {
	got := eventLines(t, openFixture(t, "clang.elf"), nil)
	if diff := cmp.Diff(wantClang, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

// TestExtractRust checks rust.elf: the C units are those of the gcc
// fixtures plus the C side of the C-to-Rust call, and the Rust unit's
// functions, inside DW_TAG_namespace entries, are found.
func TestExtractRust(t *testing.T) {
	want := slices.Clone(wantGCC)
	insertAfter := func(anchor string, line string) {
		i := slices.Index(want, anchor)
		if i < 0 {
			t.Fatalf("%q not in wantGCC", anchor)
		}
		want = slices.Insert(want, i+1, line)
	}
	// init/main.c declares and calls kfx_rust_entry (KFX_WITH_RUST).
	insertAfter("declaration kfx_log_event", "declaration kfx_rust_entry")
	insertAfter("call kfx_version <- start_kernel", "call kfx_rust_entry <- start_kernel")
	// rustc writes no call sites; wrapping_mul and wrapping_add are core's,
	// inlined; locations are rustc's source paths.
	want = append(want,
		"== rust/kfx_rust.rs/@/kfx_rust.7c0ec5fb00e7877a-cgu.0",
		"definition wrapping_mul@/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/num/int_macros.rs:2172",
		"definition wrapping_add@/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/num/int_macros.rs:2100",
		"definition mix",
		"inlined wrapping_mul@/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/num/int_macros.rs:2172 <- mix",
		"definition kfx_rust_entry",
		"inlined wrapping_add@/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/num/int_macros.rs:2100 <- kfx_rust_entry",
	)
	got := eventLines(t, openFixture(t, "rust.elf"), nil)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

// relPath strips the fixtures' source root, so that facts can be written
// as testdata/README.md writes them (the root package's CU-path rule does
// this for real; here it is a fixed prefix).
func relPath(p string) string {
	return path.Clean(strings.TrimPrefix(p, "/build/reproducible-path/linux-6.1.99/"))
}

// instanceKey keys a function as surface-rules section 1 keys instances:
// an external function by name; a static one by name, declaration
// location and the unit that holds its entry.
func instanceKey(d *Data, f *Func) string {
	if f.External || !f.HasFile {
		return f.Name
	}
	return fmt.Sprintf("%s@%s:%d in %s", f.Name, relPath(f.File.Path()), f.Line, relPath(d.Units()[f.Unit].Name))
}

// callers are an instance's inline and direct callers, "CU:caller", in
// walk order with duplicates, and what its defining entries said.
type callers struct {
	Inline, Direct []string
	defs           []Func // Funcs of Definition and ConcreteCopy events
	decls          int    // Declaration events
}

// callerLists aggregates Extract's events into surface-rules caller lists.
func callerLists(t *testing.T, d *Data) map[string]*callers {
	t.Helper()
	out := make(map[string]*callers)
	get := func(f *Func) *callers {
		k := instanceKey(d, f)
		if out[k] == nil {
			out[k] = &callers{}
		}
		return out[k]
	}
	err := d.Extract(nil, func(cu *CompileUnit) error {
		for _, ev := range cu.Events {
			f := &cu.Funcs[ev.Func]
			c := get(f)
			switch ev.Kind {
			case Definition, ConcreteCopy:
				c.defs = append(c.defs, *f)
			case Declaration:
				c.decls++
			case Inlined, Call:
				if ev.Caller < 0 {
					t.Fatalf("%s: %v of %s has no caller", cu.Unit.Name, ev.Kind, f.Name)
				}
				s := relPath(cu.Unit.Name) + ":" + cu.Funcs[ev.Caller].Name
				if ev.Kind == Inlined {
					c.Inline = append(c.Inline, s)
				} else {
					c.Direct = append(c.Direct, s)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// callerFact is one caller list from testdata/README.md.
type callerFact struct {
	key            string
	inline, direct []string
}

func rep(s string, n int) []string { return slices.Repeat([]string{s}, n) }

func cat(lists ...[]string) []string { return slices.Concat(lists...) }

// gccCallerFacts are testdata/README.md's caller lists for the gcc
// fixtures, per surface-rules case, with the "Do better" rule (calls and
// inlines inside an out-of-line copy belong to its origin). Every instance
// with a caller must be listed.
var gccCallerFacts = []callerFact{
	// External function called from several files; two call sites in
	// kfx_open_file give two entries.
	{"kfx_alloc", nil, cat([]string{"mm/vmalloc_fix.c:vmap", "mm/vmalloc_fix.c:vm_map_page"},
		rep("fs/file_fix.c:kfx_open_file", 2), []string{"kernel/sched_fix.c:kfx_schedule"})},
	{"kfx_printk", nil, cat([]string{"init/main.c:start_kernel", "mm/vmalloc_fix.c:vm_validate"},
		rep("mm/vmalloc_fix.c:vm_check_range", 3), []string{"mm/vmalloc_fix.c:vm_req_check",
			"kernel/sched_fix.c:kfx_schedule", "kernel/printk_fix.c:kfx_warn", "kernel/printk_fix.c:kfx_dump_page"})},
	// Static inline in a header included by several files: one instance
	// per unit, one location.
	{"page_to_index@include/kfx/kernel.h:78 in init/main.c", []string{"init/main.c:start_kernel"}, nil},
	{"page_to_index@include/kfx/kernel.h:78 in mm/vmalloc_fix.c", []string{"mm/vmalloc_fix.c:vmap", "mm/vmalloc_fix.c:vm_map_page"}, nil},
	{"page_to_index@include/kfx/kernel.h:78 in fs/file_fix.c", []string{"fs/file_fix.c:do_work"}, nil},
	{"page_to_index@include/kfx/kernel.h:78 in kernel/sched_fix.c", []string{"kernel/sched_fix.c:kfx_schedule"}, nil},
	{"page_to_index@include/kfx/kernel.h:78 in kernel/printk_fix.c", []string{"kernel/printk_fix.c:kfx_dump_page"}, nil},
	// Always inlined, nested (outer inlines inner).
	{"kfx_trace_outer@include/kfx/kernel.h:96 in init/main.c", []string{"init/main.c:start_kernel"}, nil},
	{"kfx_trace_outer@include/kfx/kernel.h:96 in mm/vmalloc_fix.c", []string{"mm/vmalloc_fix.c:vmap", "mm/vmalloc_fix.c:vm_map_page"}, nil},
	{"kfx_trace_outer@include/kfx/kernel.h:96 in fs/file_fix.c", []string{"fs/file_fix.c:kfx_open_file"}, nil},
	{"kfx_trace_inner@include/kfx/kernel.h:90 in init/main.c", []string{"init/main.c:start_kernel"}, nil},
	{"kfx_trace_inner@include/kfx/kernel.h:90 in mm/vmalloc_fix.c", []string{"mm/vmalloc_fix.c:vmap", "mm/vmalloc_fix.c:vm_map_page"}, nil},
	{"kfx_trace_inner@include/kfx/kernel.h:90 in fs/file_fix.c", []string{"fs/file_fix.c:kfx_open_file"}, nil},
	// Two unrelated statics with one name.
	{"setup_once@mm/vmalloc_fix.c:159 in mm/vmalloc_fix.c", nil, []string{"mm/vmalloc_fix.c:vmap"}},
	{"setup_once@fs/file_fix.c:24 in fs/file_fix.c", nil, []string{"fs/file_fix.c:do_work"}},
	// A global and a static with one name; the static's call is inside a
	// lexical block.
	{"do_work", nil, []string{"fs/file_fix.c:kfx_open_file"}},
	{"do_work@kernel/sched_fix.c:30 in kernel/sched_fix.c", nil, []string{"kernel/sched_fix.c:kfx_schedule"}},
	// Always inlined, one unit.
	{"vm_area_fixup@mm/vmalloc_fix.c:38 in mm/vmalloc_fix.c", []string{"mm/vmalloc_fix.c:vmap"}, nil},
	{"kfx_version_code@kfx_version.h:10 in version_fix.c", []string{"version_fix.c:kfx_version"}, nil},
	// Selective inline, static (with an out-of-line copy) and global.
	{"vm_map_page@mm/vmalloc_fix.c:51 in mm/vmalloc_fix.c", []string{"mm/vmalloc_fix.c:vmap"}, nil},
	{"vm_pages_count", []string{"mm/vmalloc_fix.c:vmap"}, []string{"kernel/sched_fix.c:kfx_schedule"}},
	// gcc clones: calls reach the origin through the clone's concrete DIE.
	{"vm_req_cost@mm/vmalloc_fix.c:81 in mm/vmalloc_fix.c", nil, []string{"mm/vmalloc_fix.c:vm_sync", "mm/vmalloc_fix.c:vmap"}},
	{"vm_scale@mm/vmalloc_fix.c:90 in mm/vmalloc_fix.c", nil, cat([]string{"mm/vmalloc_fix.c:vm_sync"}, rep("mm/vmalloc_fix.c:vmap", 2))},
	{"vm_check_range@mm/vmalloc_fix.c:104 in mm/vmalloc_fix.c", []string{"mm/vmalloc_fix.c:vm_sync", "mm/vmalloc_fix.c:vmap"},
		[]string{"mm/vmalloc_fix.c:vm_sync", "mm/vmalloc_fix.c:vmap"}},
	{"vm_validate@mm/vmalloc_fix.c:130 in mm/vmalloc_fix.c", nil, []string{"mm/vmalloc_fix.c:vm_sync", "mm/vmalloc_fix.c:vmap"}},
	{"vm_req_check@mm/vmalloc_fix.c:145 in mm/vmalloc_fix.c", nil, []string{"mm/vmalloc_fix.c:vm_sync", "mm/vmalloc_fix.c:vmap"}},
	// Recursion.
	{"kfx_tree_sum", nil, []string{"kernel/sched_fix.c:kfx_schedule", "kernel/sched_fix.c:kfx_tree_sum"}},
	// Calls from inside (nested) inlined code: the outermost caller.
	{"kfx_log_event", nil, []string{"init/main.c:start_kernel", "mm/vmalloc_fix.c:vmap", "mm/vmalloc_fix.c:vm_check_range",
		"mm/vmalloc_fix.c:vm_map_page", "fs/file_fix.c:kfx_open_file"}},
	// Declared in C, defined in assembly.
	{"kfx_asm_read_tsc", nil, []string{"init/main.c:start_kernel"}},
	{"memset", nil, []string{"mm/vmalloc_fix.c:kfx_alloc"}},
	{"kfx_asm_cpu_relax", nil, []string{"kernel/sched_fix.c:kfx_schedule"}},
	{"kfx_warn", nil, []string{"mm/vmalloc_fix.c:vm_validate", "mm/vmalloc_fix.c:vm_req_check"}},
	{"vmap", nil, []string{"init/main.c:start_kernel"}},
	{"vm_sync", nil, []string{"init/main.c:start_kernel"}},
	{"kfx_open_file", nil, []string{"init/main.c:start_kernel"}},
	{"kfx_schedule", nil, []string{"init/main.c:start_kernel"}},
	{"kfx_sig_dispatch", nil, []string{"init/main.c:start_kernel"}},
	{"kfx_init", nil, []string{"init/main.c:start_kernel"}},
	{"kfx_version", nil, []string{"init/main.c:start_kernel"}},
	{"kfx_dump_page", nil, []string{"init/main.c:start_kernel"}},
	// The signature zoo (kfx_register_handler's own call is indirect).
	{"kfx_get_handler", nil, []string{"lib/sig_fix.c:kfx_get_handler_t"}},
	{"sig_hidden_helper@lib/sig_fix.c:103 in lib/sig_fix.c", nil, []string{"lib/sig_fix.c:kfx_sig_dispatch"}},
	{"kfx_get_handler_t", nil, []string{"lib/sig_fix.c:kfx_sig_dispatch"}},
	{"kfx_register_handler", nil, []string{"lib/sig_fix.c:kfx_sig_dispatch"}},
	{"kfx_signal", nil, []string{"lib/sig_fix.c:kfx_sig_dispatch"}},
	{"kfx_sum4", nil, []string{"lib/sig_fix.c:kfx_sig_dispatch"}},
	{"kfx_rows", nil, []string{"lib/sig_fix.c:kfx_sig_dispatch"}},
	{"kfx_parse_args", nil, []string{"lib/sig_fix.c:kfx_sig_dispatch"}},
	{"kfx_copy", nil, []string{"lib/sig_fix.c:kfx_sig_dispatch"}},
	{"kfx_read_reg", nil, []string{"lib/sig_fix.c:kfx_sig_dispatch"}},
	{"kfx_set_state", nil, []string{"lib/sig_fix.c:kfx_sig_dispatch"}},
	{"kfx_old_style", nil, []string{"lib/sig_fix.c:kfx_sig_dispatch"}},
}

// clangCallerFacts are testdata/README.md's caller lists for clang.elf,
// where they differ from gcc's or show the cross-unit references.
var clangCallerFacts = []callerFact{
	{"kfx_alloc", nil, cat(rep("init/main.c:start_kernel", 3), []string{"mm/vmalloc_fix.c:vm_map_page", "mm/vmalloc_fix.c:vmap"},
		rep("fs/file_fix.c:kfx_open_file", 2), []string{"kernel/sched_fix.c:kfx_schedule"})},
	{"kfx_log_event", nil, cat(rep("init/main.c:start_kernel", 2), []string{"mm/vmalloc_fix.c:vm_map_page", "mm/vmalloc_fix.c:vmap",
		"mm/vmalloc_fix.c:vm_check_range", "fs/file_fix.c:kfx_open_file"})},
	{"kfx_printk", nil, []string{"kernel/printk_fix.c:kfx_dump_page", "kernel/printk_fix.c:kfx_warn"}},
	// ThinLTO inlined these across modules; no call sites of vmap or
	// kfx_sig_dispatch survive.
	{"vm_sync", []string{"init/main.c:start_kernel"}, nil},
	{"kfx_open_file", []string{"init/main.c:start_kernel"}, nil},
	{"kfx_schedule", []string{"init/main.c:start_kernel"}, nil},
	{"vmap", nil, nil},
	{"kfx_sig_dispatch", nil, nil},
	{"kfx_warn", []string{"mm/vmalloc_fix.c:vm_req_check", "mm/vmalloc_fix.c:vm_validate"}, nil},
	// The abstract kfx_trace_outer of fs/file_fix.c's imported copy is the
	// origin of an inline in start_kernel (a cross-unit DW_FORM_ref_addr).
	{"kfx_trace_outer@include/kfx/kernel.h:96 in fs/file_fix.c", []string{"init/main.c:start_kernel", "fs/file_fix.c:kfx_open_file"}, nil},
	{"kfx_trace_outer@include/kfx/kernel.h:96 in init/main.c", []string{"init/main.c:start_kernel"}, nil},
	{"kfx_trace_outer@include/kfx/kernel.h:96 in mm/vmalloc_fix.c", []string{"mm/vmalloc_fix.c:vm_map_page", "mm/vmalloc_fix.c:vmap"}, nil},
	{"page_to_index@include/kfx/kernel.h:78 in init/main.c", []string{"init/main.c:start_kernel"}, nil},
	{"page_to_index@include/kfx/kernel.h:78 in mm/vmalloc_fix.c", []string{"mm/vmalloc_fix.c:vm_map_page", "mm/vmalloc_fix.c:vmap"}, nil},
	{"page_to_index@include/kfx/kernel.h:78 in fs/file_fix.c", []string{"fs/file_fix.c:do_work"}, nil},
	{"page_to_index@include/kfx/kernel.h:78 in kernel/printk_fix.c", []string{"kernel/printk_fix.c:kfx_dump_page"}, nil},
	{"page_to_index@include/kfx/kernel.h:78 in kernel/sched_fix.c", nil, nil},
	{"vm_map_page@mm/vmalloc_fix.c:51 in mm/vmalloc_fix.c", []string{"mm/vmalloc_fix.c:vmap"}, nil},
	{"kfx_asm_cpu_relax", nil, []string{"init/main.c:start_kernel", "kernel/sched_fix.c:kfx_schedule"}},
	{"vm_scale@mm/vmalloc_fix.c:90 in mm/vmalloc_fix.c", nil, cat(rep("mm/vmalloc_fix.c:vmap", 2), []string{"mm/vmalloc_fix.c:vm_sync"})},
	{"vm_validate@mm/vmalloc_fix.c:130 in mm/vmalloc_fix.c", nil, []string{"mm/vmalloc_fix.c:vmap", "mm/vmalloc_fix.c:vm_sync"}},
}

func checkCallerFacts(t *testing.T, got map[string]*callers, facts []callerFact, complete bool) {
	t.Helper()
	listed := make(map[string]bool)
	for _, f := range facts {
		listed[f.key] = true
		c := got[f.key]
		if c == nil {
			c = &callers{}
		}
		want := callers{Inline: f.inline, Direct: f.direct}
		if diff := cmp.Diff(want, *c, cmpopts.EquateEmpty(), cmpopts.IgnoreUnexported(callers{})); diff != "" {
			t.Errorf("%s (-want +got):\n%s", f.key, diff)
		}
	}
	if complete {
		for k, c := range got {
			if !listed[k] && len(c.Inline)+len(c.Direct) > 0 {
				t.Errorf("%s has callers %v %v that the facts do not list", k, c.Inline, c.Direct)
			}
		}
	}
}

// defFact is what the defining entries of an instance say, from the
// sources and testdata/README.md.
type defFact struct {
	key    string
	loc    string // file:line of the definition's DW_AT_decl_file/line ("" for none)
	inline uint8  // DW_AT_inline of the abstract (or only) entry
	copies int    // out-of-line copies of an abstract function
}

var gccDefFacts = []defFact{
	{"kfx_alloc", "mm/vmalloc_fix.c:21", 0, 0},
	{"kfx_printk", "kernel/printk_fix.c:14", 0, 0},
	{"kfx_log_event", "kernel/printk_fix.c:30", 0, 0},
	{"kfx_dump_page", "kernel/printk_fix.c:41", 0, 0},
	{"kfx_warn", "kernel/printk_fix.c:47", 0, 0},
	{"start_kernel", "init/main.c:37", 0, 0},
	{"vmap", "mm/vmalloc_fix.c:173", 0, 0},
	{"vm_sync", "mm/vmalloc_fix.c:200", 0, 0},
	{"kfx_open_file", "fs/file_fix.c:44", 0, 0},
	{"kfx_schedule", "kernel/sched_fix.c:39", 0, 0},
	{"kfx_tree_sum", "kernel/sched_fix.c:18", 0, 0},
	{"kfx_sig_dispatch", "lib/sig_fix.c:108", 0, 0},
	{"kfx_init", "lib/sig_fix.c:85", 0, 0},
	{"kfx_version", "version_fix.c:13", 0, 0},
	{"do_work", "fs/file_fix.c:34", 0, 0},
	{"do_work@kernel/sched_fix.c:30 in kernel/sched_fix.c", "kernel/sched_fix.c:30", 0, 0},
	{"setup_once@mm/vmalloc_fix.c:159 in mm/vmalloc_fix.c", "mm/vmalloc_fix.c:159", 0, 0},
	{"setup_once@fs/file_fix.c:24 in fs/file_fix.c", "fs/file_fix.c:24", 0, 0},
	// gas: no DW_AT_decl_file.
	{"_start", "", 0, 0},
	{"kfx_asm_cpu_relax", "", 0, 0},
	// Inlined: the abstract entry has DW_AT_inline 3 (declared inline and
	// inlined) or 1 (inlined, or the origin of a clone).
	{"page_to_index@include/kfx/kernel.h:78 in fs/file_fix.c", "include/kfx/kernel.h:78", 3, 1},
	{"page_to_index@include/kfx/kernel.h:78 in mm/vmalloc_fix.c", "include/kfx/kernel.h:78", 3, 0},
	{"kfx_trace_outer@include/kfx/kernel.h:96 in mm/vmalloc_fix.c", "include/kfx/kernel.h:96", 3, 0},
	{"kfx_trace_inner@include/kfx/kernel.h:90 in init/main.c", "include/kfx/kernel.h:90", 3, 0},
	{"vm_area_fixup@mm/vmalloc_fix.c:38 in mm/vmalloc_fix.c", "mm/vmalloc_fix.c:38", 3, 0},
	{"kfx_version_code@kfx_version.h:10 in version_fix.c", "kfx_version.h:10", 3, 0},
	{"vm_map_page@mm/vmalloc_fix.c:51 in mm/vmalloc_fix.c", "mm/vmalloc_fix.c:51", 3, 1},
	{"vm_pages_count", "mm/vmalloc_fix.c:66", 1, 1},
	{"vm_req_cost@mm/vmalloc_fix.c:81 in mm/vmalloc_fix.c", "mm/vmalloc_fix.c:81", 1, 1},
	{"vm_scale@mm/vmalloc_fix.c:90 in mm/vmalloc_fix.c", "mm/vmalloc_fix.c:90", 1, 1},
	{"vm_check_range@mm/vmalloc_fix.c:104 in mm/vmalloc_fix.c", "mm/vmalloc_fix.c:104", 1, 1},
	{"vm_req_check@mm/vmalloc_fix.c:145 in mm/vmalloc_fix.c", "mm/vmalloc_fix.c:145", 1, 1},
	{"vm_validate@mm/vmalloc_fix.c:130 in mm/vmalloc_fix.c", "mm/vmalloc_fix.c:130", 0, 0},
}

func checkDefFacts(t *testing.T, got map[string]*callers, facts []defFact) {
	t.Helper()
	for _, f := range facts {
		c := got[f.key]
		if c == nil || len(c.defs) == 0 {
			t.Errorf("%s: no definition", f.key)
			continue
		}
		copies := 0
		for i, def := range c.defs {
			loc := ""
			if def.HasFile {
				loc = fmt.Sprintf("%s:%d", relPath(def.File.Path()), def.Line)
			}
			if loc != f.loc || def.Inline != f.inline || def.Declaration {
				t.Errorf("%s: definition %d: location %q, inline %d, declaration %v; want %q, %d, false",
					f.key, i, loc, def.Inline, def.Declaration, f.loc, f.inline)
			}
			if i > 0 {
				copies++
			}
		}
		if copies != f.copies {
			t.Errorf("%s: %d out-of-line copies, want %d", f.key, copies, f.copies)
		}
	}
}

// TestExtractCases checks the caller lists and definitions of every
// surface-rules case, as testdata/README.md states them, on every gcc
// fixture and on rust.elf (whose C part adds one call), and the clang
// facts on clang.elf.
func TestExtractCases(t *testing.T) {
	for _, name := range append(slices.Clone(gccFixtures), "rust.elf") {
		t.Run(name, func(t *testing.T) {
			d := openFixture(t, name)
			got := callerLists(t, d)
			facts := gccCallerFacts
			if name == "rust.elf" {
				// C calls Rust; core's wrapping_* are inlined into the Rust
				// functions (rustc writes no call sites).
				const cu = "rust/kfx_rust.rs/@/kfx_rust.7c0ec5fb00e7877a-cgu.0"
				const core = "/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/num/int_macros.rs"
				facts = append(slices.Clone(facts),
					callerFact{"kfx_rust_entry", nil, []string{"init/main.c:start_kernel"}},
					callerFact{"wrapping_mul@" + core + ":2172 in " + cu, []string{cu + ":mix"}, nil},
					callerFact{"wrapping_add@" + core + ":2100 in " + cu, []string{cu + ":kfx_rust_entry"}, nil})
			}
			checkCallerFacts(t, got, facts, true)
			checkDefFacts(t, got, gccDefFacts)
			// Declared only: no definition, no location.
			for _, k := range []string{"kfx_asm_read_tsc", "memset", "__compiletime_assert_42", "__compiletime_assert_43"} {
				if c := got[k]; c == nil || len(c.defs) != 0 || c.decls == 0 {
					t.Errorf("%s: want declarations only, got %+v", k, c)
				}
			}
			// 45 function names with DWARF instances (memcpy has none), plus
			// the two __compiletime_assert_ declarations dwarfx reports.
			names := make(map[string]bool)
			for k := range got {
				names[strings.Split(k, "@")[0]] = true
			}
			want := 47
			if name == "rust.elf" {
				want += 4 // kfx_rust_entry, mix, wrapping_mul, wrapping_add
			}
			if len(names) != want {
				t.Errorf("%d function names, want %d", len(names), want)
			}
		})
	}
	t.Run("clang.elf", func(t *testing.T) {
		got := callerLists(t, openFixture(t, "clang.elf"))
		checkCallerFacts(t, got, clangCallerFacts, false)
		for _, k := range []string{"_start", "__compiletime_assert_42", "__compiletime_assert_43"} {
			if got[k] != nil {
				t.Errorf("clang.elf has %s", k)
			}
		}
	})
}

// TestExtractAddresses checks the events' addresses against the symbol
// table, on every gcc fixture: a definition or out-of-line copy with an
// address starts a function symbol of its name (name or name.suffix), and
// an inlined instance lies inside a function symbol of its caller.
func TestExtractAddresses(t *testing.T) {
	for _, name := range gccFixtures {
		t.Run(name, func(t *testing.T) {
			ef, err := elf.Open(filepath.Join("../testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			defer ef.Close()
			syms, err := ef.Symbols()
			if err != nil {
				t.Fatal(err)
			}
			byStem := make(map[string][]elf.Symbol)
			for _, s := range syms {
				if elf.ST_TYPE(s.Info) == elf.STT_FUNC {
					stem, _, _ := strings.Cut(s.Name, ".")
					byStem[stem] = append(byStem[stem], s)
				}
			}
			d := openFixture(t, name)
			starts, inside, without, returns, sites := 0, 0, 0, 0, 0
			err = d.Extract(nil, func(cu *CompileUnit) error {
				lt, err := d.LineTable(cu.Unit)
				if err != nil {
					return err
				}
				for _, ev := range cu.Events {
					f := &cu.Funcs[ev.Func]
					switch {
					case ev.Kind == Declaration:
						if ev.HasAddr {
							t.Errorf("%v %s has an address", ev.Kind, f.Name)
						}
					case ev.Kind == Call:
						// The return address: inside the caller, just past the call.
						if ev.HasAddr {
							caller := cu.Funcs[ev.Caller].Name
							if !slices.ContainsFunc(byStem[caller], func(s elf.Symbol) bool {
								return s.Value < ev.Addr && ev.Addr <= s.Value+s.Size
							}) {
								t.Errorf("call of %s returning to %#x is not inside a symbol of %s", f.Name, ev.Addr, caller)
							}
							returns++
						}
					case !ev.HasAddr:
						without++
						if ev.Kind != Definition {
							t.Errorf("%v %s at %#x has no address", ev.Kind, f.Name, ev.Offset)
						}
					case ev.Kind == Inlined:
						if !ev.HasCallFile || ev.CallLine == 0 {
							t.Errorf("%s inlined at %#x: no call file and line", f.Name, ev.Addr)
						} else if _, ok := lt.File(uint64(ev.CallFile)); !ok {
							t.Errorf("%s inlined at %#x: call file %d not in the line table", f.Name, ev.Addr, ev.CallFile)
						} else {
							sites++
						}
						caller := cu.Funcs[ev.Caller].Name
						if !slices.ContainsFunc(byStem[caller], func(s elf.Symbol) bool {
							return s.Value <= ev.Addr && ev.Addr < s.Value+s.Size
						}) {
							t.Errorf("%s inlined at %#x is not inside a symbol of %s", f.Name, ev.Addr, caller)
						}
						inside++
					default:
						if !slices.ContainsFunc(byStem[f.Name], func(s elf.Symbol) bool { return s.Value == ev.Addr }) {
							t.Errorf("%v %s at %#x starts no symbol of that name", ev.Kind, f.Name, ev.Addr)
						}
						starts++
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// Abstract definitions (inlined-only functions) have no code.
			if returns == 0 || sites == 0 {
				t.Errorf("%d call sites with a return address, %d inline sites with a file and line", returns, sites)
			}
			if starts == 0 || inside == 0 || without == 0 {
				t.Errorf("%d addresses at symbols, %d inside callers, %d definitions without", starts, inside, without)
			}
		})
	}
}

// extractAll returns every unit Extract delivers.
func extractAll(t testing.TB, d *Data, concurrency int) []*CompileUnit {
	t.Helper()
	var out []*CompileUnit
	if err := d.Extract(&ExtractOptions{Concurrency: concurrency}, func(cu *CompileUnit) error {
		out = append(out, cu)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestExtractDeterministic checks that Extract's output, every field of
// every unit, function and event, does not depend on Concurrency, on every
// fixture. Run with -race, it also checks the workers share nothing
// unsafely.
func TestExtractDeterministic(t *testing.T) {
	for _, p := range fixtures(t) {
		t.Run(filepath.Base(p), func(t *testing.T) {
			d := openFixture(t, filepath.Base(p))
			want := extractAll(t, d, 1)
			compile := 0
			for _, u := range d.Units()[:d.InfoUnits()] {
				if u.Kind != UnitTypeUnit {
					compile++
				}
			}
			if len(want) != compile {
				t.Errorf("%d compile units delivered, %d in .debug_info", len(want), compile)
			}
			for _, c := range []int{2, 8, 0} {
				// A fresh Data too: its line-table cache is filled concurrently.
				for _, dd := range []*Data{d, openFixture(t, filepath.Base(p))} {
					got := extractAll(t, dd, c)
					if diff := cmp.Diff(want, got, cmp.AllowUnexported(Unit{})); diff != "" {
						t.Fatalf("Concurrency %d differs from 1 (-1 +%d):\n%s", c, c, diff)
					}
				}
			}
		})
	}
}

// TestExtractStops checks that an error from fn stops Extract at once and
// is returned, and that the CompileUnits iterator stops on break, for
// every concurrency.
func TestExtractStops(t *testing.T) {
	d := openFixture(t, "x86_64-dwarf5.elf")
	stop := fmt.Errorf("stop here")
	for _, c := range []int{1, 2, 8} {
		n := 0
		err := d.Extract(&ExtractOptions{Concurrency: c}, func(cu *CompileUnit) error {
			n++
			if n == 3 {
				return stop
			}
			return nil
		})
		if err != stop || n != 3 {
			t.Errorf("Concurrency %d: %v after %d units; want the callback's error after 3", c, err, n)
		}
		var names []string
		for cu, err := range d.CompileUnits(&ExtractOptions{Concurrency: c}) {
			if err != nil {
				t.Fatal(err)
			}
			names = append(names, cu.Unit.Name)
			if len(names) == 2 {
				break
			}
		}
		if diff := cmp.Diff(gccUnitNames[:2], names); diff != "" {
			t.Errorf("Concurrency %d: CompileUnits (-want +got):\n%s", c, diff)
		}
	}
}

// TestExtractKernel runs Extract over the real kernel: it logs the totals,
// requires fewer than 0.01 heap allocations per entry, and checks that
// Concurrency 1 and 2 give the same output (by a digest of every event).
func TestExtractKernel(t *testing.T) {
	p := realKernel(t)
	d, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	entries := 0
	r := d.Reader(&ReaderOptions{Attrs: []dwarf.Attr{dwarf.AttrSibling}})
	r.limit = d.InfoUnits()
	for e, err := range r.All() {
		if err != nil {
			t.Fatal(err)
		}
		_ = e
		entries++
	}
	digest := func(c int) (sum uint64, units, events int, kinds map[EventKind]int, allocs uint64) {
		kinds = make(map[EventKind]int)
		h := fnv.New64a()
		var ms0, ms1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms0)
		err := d.Extract(&ExtractOptions{Concurrency: c}, func(cu *CompileUnit) error {
			units++
			events += len(cu.Events)
			for _, ev := range cu.Events {
				kinds[ev.Kind]++
				f := &cu.Funcs[ev.Func]
				caller := uint64(0)
				if ev.Caller >= 0 {
					caller = cu.Funcs[ev.Caller].Offset
				}
				fmt.Fprintf(h, "%d %d %d %s %d %d %d\n", cu.Unit.Index, ev.Kind, f.Offset, f.Name, caller, ev.Offset, ev.Addr)
			}
			return nil
		})
		runtime.ReadMemStats(&ms1)
		if err != nil {
			t.Fatal(err)
		}
		return h.Sum64(), units, events, kinds, ms1.Mallocs - ms0.Mallocs
	}
	// The first run parses the line tables; the digest's own formatting
	// allocates, so allocations are measured on a run without it below.
	sum1, units, events, kinds, _ := digest(1)
	sum2, _, _, _, _ := digest(2)
	if sum1 != sum2 {
		t.Errorf("Concurrency 1 and 2 give different output")
	}
	fresh, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	var ms0, ms1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	if err := fresh.Extract(nil, func(*CompileUnit) error { return nil }); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&ms1)
	allocs := ms1.Mallocs - ms0.Mallocs
	perEntry := float64(allocs) / float64(entries)
	t.Logf("%d entries, %d compile units, %d events (%d definitions, %d declarations, %d concrete copies, %d inlined, %d calls)",
		entries, units, events, kinds[Definition], kinds[Declaration], kinds[ConcreteCopy], kinds[Inlined], kinds[Call])
	t.Logf("first Extract on a fresh Data: %d allocations, %.5f per entry, %d MB allocated", allocs, perEntry, (ms1.TotalAlloc-ms0.TotalAlloc)>>20)
	if perEntry >= 0.01 {
		t.Errorf("%.4f allocations per entry, want < 0.01", perEntry)
	}
	if units == 0 || events == 0 || kinds[Call] == 0 || kinds[Inlined] == 0 {
		t.Error("no events")
	}
}
