package kabi

import (
	"maps"
	"slices"

	"github.com/kabi-dev/kabi/internal/index"
)

// The hooks section of an index file (see index.go): a run of varints and
// strings, kind by kind, each list in name order:
//
//	present (1; 2 for a running kernel's hooks, then: count; kind, why
//	  the kind is unknown), configuration source
//	tracepoints: count; name, class, system, format, syscall|bare<<1, flags, module
//	LSM hooks:   count; name
//	kfuncs:      count; name, set count, sets
//	syscalls:    count; name, entry count, entries (table, number, wrapper);
//	             a running kernel's unknown table is "" and number 0
//	config:      count; name, value
//	skips:       count; kind, where, reason
//
// Signatures are not stored: they are those of the functions the hooks
// name, linked when the section is first decoded.

func (h *hookSet) encode() []byte {
	var e index.Enc
	if h.fromBTF {
		// A running kernel's: its tracepoints' events, kfuncs' sets and
		// syscalls' numbers are unknown, and some kinds may be.
		e.Uvarint(2)
		kinds := slices.Sorted(maps.Keys(h.unknown))
		e.Uvarint(uint64(len(kinds)))
		for _, k := range kinds {
			e.Byte(byte(k))
			e.String(h.unknown[k])
		}
	} else {
		e.Uvarint(1)
	}
	e.String(h.configFrom)
	e.Uvarint(uint64(len(h.tracepoints)))
	for _, t := range h.tracepoints {
		e.String(t.Name)
		e.String(t.Class)
		e.String(t.System)
		e.String(t.Format)
		var fl byte
		if t.Syscall {
			fl |= 1
		}
		if t.Bare {
			fl |= 2
		}
		e.Byte(fl)
		e.Uvarint(t.Flags)
		e.String(t.Module)
	}
	e.Uvarint(uint64(len(h.lsm)))
	for _, l := range h.lsm {
		e.String(l.Name)
	}
	e.Uvarint(uint64(len(h.kfuncs)))
	for _, k := range h.kfuncs {
		e.String(k.Name)
		e.Uvarint(uint64(len(k.Sets)))
		for _, s := range k.Sets {
			e.String(s)
		}
	}
	e.Uvarint(uint64(len(h.syscalls)))
	for _, s := range h.syscalls {
		e.String(s.Name)
		e.Uvarint(uint64(len(s.Entries)))
		for _, en := range s.Entries {
			e.String(en.Table)
			e.Uvarint(uint64(max(en.Number, 0)))
			e.String(en.Wrapper)
		}
	}
	e.Uvarint(uint64(len(h.config)))
	for _, o := range h.config {
		e.String(o.Name)
		e.String(o.Value)
	}
	e.Uvarint(uint64(len(h.skips)))
	for _, s := range h.skips {
		e.Byte(byte(s.Kind))
		e.String(s.Where)
		e.String(s.Reason)
	}
	return e.B
}

// loadHooks decodes the hooks section once; a build indexed without
// hooks has none. An error is recorded (Build.Err) and leaves the hooks
// empty.
func (x *indexed) loadHooks(b *Build) *hookSet {
	x.hookOnce.Do(func() {
		x.hooks = &hookSet{}
		has := false
		for _, s := range x.file.Sections {
			has = has || s.Kind == index.KindHooks
		}
		if !has {
			return
		}
		h, err := x.decodeHooks()
		if err != nil {
			x.fail(err)
			return
		}
		h.lazy, h.linked = b, map[linker]bool{}
		x.hooks = h
	})
	return x.hooks
}

func (x *indexed) decodeHooks() (h *hookSet, err error) {
	defer recoverBug(x.name, &err)
	d, err := x.section(index.KindHooks)
	if err != nil {
		return nil, err
	}
	h = &hookSet{}
	switch v := d.Uvarint(); {
	case v == 2:
		h.fromBTF, h.unknown = true, map[Kind]string{}
		prev := -1 // the kinds are written in order, once each
		for range d.Count(2) {
			k := Kind(d.Byte())
			why := d.String()
			if !slices.Contains(HookKinds(), k) || int(k) <= prev || why == "" {
				d.Fail("unknown hook kind %d out of order, not a hook kind, or without a reason", k)
				break
			}
			prev = int(k)
			h.unknown[k] = why
		}
	case v != 1 && d.Err() == nil:
		d.Fail("hooks marker %d", v)
	}
	h.configFrom = d.String()
	sorted := func(what string, prev *string, name string) {
		if *prev != "" && name <= *prev {
			d.Fail("%s out of order: %q after %q", what, name, *prev)
		}
		*prev = name
	}
	var prev string
	for range d.Count(7) {
		t := &Tracepoint{Name: d.String(), Class: d.String(), System: d.String(), Format: d.String()}
		fl := d.Byte()
		if fl&^3 != 0 {
			d.Fail("tracepoint %q: bad flags %#x", t.Name, fl)
		}
		t.Syscall, t.Bare = fl&1 != 0, fl&2 != 0
		t.Flags = d.Uvarint()
		t.EventUnknown = h.fromBTF
		t.Module = d.String()
		sorted("tracepoints", &prev, t.Name)
		h.tracepoints = append(h.tracepoints, t)
	}
	prev = ""
	for range d.Count(1) {
		l := &LSMHook{Name: d.String()}
		sorted("LSM hooks", &prev, l.Name)
		h.lsm = append(h.lsm, l)
	}
	prev = ""
	for range d.Count(2) {
		k := &Kfunc{Name: d.String(), SetsUnknown: h.fromBTF}
		for range d.Count(1) {
			k.Sets = append(k.Sets, d.String())
		}
		sorted("kfuncs", &prev, k.Name)
		h.kfuncs = append(h.kfuncs, k)
	}
	prev = ""
	for range d.Count(2) {
		s := &Syscall{Name: d.String()}
		for range d.Count(3) {
			e := SyscallEntry{Table: d.String(), Number: d.Int(maxSyscalls), Wrapper: d.String()}
			if h.fromBTF && e.Table == "" {
				e.Number = -1
			}
			s.Entries = append(s.Entries, e)
		}
		sorted("syscalls", &prev, s.Name)
		h.syscalls = append(h.syscalls, s)
	}
	prev = ""
	for range d.Count(2) {
		o := ConfigOption{Name: d.String(), Value: d.String()}
		sorted("config options", &prev, o.Name)
		h.config = append(h.config, o)
	}
	for range d.Count(3) {
		h.skips = append(h.skips, HookSkip{Kind: Kind(d.Byte()), Where: d.String(), Reason: d.String()})
	}
	if err := d.Done(); err != nil {
		return nil, err
	}
	return h, nil
}
