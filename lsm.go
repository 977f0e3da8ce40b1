package kabi

import (
	"iter"
	"slices"
	"strings"
)

// An LSMHook is one Linux Security Module hook of a build: a member of
// struct security_hook_heads (one list head per hook), or, where the
// build's DWARF has no such struct (Linux 6.8 on calls the hooks through
// static calls), of struct lsm_static_calls_table, read from the build's
// DWARF. lsm/ programs attach to bpf_lsm_<name>; the kernel calls
// the hook from security_<name>.
type LSMHook struct {
	Name string // "file_open"
	// Security is the signature of security_<name>, the function the
	// kernel calls the hook from (the form DepSurf's pages show); nil
	// when the build has no such function (a few hooks are called
	// through another wrapper).
	Security *Signature
	// BPF is the signature of bpf_lsm_<name>, which an lsm/ program
	// attaches to; nil when the build has none (no CONFIG_BPF_LSM).
	BPF *Signature
}

// SecurityName is "security_<name>".
func (l *LSMHook) SecurityName() string { return "security_" + l.Name }

// BPFName is "bpf_lsm_<name>".
func (l *LSMHook) BPFName() string { return "bpf_lsm_" + l.Name }

func (l *LSMHook) link(b *Build) {
	l.Security = signatureOf(b, l.SecurityName())
	l.BPF = signatureOf(b, l.BPFName())
}

// LSMHook returns the LSM hook named name ("file_open").
func (b *Build) LSMHook(name string) (*LSMHook, bool) {
	h := b.hooks()
	l, ok := findByName(h.lsm, name, func(l *LSMHook) string { return l.Name })
	if ok {
		h.ready(l)
	}
	return l, ok
}

// LSMHooks yields the build's LSM hooks in name order.
func (b *Build) LSMHooks() iter.Seq[*LSMHook] {
	h := b.hooks()
	return linkedSeq(h, h.lsm)
}

// readLSM takes the hooks from the members of struct security_hook_heads,
// else of struct lsm_static_calls_table.
func (h *hookSet) readLSM(layouts map[string]*structLayout) {
	l := layouts["security_hook_heads"]
	if l == nil {
		l = layouts["lsm_static_calls_table"]
	}
	if l == nil {
		return // a build without LSM hooks (or whose DWARF does not define them)
	}
	seen := map[string]bool{}
	for _, m := range l.Members {
		if m.Name == "" || seen[m.Name] {
			continue
		}
		seen[m.Name] = true
		h.lsm = append(h.lsm, &LSMHook{Name: m.Name})
	}
	slices.SortFunc(h.lsm, func(a, b *LSMHook) int { return strings.Compare(a.Name, b.Name) })
}
