package check

import (
	"fmt"
	"strings"
)

// Attach is how a program attaches to the kernel, as its ELF section
// name says (libbpf's conventions).
type Attach uint8

// The attach kinds. AttachNone is a program whose section names no kernel
// object (xdp, tc, socket filters, ...): it has no attach dependency.
const (
	AttachNone           Attach = iota
	AttachKprobe                // kprobe/FUNC
	AttachKretprobe             // kretprobe/FUNC
	AttachKprobeMulti           // kprobe.multi/PATTERN
	AttachKretprobeMulti        // kretprobe.multi/PATTERN
	AttachKsyscall              // ksyscall/NAME
	AttachKretsyscall           // kretsyscall/NAME
	AttachFentry                // fentry/FUNC, fentry.s/FUNC
	AttachFexit                 // fexit/FUNC, fexit.s/FUNC
	AttachFmodRet               // fmod_ret/FUNC, fmod_ret.s/FUNC
	AttachLSM                   // lsm/HOOK, lsm.s/HOOK, lsm_cgroup/HOOK
	AttachTpBTF                 // tp_btf/EVENT
	AttachRawTP                 // raw_tp/EVENT, raw_tracepoint/EVENT (and .w)
	AttachTracepoint            // tracepoint/CAT/EVENT, tp/CAT/EVENT
	AttachIter                  // iter/TARGET, iter.s/TARGET
	AttachStructOps             // struct_ops/NAME
)

var attachNames = [...]string{"none", "kprobe", "kretprobe", "kprobe.multi", "kretprobe.multi", "ksyscall", "kretsyscall",
	"fentry", "fexit", "fmod_ret", "lsm", "tp_btf", "raw_tp", "tracepoint", "iter", "struct_ops"}

// String is the section prefix that names the kind: "kprobe", "fentry", ...
func (a Attach) String() string {
	if int(a) < len(attachNames) {
		return attachNames[a]
	}
	return fmt.Sprintf("Attach(%d)", uint8(a))
}

// MarshalText writes the kind's name.
func (a Attach) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// BTF says the kernel resolves the target through its BTF when the
// program is loaded (fentry, fexit, fmod_ret, lsm, tp_btf, iter): a
// missing target fails the load, not the attach.
func (a Attach) BTF() bool {
	switch a {
	case AttachFentry, AttachFexit, AttachFmodRet, AttachLSM, AttachTpBTF, AttachIter:
		return true
	}
	return false
}

// sectionPrefixes maps section prefixes (the part before the first '/')
// to attach kinds. A leading '?' (libbpf's "do not auto-load") is
// dropped before matching.
var sectionPrefixes = map[string]Attach{
	"kprobe": AttachKprobe, "kretprobe": AttachKretprobe,
	"kprobe.multi": AttachKprobeMulti, "kretprobe.multi": AttachKretprobeMulti,
	"kprobe.session": AttachKprobeMulti,
	"ksyscall":       AttachKsyscall, "kretsyscall": AttachKretsyscall,
	"fentry": AttachFentry, "fentry.s": AttachFentry,
	"fexit": AttachFexit, "fexit.s": AttachFexit,
	"fmod_ret": AttachFmodRet, "fmod_ret.s": AttachFmodRet,
	"lsm": AttachLSM, "lsm.s": AttachLSM, "lsm_cgroup": AttachLSM,
	"tp_btf": AttachTpBTF,
	"raw_tp": AttachRawTP, "raw_tracepoint": AttachRawTP, "raw_tp.w": AttachRawTP, "raw_tracepoint.w": AttachRawTP,
	"tracepoint": AttachTracepoint, "tp": AttachTracepoint,
	"iter": AttachIter, "iter.s": AttachIter,
	"struct_ops": AttachStructOps, "struct_ops.s": AttachStructOps,
}

// parseSection reads a program's section name: the attach kind and the
// target it names ("" when the section leaves it to load time). A kprobe
// target's offset ("vfs_read+0x10") and a BTF target's module
// ("fentry/nf_tables:nft_do_chain" names nft_do_chain) are dropped; a
// tracepoint keeps its category ("sched/sched_switch").
func parseSection(sec string) (Attach, string) {
	sec = strings.TrimPrefix(sec, "?")
	prefix, target, _ := strings.Cut(sec, "/")
	a, ok := sectionPrefixes[prefix]
	if !ok {
		return AttachNone, ""
	}
	switch a {
	case AttachKprobe, AttachKretprobe:
		if i := strings.IndexByte(target, '+'); i >= 0 {
			target = target[:i]
		}
	case AttachFentry, AttachFexit, AttachFmodRet:
		if _, fn, ok := strings.Cut(target, ":"); ok {
			target = fn
		}
	case AttachStructOps:
		target = "" // libbpf ignores the name: the struct_ops map says what is implemented
	}
	return a, target
}
