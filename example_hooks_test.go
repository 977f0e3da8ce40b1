package kabi_test

import (
	"fmt"
	"log"

	"github.com/kabi-dev/kabi"
)

// A trace event: its system and class, its format, the record struct and
// the prototype a tp_btf program receives.
func ExampleBuild_Tracepoint() {
	b, err := kabi.Open("testdata/hooks-6.1.99-1-amd64.elf", nil)
	if err != nil {
		log.Fatal(err)
	}
	tp, ok := b.Tracepoint("block_rq_issue")
	if !ok {
		log.Fatal("no block_rq_issue")
	}
	fmt.Println(tp.System, tp.Class, tp.EventStruct())
	fmt.Println(tp.Format)
	fmt.Println(tp.Probe)
	fmt.Println(tp.RawPrototype())
	// Output:
	// block block_rq trace_event_raw_block_rq
	// "%d %llu + %u", REC->dev, REC->sector, REC->nr_sector
	// void trace_event_raw_event_block_rq(void *__data, void *q, struct kfx_request *rq);
	// typedef void (*btf_trace_block_rq_issue)(void *__data, void *q, struct kfx_request *rq);
}

// Every trace event, in name order; syscall events and bare tracepoints
// say so.
func ExampleBuild_Tracepoints() {
	b, err := kabi.Open("testdata/hooks-6.1.99-1-amd64.elf", nil)
	if err != nil {
		log.Fatal(err)
	}
	for tp := range b.Tracepoints() {
		fmt.Println(tp.Name, tp.System, tp.Syscall, tp.Bare)
	}
	// Output:
	// block_rq_insert block false false
	// block_rq_issue block false false
	// pelt_kfx_tp  false true
	// sched_switch sched false false
	// sys_enter_openat syscalls true false
}

// An LSM hook with the function the kernel calls it from and the one an
// lsm/ program attaches to.
func ExampleBuild_LSMHook() {
	b, err := kabi.Open("testdata/hooks-6.1.99-1-amd64.elf", nil)
	if err != nil {
		log.Fatal(err)
	}
	l, _ := b.LSMHook("file_open")
	fmt.Println(l.Security)
	fmt.Println(l.BPF)
	// Output:
	// int security_file_open(struct kfx_file *file);
	// int bpf_lsm_file_open(struct kfx_file *file);
}

// The kfuncs of a build, with their ID sets and signatures.
func ExampleBuild_Kfuncs() {
	b, err := kabi.Open("testdata/hooks-6.1.99-1-amd64.elf", nil)
	if err != nil {
		log.Fatal(err)
	}
	for k := range b.Kfuncs() {
		fmt.Println(k.Sets, k.Signature)
	}
	// Output:
	// [kfx_file_kfunc_ids] struct kfx_file *bpf_kfx_file_acquire(struct kfx_file *f);
	// [kfx_file_kfunc_ids] void bpf_kfx_file_release(struct kfx_file *f);
}

// A system call's entries in the syscall tables, and the wrapper a
// ksyscall/ program attaches to.
func ExampleBuild_Syscall() {
	b, err := kabi.Open("testdata/hooks-6.1.99-1-s390x.elf", nil)
	if err != nil {
		log.Fatal(err)
	}
	s, _ := b.Syscall("openat")
	for _, e := range s.Entries {
		fmt.Println(e.Table, e.Number, e.Wrapper)
	}
	// Output:
	// sys_call_table 3 __s390x_sys_openat
}

// The configuration, here embedded in the build (CONFIG_IKCONFIG).
func ExampleBuild_ConfigOption() {
	b, err := kabi.Open("testdata/hooks-6.1.99-1-amd64.elf", nil)
	if err != nil {
		log.Fatal(err)
	}
	o, _ := b.ConfigOption("CONFIG_HZ")
	fmt.Println(b.ConfigSource(), o.Name, o.Value)
	// Output:
	// embedded CONFIG_HZ 250
}

// Any hook by reference, as the commands name them.
func ExampleBuild_Hook() {
	b, err := kabi.Open("testdata/hooks-6.1.99-1-amd64.elf", nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range []string{"tracepoint:sched_switch", "lsm:file_open", "syscall:openat", "config:CONFIG_BPF", "kfunc:nope"} {
		r, err := kabi.ParseRef(s)
		if err != nil {
			log.Fatal(err)
		}
		_, err = b.LookupHook(r)
		fmt.Println(r, err == nil)
	}
	// Output:
	// tracepoint:sched_switch true
	// lsm:file_open true
	// syscall:openat true
	// config:CONFIG_BPF true
	// kfunc:nope false
}
