package diff

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kabi-dev/kabi"
)

// TestHookSurfaces compares the hooks fixtures of versions 1 and 2; the
// expected changes are listed in testdata/README.md ("Hooks fixtures").
func TestHookSurfaces(t *testing.T) {
	open := func(name string) *kabi.Build {
		b, err := kabi.Open("../testdata/"+name+".elf", nil)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	v1, v2 := open("hooks-6.1.99-1-amd64"), open("hooks-6.2.5-1-amd64")
	bs := []*kabi.Build{v1, v2}
	if !Hook(kabi.Ref{Kind: kabi.KindLSM, Name: "file_open"}, bs, GroupBuilds(bs, nil)).Found() ||
		Hook(kabi.Ref{Kind: kabi.KindLSM, Name: "no_such_hook"}, bs, GroupBuilds(bs, nil)).Found() {
		t.Error("HookReport.Found: lsm:file_open not found, or lsm:no_such_hook found")
	}
	var got []string
	for _, d := range HookSurfaces(v1, v2) {
		got = append(got, fmt.Sprintf("%s: common %d, added %q, removed %q, unknown %q", d.Kind, d.Common, d.Added, d.Removed, d.Unknown))
		for _, c := range d.Changed {
			for _, ch := range c.Changes {
				got = append(got, fmt.Sprintf("  %s %s", c.Name, ch))
			}
		}
	}
	want := []string{
		`tracepoint: common 4, added ["block_rq_merge"], removed ["block_rq_insert"], unknown ""`,
		`  block_rq_issue Func changed: trace_event_raw_event_block_rq: Param removed: void *q; Param reordered: __data, q, rq -> __data, rq`,
		`  block_rq_issue Event changed: Field added: unsigned int bytes; Field moved: rwbs: offset 20 -> 24`,
		`  block_rq_issue Format changed: "%d %llu + %u", REC->dev, REC->sector, REC->nr_sector -> "%d %llu + %u [%s]", REC->dev, REC->sector, REC->nr_sector, REC->rwbs`,
		`lsm: common 2, added ["file_truncate"], removed [], unknown ""`,
		`kfunc: common 2, added ["bpf_kfx_file_mode"], removed [], unknown ""`,
		`syscall: common 3, added ["openat2"], removed [], unknown ""`,
		`  openat Renumbered in sys_call_table: 3 -> 4`,
		`config: common 5, added ["CONFIG_KFX_NEW"], removed ["CONFIG_KFX_OLD"], unknown ""`,
		`  CONFIG_HZ Value changed: 250 -> 1000`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("hook diff:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// One hook across both, as kabi report does.
	groups := []Group{{Name: "Regular", Pairing: Chain, Members: []Member{{Label: "6.1", Build: 0}, {Label: "6.2", Build: 1}}}}
	r := Hook(kabi.Ref{Kind: kabi.KindTracepoint, Name: "block_rq_insert"}, []*kabi.Build{v1, v2}, groups)
	if p := r.Groups[0].Pairs[0]; !p.OldPresent || p.NewPresent || len(p.Changes) != 1 || p.Changes[0].Kind != HookRemoved {
		t.Errorf("block_rq_insert 6.1 → 6.2: %+v", p)
	}
	if s := r.Groups[0].Status[0]; s.Event == nil || s.Event.Name != "trace_event_raw_block_rq" {
		t.Errorf("the event struct of block_rq_insert in 6.1: %+v", s.Event)
	}

	// A build without a configuration: config is unknown, not removed.
	nocfg, err := kabi.Open("../testdata/x86_64-dwarf5.elf", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range HookSurfaces(v1, nocfg) {
		if d.Kind == kabi.KindConfig && (d.Unknown == "" || len(d.Removed) > 0) {
			t.Errorf("config against a build without one: %+v", d)
		}
	}
}

// TestHookSurfacesRunning compares the hooks fixture read from its
// vmlinux with the same kernel read as a running one (its BTF and
// kallsyms): no hook is added, removed or changed; the syscall event,
// which a running kernel's BTF cannot show, is unseen, not removed; the
// kfuncs' sets and the syscalls' numbers, unknown on one side, are not
// compared.
func TestHookSurfacesRunning(t *testing.T) {
	v, err := kabi.Open("../testdata/hooks-6.1.99-1-amd64.elf", nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := kabi.OpenRunning("../testdata/running-hooks", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, pair := range [][2]*kabi.Build{{v, r}, {r, v}} {
		for _, d := range HookSurfaces(pair[0], pair[1]) {
			if d.Unknown != "" || len(d.Added) > 0 || len(d.Removed) > 0 || len(d.Changed) > 0 || d.Common == 0 {
				t.Errorf("%s: common %d, added %q, removed %q, changed %v, unknown %q", d.Kind, d.Common, d.Added, d.Removed, d.Changed, d.Unknown)
			}
			if want := []string(nil); d.Kind == kabi.KindTracepoint {
				want = []string{"sys_enter_openat"}
				if !slices.Equal(d.Unseen, want) {
					t.Errorf("tracepoint: unseen %q, want %q", d.Unseen, want)
				}
			} else if d.Unseen != nil {
				t.Errorf("%s: unseen %q", d.Kind, d.Unseen)
			}
			side := "the new build's"
			if pair[0] == r {
				side = "the old build's"
			}
			if d.Kind == kabi.KindTracepoint && !strings.HasPrefix(d.Partial, side+" trace events are unknown") {
				t.Errorf("tracepoint: partial %q; want it to start %q", d.Partial, side+" trace events are unknown")
			} else if d.Kind != kabi.KindTracepoint && d.Partial != "" {
				t.Errorf("%s: partial %q", d.Kind, d.Partial)
			}
		}
	}
	for _, d := range HookSurfaces(v, v) {
		if d.Partial != "" {
			t.Errorf("%s of two vmlinux files: partial %q", d.Kind, d.Partial)
		}
	}
}

// TestHookPrototypeChanged: where a tracepoint's probes are not both
// known (a running kernel's; a bare tracepoint), its raw prototype is
// compared by parameter types: other types are Prototype changed, other
// names (a typedef's parameters have none) are not; where both probes
// are known, their change is the probe's (Func changed) only.
func TestHookPrototypeChanged(t *testing.T) {
	raw := func(params ...kabi.Param) *kabi.Signature {
		return &kabi.Signature{Name: "btf_trace_x", Return: &kabi.Type{Kind: kabi.Void}, Params: params, Prototyped: true}
	}
	file := &kabi.Tracepoint{Name: "x", Class: "c", System: "s", RawSignature: raw(p("__data", tVoidP), p("f", tFile)),
		Probe: raw(p("__data", tVoidP), p("f", tFile))}
	running := &kabi.Tracepoint{Name: "x", EventUnknown: true, RawSignature: raw(p("", tVoidP), p("", tFile))}
	if got := Hooks(HookSide{Hook: file}, HookSide{Hook: running}); len(got) != 0 {
		t.Errorf("same parameter types, names only on one side: %v", got)
	}
	changed := &kabi.Tracepoint{Name: "x", EventUnknown: true, RawSignature: raw(p("", tVoidP), p("", tFile), p("", tInt))}
	got := Hooks(HookSide{Hook: running}, HookSide{Hook: changed})
	if len(got) != 1 || got[0].Kind != PrototypeChanged || got[0].New != "typedef void (*btf_trace_x)(void *, struct file *, int);" {
		t.Errorf("a parameter added: %v", got)
	}
	bare := &kabi.Tracepoint{Name: "x", Bare: true, RawSignature: raw(p("__data", tVoidP), p("f", tFile))}
	bare2 := &kabi.Tracepoint{Name: "x", Bare: true, RawSignature: raw(p("__data", tVoidP), p("n", tInt))}
	if got := Hooks(HookSide{Hook: bare}, HookSide{Hook: bare2}); len(got) != 1 || got[0].Kind != PrototypeChanged {
		t.Errorf("a bare tracepoint's parameter changed: %v", got)
	}
	file2 := *file
	file2.Probe = raw(p("__data", tVoidP), p("n", tInt))
	file2.RawSignature = file2.Probe
	for _, c := range Hooks(HookSide{Hook: file}, HookSide{Hook: &file2}) {
		if c.Kind != FuncChanged {
			t.Errorf("both probes known: %v", c)
		}
	}
}

// TestHookMoved: a tracepoint that moved between vmlinux and a module
// (Tracepoint.Module) is Moved, named "vmlinux" on vmlinux's side.
func TestHookMoved(t *testing.T) {
	o := &kabi.Tracepoint{Name: "xfs_attr_list_sf", Class: "xfs_attr_list_class", System: "xfs"}
	n := *o
	n.Module = "xfs"
	got := Hooks(HookSide{Hook: o}, HookSide{Hook: &n})
	if len(got) != 1 || got[0].Kind != HookMoved || got[0].String() != "Moved: vmlinux -> xfs" {
		t.Errorf("changes %v", got)
	}
	if got := Hooks(HookSide{Hook: &n}, HookSide{Hook: &n}); len(got) != 0 {
		t.Errorf("the same module: %v", got)
	}
	// A running kernel's tracepoint: its event is unknown, its module
	// is not (the module whose BTF has its btf_trace_ typedef).
	r := &kabi.Tracepoint{Name: "xfs_attr_list_sf", EventUnknown: true}
	if got := Hooks(HookSide{Hook: &n}, HookSide{Hook: r}); len(got) != 1 || got[0].Kind != HookMoved || got[0].String() != "Moved: xfs -> vmlinux" {
		t.Errorf("against a running kernel's: %v", got)
	}
	r.Module = "xfs"
	if got := Hooks(HookSide{Hook: &n}, HookSide{Hook: r}); len(got) != 0 {
		t.Errorf("against a running kernel's, same module: %v", got)
	}
}
