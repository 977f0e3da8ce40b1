package check

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/kabi-dev/kabi"
	"github.com/kabi-dev/kabi/internal/elfcraft"
)

// The builds of the root package's testdata each fixture object is
// checked against, in the order the findings below list them (see
// testdata/README.md).
var (
	cmpBuilds   = []string{"cmp-6.1.99-1-amd64", "cmp-6.2.5-1-amd64", "cmp-6.3.1-2-amd64", "cmp-6.1.99-1-cloud-amd64"}
	hooksBuilds = []string{"hooks-6.1.99-1-amd64", "hooks-6.2.5-1-amd64"}
	typesBuilds = []string{"types-v1", "types-v2"}
	buildsOf    = map[string][]string{
		"probes.bpf.o": cmpBuilds, "tracing.bpf.o": cmpBuilds, "core.bpf.o": cmpBuilds,
		"hooks.bpf.o": hooksBuilds, "types.bpf.o": typesBuilds,
	}
)

var buildCache sync.Map // name -> func() (*kabi.Build, error)

func fixtureBuild(t testing.TB, name string) *kabi.Build {
	t.Helper()
	f, _ := buildCache.LoadOrStore(name, sync.OnceValues(func() (*kabi.Build, error) {
		return kabi.Open(filepath.Join("..", "testdata", name+".elf"), nil)
	}))
	b, err := f.(func() (*kabi.Build, error))()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func fixtureBuilds(t testing.TB, names []string) []*kabi.Build {
	var out []*kabi.Build
	for _, n := range names {
		out = append(out, fixtureBuild(t, n))
	}
	return out
}

func fixtures(t testing.TB) []*kabi.Build { return fixtureBuilds(t, cmpBuilds) }

func object(t testing.TB, name string, opts *Options) *Object {
	t.Helper()
	o, err := Open(filepath.Join("testdata", name), opts)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// describe writes a dependency on one line, every field that matters.
func describe(d *Dependency) string {
	var b strings.Builder
	b.WriteString(d.String())
	if d.Pattern {
		b.WriteString(" pattern")
	}
	if d.Guarded {
		b.WriteString(" guarded")
	}
	if len(d.Relocs) > 0 {
		fmt.Fprintf(&b, " relocs=%s", strings.Join(d.Relocs, ","))
	}
	if len(d.Flavors) > 0 {
		fmt.Fprintf(&b, " flavors=%s", strings.Join(d.Flavors, ","))
	}
	if len(d.Alternatives) > 0 {
		fmt.Fprintf(&b, " alt=%s", strings.Join(d.Alternatives, ","))
	}
	if d.Slots >= 0 {
		fmt.Fprintf(&b, " slots=%d", d.Slots)
	}
	if d.Expect != nil {
		fmt.Fprintf(&b, " expect=%q", d.Expect.String())
	}
	fmt.Fprintf(&b, " progs=%s", strings.Join(d.Programs, ","))
	var srcs []string
	for _, s := range d.Sources {
		srcs = append(srcs, fmt.Sprintf("%s:%d", filepath.Base(s.File), s.Line))
	}
	fmt.Fprintf(&b, " at=%s", strings.Join(srcs, ","))
	return b.String()
}

func all(s string) []string { return []string{s, s, s, s} }

func both(s string) []string { return []string{s, s} }

var wantPrograms = map[string][]string{
	"probes.bpf.o": {
		"probe_any|kprobe|kprobe|\"\"|probes.bpf.c:95",
		"multi_cmp|kprobe.multi/kfx_cmp_*|kprobe.multi|\"kfx_cmp_*\"|probes.bpf.c:65",
		"probe_flush|kprobe/cmp_flush|kprobe|\"cmp_flush\"|probes.bpf.c:48",
		"probe_weight|kprobe/cmp_req_weight|kprobe|\"cmp_req_weight\"|probes.bpf.c:42",
		"probe_ioctl|kprobe/kfx_cmp_legacy_ioctl|kprobe|\"kfx_cmp_legacy_ioctl\"|probes.bpf.c:16",
		"probe_range|kprobe/kfx_cmp_map_range+0x4|kprobe|\"kfx_cmp_map_range\"|probes.bpf.c:56",
		"probe_map_page|kprobe/vm_map_page|kprobe|\"vm_map_page\"|probes.bpf.c:32",
		"multi_none|kretprobe.multi/kfx_nosuch_*|kretprobe.multi|\"kfx_nosuch_*\"|probes.bpf.c:72",
		"ret_count|kretprobe/kfx_cmp_get_count|kretprobe|\"kfx_cmp_get_count\"|probes.bpf.c:24",
		"sys_close_ret|kretsyscall/close|kretsyscall|\"close\"|probes.bpf.c:85",
		"sys_openat|ksyscall/openat|ksyscall|\"openat\"|probes.bpf.c:78",
	},
	"tracing.bpf.o": {
		"f_any|fentry|fentry|\"\"|tracing.bpf.c:70",
		"f_inspect|fentry.s/kfx_cmp_inspect|fentry|\"kfx_cmp_inspect\"|tracing.bpf.c:61",
		"f_hash|fentry/cmp_hash|fentry|\"cmp_hash\"|tracing.bpf.c:53",
		"f_open|fentry/kfx_cmp_open|fentry|\"kfx_cmp_open\"|tracing.bpf.c:30",
		"f_reset|fentry/kfx_cmp_reset|fentry|\"kfx_cmp_reset\"|tracing.bpf.c:129",
		"f_submit|fentry/kfx_cmp_submit|fentry|\"kfx_cmp_submit\"|tracing.bpf.c:22",
		"x_close|fexit/kfx_cmp_close|fexit|\"kfx_cmp_close\"|tracing.bpf.c:38",
		"m_hw_probe|fmod_ret/kfx_cmp_hw_probe|fmod_ret|\"kfx_cmp_hw_probe\"|tracing.bpf.c:46",
		"it_task|iter/task|iter|\"task\"|tracing.bpf.c:124",
		"lsm_bprm|lsm.s/bprm_check_security|lsm|\"bprm_check_security\"|tracing.bpf.c:81",
		"lsm_open|lsm/file_open|lsm|\"file_open\"|tracing.bpf.c:75",
		"raw_wakeup|raw_tp/sched_wakeup|raw_tp|\"sched_wakeup\"|tracing.bpf.c:96",
		"raw_exit|raw_tracepoint/sched_process_exit|raw_tp|\"sched_process_exit\"|tracing.bpf.c:103",
		"ops_map|struct_ops/kfx_ops_map|struct_ops|\"\"|tracing.bpf.c:146",
		"tp_enter_openat|tp/syscalls/sys_enter_openat|tracepoint|\"syscalls/sys_enter_openat\"|tracing.bpf.c:117",
		"tp_switch|tp_btf/sched_switch|tp_btf|\"sched_switch\"|tracing.bpf.c:87",
		"tp_sched_switch|tracepoint/sched/sched_switch|tracepoint|\"sched/sched_switch\"|tracing.bpf.c:110",
		"xdp_pass|xdp|none|\"\"|tracing.bpf.c:141",
	},
	"core.bpf.o": {
		"core_entry|kprobe/kfx_cmp_entry|kprobe|\"kfx_cmp_entry\"|core.bpf.c:31",
		"core_weight|kprobe/kfx_cmp_entry|kprobe|\"kfx_cmp_entry\"|core.bpf.c:52",
	},
	"hooks.bpf.o": {
		"f_kfuncs|fentry/bpf_lsm_file_open|fentry|\"bpf_lsm_file_open\"|hooks.bpf.c:134",
		"sys_openat2_ret|kretsyscall/openat2|kretsyscall|\"openat2\"|hooks.bpf.c:127",
		"sys_openat|ksyscall/openat|ksyscall|\"openat\"|hooks.bpf.c:119",
		"lsm_bprm|lsm.s/bprm_check_security|lsm|\"bprm_check_security\"|hooks.bpf.c:113",
		"lsm_open|lsm/file_open|lsm|\"file_open\"|hooks.bpf.c:100",
		"lsm_truncate|lsm/file_truncate|lsm|\"file_truncate\"|hooks.bpf.c:107",
		"raw_insert|raw_tp/block_rq_insert|raw_tp|\"block_rq_insert\"|hooks.bpf.c:35",
		"tp_issue|tp/block/block_rq_issue|tracepoint|\"block/block_rq_issue\"|hooks.bpf.c:27",
		"btf_issue|tp_btf/block_rq_issue|tp_btf|\"block_rq_issue\"|hooks.bpf.c:41",
		"btf_pelt|tp_btf/pelt_kfx_tp|tp_btf|\"pelt_kfx_tp\"|hooks.bpf.c:70",
		"btf_switch|tp_btf/sched_switch|tp_btf|\"sched_switch\"|hooks.bpf.c:48",
		"btf_openat|tp_btf/sys_enter_openat|tp_btf|\"sys_enter_openat\"|hooks.bpf.c:80",
		"tp_wrong_system|tracepoint/sched/block_rq_issue|tracepoint|\"sched/block_rq_issue\"|hooks.bpf.c:95",
		"tp_pelt|tracepoint/sched/pelt_kfx_tp|tracepoint|\"sched/pelt_kfx_tp\"|hooks.bpf.c:65",
		"tp_switch|tracepoint/sched/sched_switch|tracepoint|\"sched/sched_switch\"|hooks.bpf.c:57",
		"tp_openat|tracepoint/syscalls/sys_enter_openat|tracepoint|\"syscalls/sys_enter_openat\"|hooks.bpf.c:87",
	},
	"types.bpf.o": {
		"core_types|xdp|none|\"\"|types.bpf.c:35",
	},
}

var wantDeps = map[string][]string{
	"probes.bpf.o": {
		"kprobe (target set at load time) expect=\"int ____probe_any(void);\" progs=probe_any at=probes.bpf.c:95",
		"kprobe cmp_flush expect=\"int ____probe_flush(int n);\" progs=probe_flush at=probes.bpf.c:48",
		"kprobe cmp_req_weight expect=\"int ____probe_weight(void);\" progs=probe_weight at=probes.bpf.c:42",
		"kprobe.multi kfx_cmp_* pattern progs=multi_cmp at=probes.bpf.c:65",
		"kretprobe kfx_cmp_get_count expect=\"int ____ret_count(int ret);\" progs=ret_count at=probes.bpf.c:24",
		"kprobe kfx_cmp_legacy_ioctl expect=\"int ____probe_ioctl(int cmd, unsigned long arg);\" progs=probe_ioctl at=probes.bpf.c:16",
		"kprobe kfx_cmp_map_range expect=\"int ____probe_range(unsigned long start, unsigned long end);\" progs=probe_range at=probes.bpf.c:56",
		"kretprobe.multi kfx_nosuch_* pattern progs=multi_none at=probes.bpf.c:72",
		"kprobe vm_map_page expect=\"int ____probe_map_page(struct page *page, int order);\" progs=probe_map_page at=probes.bpf.c:32",
		"field struct:pt_regs.di relocs=byte_off flavors=pt_regs progs=sys_openat at=probes.bpf.c:78",
		"field struct:pt_regs.si relocs=byte_off flavors=pt_regs progs=sys_openat at=probes.bpf.c:78",
		"kretsyscall syscall:close expect=\"int ____sys_close_ret(long ret);\" progs=sys_close_ret at=probes.bpf.c:85",
		"ksyscall syscall:openat progs=sys_openat at=probes.bpf.c:78",
	},
	"tracing.bpf.o": {
		"ksym cmp_stats progs=f_reset at=tracing.bpf.c:134",
		"fentry (target set at load time) slots=0 expect=\"int ____f_any(void);\" progs=f_any at=tracing.bpf.c:70",
		"iter bpf_iter_task slots=0 progs=it_task at=tracing.bpf.c:124",
		"fentry cmp_hash slots=1 expect=\"int ____f_hash(unsigned int x);\" progs=f_hash at=tracing.bpf.c:53",
		"fexit kfx_cmp_close slots=3 expect=\"int ____x_close(int fd, int how, int ret);\" progs=x_close at=tracing.bpf.c:38",
		"fmod_ret kfx_cmp_hw_probe slots=2 expect=\"int ____m_hw_probe(int bus, int ret);\" progs=m_hw_probe at=tracing.bpf.c:46",
		"fentry kfx_cmp_inspect slots=1 expect=\"int ____f_inspect(struct page *page);\" progs=f_inspect at=tracing.bpf.c:61",
		"fentry kfx_cmp_open slots=2 expect=\"int ____f_open(const char *name, int mode);\" progs=f_open at=tracing.bpf.c:30",
		"fentry kfx_cmp_reset slots=1 expect=\"int ____f_reset(int level);\" progs=f_reset at=tracing.bpf.c:129",
		"fentry kfx_cmp_submit slots=2 expect=\"int ____f_submit(void *buf, int len);\" progs=f_submit at=tracing.bpf.c:22",
		"field struct:vm_ops.map relocs=struct_ops progs=ops_map at=tracing.bpf.c:146",
		"type struct:vm_ops relocs=struct_ops progs= at=",
		"raw_tp tracepoint:sched_process_exit progs=raw_exit at=tracing.bpf.c:103",
		"tp_btf tracepoint:sched_switch slots=1 expect=\"int ____tp_switch(_Bool preempt);\" progs=tp_switch at=tracing.bpf.c:87",
		"tracepoint tracepoint:sched_switch (system sched) progs=tp_sched_switch at=tracing.bpf.c:110",
		"raw_tp tracepoint:sched_wakeup progs=raw_wakeup at=tracing.bpf.c:96",
		"lsm lsm:bprm_check_security slots=0 progs=lsm_bprm at=tracing.bpf.c:81",
		"lsm lsm:file_open slots=0 progs=lsm_open at=tracing.bpf.c:75",
		"kfunc kfunc:kfx_cmp_reset expect=\"void kfx_cmp_reset(int);\" progs=f_reset at=tracing.bpf.c:131",
		"kfunc kfunc:kfx_nosuch_kfunc guarded expect=\"int kfx_nosuch_kfunc(int);\" progs=f_reset at=tracing.bpf.c:133",
		"tracepoint syscall:openat (system syscalls) progs=tp_enter_openat at=tracing.bpf.c:117",
		"kconfig config:CONFIG_HZ progs= at=",
		"kconfig config:CONFIG_KFX_FEATURE guarded progs= at=",
	},
	"core.bpf.o": {
		"kprobe kfx_cmp_entry expect=\"int ____core_entry(struct kfx_req *req, struct page *page);\" progs=core_entry,core_weight at=core.bpf.c:31,core.bpf.c:52",
		"field struct:kfx_node.left relocs=byte_off flavors=kfx_node progs=core_weight at=core.bpf.c:56",
		"field struct:kfx_node.val relocs=byte_off flavors=kfx_node progs=core_weight at=core.bpf.c:57",
		"field struct:kfx_node.weight relocs=byte_off flavors=kfx_node___x progs=core_weight at=core.bpf.c:52",
		"type struct:kfx_node relocs=type_size flavors=kfx_node progs=core_entry at=core.bpf.c:46",
		"field struct:kfx_req.flags relocs=byte_off flavors=kfx_req___old alt=prio progs=core_entry at=core.bpf.c:37",
		"field struct:kfx_req.id relocs=byte_off flavors=kfx_req progs=core_entry at=core.bpf.c:31",
		"field struct:kfx_req.name relocs=byte_sz flavors=kfx_req progs=core_entry at=core.bpf.c:42",
		"field struct:kfx_req.prio guarded relocs=byte_off,field_exists flavors=kfx_req___new progs=core_entry at=core.bpf.c:36,core.bpf.c:37",
		"field struct:kfx_req.state relocs=byte_off flavors=kfx_req progs=core_entry at=core.bpf.c:41",
		"field struct:page.flags relocs=byte_off flavors=page progs=core_entry at=core.bpf.c:35",
		"type union:kfx_key guarded relocs=type_exists flavors=kfx_key progs=core_entry at=core.bpf.c:45",
		"enum value enum:kfx_state.KFX_DEAD guarded relocs=enumval_exists flavors=kfx_state progs=core_entry at=core.bpf.c:43",
		"enum value enum:kfx_state.KFX_RUNNING relocs=enumval_value flavors=kfx_state progs=core_entry at=core.bpf.c:44",
	},
	"hooks.bpf.o": {
		"fentry bpf_lsm_file_open slots=1 expect=\"int ____f_kfuncs(struct kfx_file *file);\" progs=f_kfuncs at=hooks.bpf.c:134",
		"field struct:pt_regs.di relocs=byte_off flavors=pt_regs progs=sys_openat at=hooks.bpf.c:119",
		"raw_tp tracepoint:block_rq_insert progs=raw_insert at=hooks.bpf.c:35",
		"tp_btf tracepoint:block_rq_issue slots=2 expect=\"int ____btf_issue(void *q, struct kfx_request *rq);\" progs=btf_issue at=hooks.bpf.c:41",
		"tracepoint tracepoint:block_rq_issue (system block) progs=tp_issue at=hooks.bpf.c:27",
		"tracepoint tracepoint:block_rq_issue (system sched) progs=tp_wrong_system at=hooks.bpf.c:95",
		"tp_btf tracepoint:pelt_kfx_tp slots=1 expect=\"int ____btf_pelt(struct kfx_request *rq);\" progs=btf_pelt at=hooks.bpf.c:70",
		"tracepoint tracepoint:pelt_kfx_tp (system sched) progs=tp_pelt at=hooks.bpf.c:65",
		"tp_btf tracepoint:sched_switch slots=3 expect=\"int ____btf_switch(int preempt, int prev, int next);\" progs=btf_switch at=hooks.bpf.c:48",
		"tracepoint tracepoint:sched_switch (system sched) progs=tp_switch at=hooks.bpf.c:57",
		"tp_btf tracepoint:sys_enter_openat slots=0 progs=btf_openat at=hooks.bpf.c:80",
		"lsm lsm:bprm_check_security slots=2 progs=lsm_bprm at=hooks.bpf.c:113",
		"lsm lsm:file_open slots=2 progs=lsm_open at=hooks.bpf.c:100",
		"lsm lsm:file_truncate slots=2 progs=lsm_truncate at=hooks.bpf.c:107",
		"kfunc kfunc:bpf_kfx_file_acquire expect=\"struct kfx_file *bpf_kfx_file_acquire(struct kfx_file *);\" progs=f_kfuncs at=hooks.bpf.c:136",
		"kfunc kfunc:bpf_kfx_file_mode guarded expect=\"int bpf_kfx_file_mode(const struct kfx_file *);\" progs=f_kfuncs at=hooks.bpf.c:139",
		"kfunc kfunc:bpf_kfx_file_release expect=\"void bpf_kfx_file_release(struct kfx_file *);\" progs=f_kfuncs at=hooks.bpf.c:141",
		"kfunc kfunc:bpf_kfx_not_a_kfunc expect=\"int bpf_kfx_not_a_kfunc(int);\" progs=f_kfuncs at=hooks.bpf.c:140",
		"ksyscall syscall:openat progs=sys_openat at=hooks.bpf.c:119",
		"tracepoint syscall:openat (system syscalls) progs=tp_openat at=hooks.bpf.c:87",
		"kretsyscall syscall:openat2 expect=\"int ____sys_openat2_ret(long ret);\" progs=sys_openat2_ret at=hooks.bpf.c:127",
		"kconfig config:CONFIG_HZ progs= at=",
		"kconfig config:CONFIG_KFX_NEW guarded progs= at=",
		"kconfig config:CONFIG_KFX_OLD progs= at=",
	},
	"types.bpf.o": {
		"field struct:kfx_anon.hi relocs=byte_off flavors=kfx_anon progs=core_types at=types.bpf.c:47",
		"type struct:kfx_gone relocs=type_size flavors=kfx_gone___x progs=core_types at=types.bpf.c:55",
		"field struct:kfx_versioned.added guarded relocs=byte_off,field_exists flavors=kfx_versioned___v2 progs=core_types at=types.bpf.c:42,types.bpf.c:43",
		"field struct:kfx_versioned.flags relocs=byte_off flavors=kfx_versioned progs=core_types at=types.bpf.c:41",
		"field struct:kfx_versioned.id relocs=byte_off flavors=kfx_versioned progs=core_types at=types.bpf.c:35",
		"field struct:kfx_versioned.refs.counter relocs=byte_off flavors=kfx_versioned progs=core_types at=types.bpf.c:46",
		"field struct:kfx_versioned.removed relocs=byte_off flavors=kfx_versioned___v1 alt=added progs=core_types at=types.bpf.c:44",
		"field struct:linux_binprm.buf[0] relocs=byte_off flavors=linux_binprm progs=core_types at=types.bpf.c:48",
		"type union:kfx_uver guarded relocs=type_exists,type_size flavors=kfx_uver progs=core_types at=types.bpf.c:53,types.bpf.c:54",
		"enum value enum:kfx_ver.KFX_VER_B relocs=enumval_value flavors=kfx_ver progs=core_types at=types.bpf.c:49",
		"enum value enum:kfx_ver.KFX_VER_C guarded relocs=enumval_exists flavors=kfx_ver progs=core_types at=types.bpf.c:49",
		"enum value enum:kfx_ver.KFX_VER_D relocs=enumval_value flavors=kfx_ver___v2 progs=core_types at=types.bpf.c:51",
	},
}

// wantFindings: per object, per dependency, the finding in each build of buildsOf.
var wantFindings = map[string][]struct {
	dep  string
	want []string
}{
	"probes.bpf.o": {
		{"kprobe (target set at load time)", all("unknown: target set at load time: name it (Options.Targets, kabi check -target PROG=NAME)")},
		{"kprobe cmp_flush", []string{
			"fine: present",
			"missed events: 2 functions share the name (Static-Static Collision): the program attaches to one of them (kernels that refuse ambiguous kprobe names fail the attach)",
			"missed events: 2 functions share the name (Static-Static Collision): the program attaches to one of them (kernels that refuse ambiguous kprobe names fail the attach)",
			"fine: present",
		}},
		{"kprobe cmp_req_weight", []string{
			"fine: present",
			"attach failure: only compiler-transformed symbols (cmp_req_weight.isra.0): no symbol of this name, the attach fails",
			"attach failure: only compiler-transformed symbols (cmp_req_weight.isra.0): no symbol of this name, the attach fails",
			"fine: present",
		}},
		{"kprobe.multi kfx_cmp_*", all("fine: the pattern matches 17 functions")},
		{"kretprobe kfx_cmp_get_count", []string{
			"fine: present",
			"wrong data: the return value is long int in this build, the program reads int",
			"wrong data: the return value is long int in this build, the program reads int",
			"fine: present",
		}},
		{"kprobe kfx_cmp_legacy_ioctl", []string{
			"fine: present",
			"attach failure: absent: the attach fails",
			"attach failure: absent: the attach fails",
			"fine: present",
		}},
		{"kprobe kfx_cmp_map_range", []string{
			"fine: present",
			"wrong data: argument 1 is long unsigned int end in this build, the program reads unsigned long start there (now argument 2)",
			"wrong data: argument 1 is long unsigned int end in this build, the program reads unsigned long start there (now argument 2)",
			"fine: present",
		}},
		{"kretprobe.multi kfx_nosuch_*", all("attach failure: the pattern matches no function")},
		{"kprobe vm_map_page", all("missed events: selectively inlined: calls through the inlined sites are never seen")},
		{"field struct:pt_regs.di", all("load failure: struct pt_regs absent: the CO-RE relocation fails the load")},
		{"field struct:pt_regs.si", all("load failure: struct pt_regs absent: the CO-RE relocation fails the load")},
		{"kretsyscall syscall:close", all("attach failure: __x64_sys_close: absent: the attach fails")},
		{"ksyscall syscall:openat", all("attach failure: __x64_sys_openat: absent: the attach fails")},
	},
	"tracing.bpf.o": {
		{"ksym cmp_stats", all("unknown: kernel variables are not in kabi's model of this build")},
		{"fentry (target set at load time)", all("unknown: target set at load time: name it (Options.Targets, kabi check -target PROG=NAME)")},
		{"iter bpf_iter_task", all("load failure: absent: the load fails")},
		{"fentry cmp_hash", []string{
			"fine: present",
			"load failure: fully inlined: no symbol to attach to, the load fails",
			"load failure: fully inlined: no symbol to attach to, the load fails",
			"fine: present",
		}},
		{"fexit kfx_cmp_close", []string{
			"fine: present",
			"load failure: the program reads 3 context slots, the function has 1 argument: the verifier refuses it",
			"load failure: the program reads 3 context slots, the function has 1 argument: the verifier refuses it",
			"fine: present",
		}},
		{"fmod_ret kfx_cmp_hw_probe", []string{
			"fine: present",
			"fine: present",
			"fine: present",
			"load failure: absent: the load fails",
		}},
		{"fentry kfx_cmp_inspect", all("fine: present")},
		{"fentry kfx_cmp_open", all("fine: present")},
		{"fentry kfx_cmp_reset", all("fine: present")},
		{"fentry kfx_cmp_submit", []string{
			"fine: present",
			"wrong data: argument 1 is int prio in this build, the program reads void *buf there (now argument 2)",
			"wrong data: argument 1 is int prio in this build, the program reads void *buf there (now argument 2)",
			"fine: present",
		}},
		{"field struct:vm_ops.map", all("fine: present")},
		{"type struct:vm_ops", all("fine: present")},
		{"raw_tp tracepoint:sched_process_exit", all("unknown: the build's model has no trace events")},
		{"tp_btf tracepoint:sched_switch", all("unknown: the build's model has no trace events")},
		{"tracepoint tracepoint:sched_switch (system sched)", all("unknown: the build's model has no trace events")},
		{"raw_tp tracepoint:sched_wakeup", all("unknown: the build's model has no trace events")},
		{"lsm lsm:bprm_check_security", all("load failure: bpf_lsm_bprm_check_security: absent: the load fails")},
		{"lsm lsm:file_open", all("load failure: bpf_lsm_file_open: absent: the load fails")},
		{"kfunc kfunc:kfx_cmp_reset", all("unknown: the function exists; the build's model has no kfunc sets to tell whether it is a kfunc")},
		{"kfunc kfunc:kfx_nosuch_kfunc", all("fine: no such kernel function, but the extern is __weak: the program checks bpf_ksym_exists")},
		{"tracepoint syscall:openat (system syscalls)", all("unknown: the build's model has no trace events")},
		{"kconfig config:CONFIG_HZ", all("unknown: the build's configuration is unknown")},
		{"kconfig config:CONFIG_KFX_FEATURE", all("unknown: the build's configuration is unknown (the extern is __weak: a missing value reads as 0)")},
	},
	"core.bpf.o": {
		{"kprobe kfx_cmp_entry", all("fine: present")},
		{"field struct:kfx_node.left", all("fine: present")},
		{"field struct:kfx_node.val", all("fine: present")},
		{"field struct:kfx_node.weight", all("load failure: field weight absent from struct kfx_node: the CO-RE relocation fails the load")},
		{"type struct:kfx_node", all("fine: present")},
		{"field struct:kfx_req.flags", all("fine: present")},
		{"field struct:kfx_req.id", all("fine: present")},
		{"field struct:kfx_req.name", all("fine: present")},
		{"field struct:kfx_req.prio", all("fine: field prio absent from struct kfx_req: the program checks its existence and skips it")},
		{"field struct:kfx_req.state", all("fine: present")},
		{"field struct:page.flags", all("fine: present")},
		{"type union:kfx_key", all("fine: present")},
		{"enum value enum:kfx_state.KFX_DEAD", all("fine: present")},
		{"enum value enum:kfx_state.KFX_RUNNING", all("fine: present")},
	},
	"hooks.bpf.o": {
		{"fentry bpf_lsm_file_open", both("fine: present")},
		{"field struct:pt_regs.di", both("load failure: struct pt_regs absent: the CO-RE relocation fails the load")},
		{"raw_tp tracepoint:block_rq_insert", []string{
			"fine: present",
			"attach failure: no such trace event: the attach fails",
		}},
		{"tp_btf tracepoint:block_rq_issue", []string{
			"fine: present",
			"load failure: the program reads 2 context slots, the function has 1 argument: the verifier refuses it",
		}},
		{"tracepoint tracepoint:block_rq_issue (system block)", both("fine: present")},
		{"tracepoint tracepoint:block_rq_issue (system sched)", both("attach failure: the event is in system block here, not sched: the attach fails")},
		{"tp_btf tracepoint:pelt_kfx_tp", both("fine: present")},
		{"tracepoint tracepoint:pelt_kfx_tp (system sched)", both("attach failure: a bare tracepoint (no trace event, only raw_tp/ and tp_btf/ attach): the attach fails")},
		{"tp_btf tracepoint:sched_switch", both("fine: present")},
		{"tracepoint tracepoint:sched_switch (system sched)", both("fine: present")},
		{"tp_btf tracepoint:sys_enter_openat", both("load failure: a syscall event has no btf_trace_ typedef: the load fails")},
		{"lsm lsm:bprm_check_security", both("fine: bpf_lsm_bprm_check_security: present")},
		{"lsm lsm:file_open", both("fine: bpf_lsm_file_open: present")},
		{"lsm lsm:file_truncate", []string{
			"load failure: no such LSM hook: the load fails",
			"fine: bpf_lsm_file_truncate: present",
		}},
		{"kfunc kfunc:bpf_kfx_file_acquire", both("fine: a kfunc (kfx_file_kfunc_ids)")},
		{"kfunc kfunc:bpf_kfx_file_mode", []string{
			"fine: no such kernel function, but the extern is __weak: the program checks bpf_ksym_exists",
			"fine: a kfunc (kfx_file_kfunc_ids)",
		}},
		{"kfunc kfunc:bpf_kfx_file_release", both("fine: a kfunc (kfx_file_kfunc_ids)")},
		{"kfunc kfunc:bpf_kfx_not_a_kfunc", both("load failure: no such kernel function: the load fails")},
		{"ksyscall syscall:openat", both("fine: __x64_sys_openat: present")},
		{"tracepoint syscall:openat (system syscalls)", both("fine: present")},
		{"kretsyscall syscall:openat2", []string{
			"attach failure: no such system call in the build's syscall table: the attach fails",
			"fine: __x64_sys_openat2: present",
		}},
		{"kconfig config:CONFIG_HZ", []string{
			"fine: CONFIG_HZ=250",
			"fine: CONFIG_HZ=1000",
		}},
		{"kconfig config:CONFIG_KFX_NEW", []string{
			"fine: not set, and the extern is __weak: it reads as 0",
			"fine: CONFIG_KFX_NEW=y",
		}},
		{"kconfig config:CONFIG_KFX_OLD", []string{
			"fine: CONFIG_KFX_OLD=m",
			"load failure: not in the build's configuration: libbpf fails the load (declare the extern __weak to read 0)",
		}},
	},
	"types.bpf.o": {
		{"field struct:kfx_anon.hi", both("fine: present")},
		{"type struct:kfx_gone", both("load failure: struct kfx_gone absent: the CO-RE relocation fails the load")},
		{"field struct:kfx_versioned.added", []string{
			"fine: field added absent from struct kfx_versioned: the program checks its existence and skips it",
			"fine: present",
		}},
		{"field struct:kfx_versioned.flags", []string{
			"fine: present",
			"wrong data: field is long int flags here, the program reads int",
		}},
		{"field struct:kfx_versioned.id", both("fine: present")},
		{"field struct:kfx_versioned.refs.counter", both("unknown: field refs is a kfx_atomic_t, a typedef kabi's type model does not expand")},
		{"field struct:kfx_versioned.removed", []string{
			"fine: present",
			"fine: field removed absent from struct kfx_versioned: the program reads added here instead (it checks that one's existence)",
		}},
		{"field struct:linux_binprm.buf[0]", both("fine: present")},
		{"type union:kfx_uver", both("fine: present")},
		{"enum value enum:kfx_ver.KFX_VER_B", []string{
			"fine: present",
			"fine: value 3 here (the program's header says 2; CO-RE relocates it)",
		}},
		{"enum value enum:kfx_ver.KFX_VER_C", []string{
			"fine: present",
			"fine: value KFX_VER_C absent: the program checks its existence and skips it",
		}},
		{"enum value enum:kfx_ver.KFX_VER_D", []string{
			"load failure: value KFX_VER_D absent: the CO-RE relocation fails the load",
			"fine: present",
		}},
	},
}

func TestObjectPrograms(t *testing.T) {
	for name, want := range wantPrograms {
		o := object(t, name, nil)
		var got []string
		for _, p := range o.Programs {
			got = append(got, fmt.Sprintf("%s|%s|%s|%q|%s:%d", p.Name, p.Section, p.Attach, p.Target, filepath.Base(p.Line.File), p.Line.Line))
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: programs:\n%s\nwant:\n%s", name, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if !o.DWARF {
			t.Errorf("%s: no DWARF found", name)
		}
	}
}

func TestObjectDependencies(t *testing.T) {
	for name, want := range wantDeps {
		o := object(t, name, nil)
		var got []string
		for _, d := range o.Deps {
			got = append(got, describe(d))
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: dependencies:\n%s\nwant:\n%s", name, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// TestFixtureFindings checks every fixture object against the fixture
// builds and compares every finding, consequence and reason.
func TestFixtureFindings(t *testing.T) {
	for name, want := range wantFindings {
		bs := fixtureBuilds(t, buildsOf[name])
		r := Check([]*Object{object(t, name, nil)}, bs)
		if len(r.Rows) != len(want) {
			t.Errorf("%s: %d rows, want %d", name, len(r.Rows), len(want))
		}
		for i := range min(len(r.Rows), len(want)) {
			row := r.Rows[i]
			if got := row.Dep.String(); got != want[i].dep {
				t.Errorf("%s: row %d is %s, want %s", name, i, got, want[i].dep)
				continue
			}
			for b, f := range row.Findings {
				if got := fmt.Sprintf("%s: %s", f.Consequence, f.Reason); got != want[i].want[b] {
					t.Errorf("%s: %s in %s:\n got %s\nwant %s", name, want[i].dep, buildsOf[name][b], got, want[i].want[b])
				}
			}
		}
	}
}

// TestDumpFindings prints what the fixture tables hold, for review when
// the fixtures change: KABI_CHECK_DUMP=1 go test -run TestDumpFindings.
func TestDumpFindings(t *testing.T) {
	if os.Getenv("KABI_CHECK_DUMP") == "" {
		t.Skip("KABI_CHECK_DUMP not set")
	}
	for _, name := range []string{"probes.bpf.o", "tracing.bpf.o", "core.bpf.o", "hooks.bpf.o", "types.bpf.o"} {
		o := object(t, name, nil)
		fmt.Printf("== %s\n", name)
		for _, p := range o.Programs {
			fmt.Printf("P %q,\n", fmt.Sprintf("%s|%s|%s|%q|%s:%d", p.Name, p.Section, p.Attach, p.Target, filepath.Base(p.Line.File), p.Line.Line))
		}
		for _, d := range o.Deps {
			fmt.Printf("D %q,\n", describe(d))
		}
		r := Check([]*Object{o}, fixtureBuilds(t, buildsOf[name]))
		for _, row := range r.Rows {
			var cs []string
			for _, f := range row.Findings {
				cs = append(cs, fmt.Sprintf("%s: %s", f.Consequence, f.Reason))
			}
			fmt.Printf("F %q %q\n", row.Dep.String(), cs)
		}
	}
}

// TestTargets names the target of a program whose section leaves it to
// load time.
func TestTargets(t *testing.T) {
	o := object(t, "probes.bpf.o", &Options{Targets: map[string]string{"probe_any": "kfx_cmp_legacy_ioctl"}})
	r := Check([]*Object{o}, fixtures(t))
	var row *Row
	for i := range r.Rows {
		if r.Rows[i].Dep.Ref.Name == "" {
			t.Errorf("%s: a load-time target remains", r.Rows[i].Dep)
		}
		if r.Rows[i].Dep.String() == "kprobe kfx_cmp_legacy_ioctl" {
			row = &r.Rows[i]
		}
	}
	if row == nil {
		t.Fatal("no dependency on kfx_cmp_legacy_ioctl")
	}
	if got := strings.Join(row.Dep.Programs, ","); got != "probe_any,probe_ioctl" {
		t.Errorf("programs on kfx_cmp_legacy_ioctl: %s", got)
	}
	if got := row.Findings[1].Consequence; got != AttachFailure {
		t.Errorf("in version 2: %s, want attach failure", got)
	}
}

func TestBadObjects(t *testing.T) {
	good, err := os.ReadFile("testdata/probes.bpf.o")
	if err != nil {
		t.Fatal(err)
	}
	kernel, err := os.ReadFile("../testdata/cmp-6.1.99-1-amd64.elf")
	if err != nil {
		t.Fatal(err)
	}
	nobtf, err := os.ReadFile("testdata/nobtf.bpf.o")
	if err != nil {
		t.Fatal(err)
	}
	flipped := bytes.Clone(good)
	for i := 0x40; i < len(flipped); i += 97 {
		flipped[i] ^= 0x5a
	}
	for _, c := range []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrNotBPF},
		{"text", []byte("SEC(\"kprobe/vmap\")\n"), ErrNotBPF},
		{"kernel", kernel, ErrNotBPF},
		{"nobtf", nobtf, ErrNoBTF},
		{"truncated", good[:len(good)/2], nil},
		{"flipped", flipped, nil},
	} {
		_, err := NewObject(bytes.NewReader(c.data), c.name+".o", nil)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !strings.HasPrefix(err.Error(), c.name+".o: ") {
			t.Errorf("%s: error does not name the file: %v", c.name, err)
		}
		if strings.Contains(err.Error(), "internal error") {
			t.Errorf("%s: %v", c.name, err)
		}
		if c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
		if c.want == nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrNotBPF) && !errors.Is(err, ErrNoBTF) && !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: %v wraps no sentinel", c.name, err)
		}
	}
}

func TestEssentialName(t *testing.T) {
	for in, want := range map[string]string{
		"task_struct":          "task_struct",
		"task_struct___old":    "task_struct",
		"task_struct___o___x":  "task_struct___o",
		"request___x":          "request",
		"a____b":               "a____b",
		"___x":                 "___x",
		"x___":                 "x___",
		"__u64":                "__u64",
		"trace_event_raw_sys":  "trace_event_raw_sys",
		"sched_entity___v5_15": "sched_entity",
	} {
		if got := essentialName(in); got != want {
			t.Errorf("essentialName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseSection(t *testing.T) {
	for sec, want := range map[string]string{
		"kprobe/vfs_read":                  "kprobe vfs_read",
		"kprobe/vfs_read+0x10":             "kprobe vfs_read",
		"?kretprobe/vfs_read":              "kretprobe vfs_read",
		"fentry/nf_tables:nft_do_chain":    "fentry nft_do_chain",
		"fexit.s/do_unlinkat":              "fexit do_unlinkat",
		"fmod_ret/security_file_open":      "fmod_ret security_file_open",
		"lsm_cgroup/socket_bind":           "lsm socket_bind",
		"tracepoint/sched/sched_switch":    "tracepoint sched/sched_switch",
		"raw_tracepoint.w/bpf_test_finish": "raw_tp bpf_test_finish",
		"iter.s/task_file":                 "iter task_file",
		"struct_ops/dctcp_init":            "struct_ops ",
		"kprobe.session/vfs_*":             "kprobe.multi vfs_*",
		"xdp":                              "none ",
		"socket":                           "none ",
	} {
		a, target := parseSection(sec)
		if got := a.String() + " " + target; got != want {
			t.Errorf("parseSection(%q) = %q, want %q", sec, got, want)
		}
	}
}

func TestParseConsequence(t *testing.T) {
	for in, want := range map[string]Consequence{
		"load-failure": LoadFailure, "load": LoadFailure, "attach_failure": AttachFailure,
		"wrong-data": WrongData, "missed-events": MissedEvents, "Missed Events": MissedEvents,
		"unknown": Unknown, "fine": Fine,
	} {
		if got, err := ParseConsequence(in); err != nil || got != want {
			t.Errorf("ParseConsequence(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseConsequence("bad"); err == nil {
		t.Error("ParseConsequence(bad) did not fail")
	}
}

func TestIsObject(t *testing.T) {
	for name, want := range map[string]bool{
		"testdata/probes.bpf.o": true, "testdata/nobtf.bpf.o": true,
		"../testdata/cmp-6.1.99-1-amd64.elf": false, "doc.go": false,
	} {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := IsObject(f); got != want {
			t.Errorf("IsObject(%s) = %v", name, got)
		}
		f.Close()
	}
}

// TestBTFHeaderBounds patches the .BTF and .BTF.ext headers of a real
// object so that a region or a record count reaches past its section:
// each must be refused as corrupt, naming the section, not crash the
// object reader or make it allocate by the claim.
func TestBTFHeaderBounds(t *testing.T) {
	good, ef := elfcraft.ReadFile(t, "testdata/tracing.bpf.o")
	btfSec, extSec := ef.Section(".BTF"), ef.Section(".BTF.ext")
	if btfSec == nil || extSec == nil {
		t.Fatal("tracing.bpf.o lacks .BTF or .BTF.ext")
	}
	le := binary.LittleEndian
	// The first line-info record count: after the header, at the line
	// info offset, a 4-byte record size and a 4-byte section name offset.
	ext := good[extSec.Offset:]
	lineCount := uint64(le.Uint32(ext[4:])) + uint64(le.Uint32(ext[16:])) + 8
	for _, c := range []struct {
		name string
		sec  *elf.Section
		at   uint64
		val  uint32
		want string
	}{
		{"hdr_len", btfSec, 4, 1 << 30, ".BTF: header length"},
		{"type_off", btfSec, 8, 0xffffff00, ".BTF: type section"},
		{"str_len", btfSec, 20, 0xffffff00, ".BTF: string section"},
		{"ext_hdr_len", extSec, 4, 1 << 30, ".BTF.ext: header length"},
		{"line_info_len", extSec, 20, 0xffffff00, ".BTF.ext: line info"},
		{"line_count", extSec, lineCount, 0xffffffff, ".BTF.ext: line info: 4294967295 records"},
	} {
		bad := bytes.Clone(good)
		le.PutUint32(bad[c.sec.Offset+c.at:], c.val)
		_, err := NewObject(bytes.NewReader(bad), c.name+".o", nil)
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want ErrCorrupt with %q", c.name, err, c.want)
		}
	}
	if _, err := NewObject(bytes.NewReader(good), "tracing.bpf.o", nil); err != nil {
		t.Errorf("unpatched: %v", err)
	}
}

// TestHugeBSS gives a real object's .bss (a section without contents)
// a size no kernel accepts as a map value: it must be refused as corrupt,
// naming the section, before the object reader allocates that size.
func TestHugeBSS(t *testing.T) {
	good, ef := elfcraft.ReadFile(t, "testdata/probes.bpf.o")
	for i, s := range ef.Sections {
		if s.Type != elf.SHT_NOBITS {
			continue
		}
		for _, size := range []uint64{maxNOBITS, maxNOBITS + 1, 1 << 31} {
			bad := bytes.Clone(good)
			binary.LittleEndian.PutUint64(elfcraft.SectionHeader64(bad, i)[0x20:], size) // sh_size
			_, err := NewObject(bytes.NewReader(bad), "bss.o", nil)
			refused := errors.Is(err, ErrCorrupt) && strings.Contains(err.Error(), "section "+s.Name+" claims")
			if refused != (size > maxNOBITS) {
				t.Errorf("%s of %d bytes: %v", s.Name, size, err)
			}
		}
		return
	}
	t.Fatal("probes.bpf.o has no section without contents")
}

// TestCompressedProgramSection flags a program section of a real object
// as compressed: it must be refused as corrupt, naming the section, not
// crash the object reader, which reads it raw.
func TestCompressedProgramSection(t *testing.T) {
	good, ef := elfcraft.ReadFile(t, "testdata/probes.bpf.o")
	for i, s := range ef.Sections {
		if s.Flags&elf.SHF_EXECINSTR == 0 || s.Size == 0 {
			continue
		}
		bad := bytes.Clone(good)
		binary.LittleEndian.PutUint64(elfcraft.SectionHeader64(bad, i)[0x08:], uint64(s.Flags|elf.SHF_COMPRESSED)) // sh_flags
		_, err := NewObject(bytes.NewReader(bad), "compressed.o", nil)
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "section "+s.Name+" is compressed") {
			t.Errorf("%s compressed: %v, want ErrCorrupt naming it", s.Name, err)
		}
		// Past the check, the object reader panics on it: that must be
		// an error whatever the panic firewall's setting.
		panicFirewall = false
		defer func() { panicFirewall = true }()
		if _, err := loadCollectionSpec(bad); err == nil || !strings.Contains(err.Error(), "object reader failed") {
			t.Errorf("object reader on %s compressed: %v, want its failure as an error", s.Name, err)
		}
		return
	}
	t.Fatal("probes.bpf.o has no program section")
}
