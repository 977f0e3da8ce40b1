package kabi

import (
	"fmt"
	"strings"
)

// A Kind is a kind of dependency an eBPF program can have on a kernel
// build: a function it probes, a type it reads, a hook it attaches to, a
// config option it tests. Every kind follows the same path: a model in
// this package, status and changes in package diff, pages in package
// render, records in index files and in kabi dump.
type Kind uint8

// The kinds of dependency, in the order listings show them.
const (
	KindFunction   Kind = iota + 1 // a kernel function (kprobe, fentry, ...)
	KindStruct                     // a struct type (CO-RE field reads)
	KindUnion                      // a union type
	KindEnum                       // an enum type (CO-RE enum values)
	KindTracepoint                 // a trace event (tracepoint/, tp_btf/, raw_tp/)
	KindLSM                        // an LSM hook (lsm/)
	KindKfunc                      // a kfunc a program may call
	KindSyscall                    // a system call (ksyscall/, sys_enter_*)
	KindConfig                     // a kernel configuration option (__kconfig)
)

var kindNames = [...]string{"", "function", "struct", "union", "enum", "tracepoint", "lsm", "kfunc", "syscall", "config"}

// kindNouns name the kinds in messages.
var kindNouns = [...]string{"", "function", "struct", "union", "enum", "tracepoint", "LSM hook", "kfunc", "syscall", "config option"}

// noun names the kind in a message: "LSM hook" where String is "lsm".
func (k Kind) noun() string {
	if int(k) < len(kindNouns) && k != 0 {
		return kindNouns[k]
	}
	return k.String()
}

// Kinds lists every kind in order.
func Kinds() []Kind {
	return []Kind{KindFunction, KindStruct, KindUnion, KindEnum, KindTracepoint, KindLSM, KindKfunc, KindSyscall, KindConfig}
}

// String is the kind's name as it appears in references, JSON ("kind")
// and index files: "function", "struct", "tracepoint", ...
func (k Kind) String() string {
	if int(k) < len(kindNames) && k != 0 {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// MarshalText writes the kind's name.
func (k Kind) MarshalText() ([]byte, error) {
	if k == 0 || int(k) >= len(kindNames) {
		return nil, fmt.Errorf("kabi: invalid kind %d", uint8(k))
	}
	return []byte(k.String()), nil
}

// UnmarshalText reads a kind's name, as MarshalText writes it.
func (k *Kind) UnmarshalText(b []byte) error { return unmarshalEnum("kind", b, k) }

// A Ref names one dependency of a build: its kind and its name. The name
// is the kernel's: a function's or a type's name without "struct", a
// trace event's name ("block_rq_issue"), an LSM hook's ("file_open"), a
// syscall's without prefix ("openat"), a config option's with its
// CONFIG_ prefix ("CONFIG_BPF").
type Ref struct {
	Kind Kind
	Name string
}

// String writes the reference as [ParseRef] reads it: the name alone for a
// function, else "kind:name" ("struct:task_struct").
func (r Ref) String() string {
	if r.Kind == KindFunction {
		return r.Name
	}
	return r.Kind.String() + ":" + r.Name
}

// ParseRef reads a reference to a dependency, the one syntax every command
// takes: "KIND:NAME" names a dependency of that kind
// ("struct:task_struct", "tracepoint:block_rq_issue", "lsm:file_open",
// "kfunc:bpf_task_acquire", "syscall:openat", "config:CONFIG_BPF",
// "function:vmap"); a C type may also be written as C writes it ("struct
// task_struct", "union bpf_attr", "enum bpf_cmd"); anything else is a
// function's name ("vmap", "kfx_rust::helper::mix"). It fails on an empty
// name.
func ParseRef(s string) (Ref, error) {
	r := Ref{Kind: KindFunction, Name: s}
	if i := strings.IndexByte(s, ':'); i > 0 && (i+1 >= len(s) || s[i+1] != ':') {
		var k Kind
		if k.UnmarshalText([]byte(s[:i])) == nil {
			r = Ref{Kind: k, Name: s[i+1:]}
		}
	} else if kw, name, ok := strings.Cut(s, " "); ok {
		switch kw {
		case "struct", "union", "enum":
			var k Kind
			_ = k.UnmarshalText([]byte(kw))
			r = Ref{Kind: k, Name: strings.TrimSpace(name)}
		}
	}
	if r.Name == "" {
		return Ref{}, fmt.Errorf("kabi: %q names no %s", s, r.Kind)
	}
	return r, nil
}
