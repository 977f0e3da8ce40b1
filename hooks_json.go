package kabi

import "strconv"

// The JSON forms of the hooks, one object per hook as kabi dump writes
// them (docs/json.md), each with its "kind" first. Signatures are
// written as for functions; null where the build has none. A fact the
// build's source cannot know (a running kernel's trace event, kfunc ID
// sets, syscall tables) is null too.

// AppendJSON appends the trace event as a JSON object; where
// EventUnknown, class, system, bare, syscall, flags and format are null.
func (t *Tracepoint) AppendJSON(b []byte) []byte {
	b = append(b, `{"kind":"tracepoint","name":`...)
	b = appendJSONString(b, t.Name)
	if t.EventUnknown {
		b = append(b, `,"class":null,"system":null,"bare":null,"syscall":null,"flags":null,"format":null`...)
	} else {
		b = append(b, `,"class":`...)
		b = appendJSONString(b, t.Class)
		b = append(b, `,"system":`...)
		b = appendJSONString(b, t.System)
		b = append(b, `,"bare":`...)
		b = strconv.AppendBool(b, t.Bare)
		b = append(b, `,"syscall":`...)
		b = strconv.AppendBool(b, t.Syscall)
		b = append(b, `,"flags":`...)
		b = strconv.AppendUint(b, t.Flags, 10)
		b = append(b, `,"format":`...)
		b = appendJSONString(b, t.Format)
	}
	b = append(b, `,"event_struct":`...)
	b = appendJSONString(b, t.EventStruct())
	b = append(b, `,"probe":`...)
	b = appendJSONString(b, t.ProbeName())
	b = append(b, `,"probe_signature":`...)
	b = appendJSONSignature(b, t.Probe)
	b = append(b, `,"raw_prototype":`...)
	b = appendJSONString(b, t.RawPrototype())
	b = append(b, `,"raw_signature":`...)
	b = appendJSONSignature(b, t.RawSignature)
	if t.Module != "" {
		b = append(b, `,"module":`...)
		b = appendJSONString(b, t.Module)
	}
	return append(b, '}')
}

// AppendJSON appends the LSM hook as a JSON object.
func (l *LSMHook) AppendJSON(b []byte) []byte {
	b = append(b, `{"kind":"lsm","name":`...)
	b = appendJSONString(b, l.Name)
	b = append(b, `,"security":`...)
	b = appendJSONSignature(b, l.Security)
	b = append(b, `,"bpf":`...)
	b = appendJSONSignature(b, l.BPF)
	return append(b, '}')
}

// AppendJSON appends the kfunc as a JSON object; sets is null where
// SetsUnknown.
func (k *Kfunc) AppendJSON(b []byte) []byte {
	b = append(b, `{"kind":"kfunc","name":`...)
	b = appendJSONString(b, k.Name)
	if k.SetsUnknown {
		b = append(b, `,"sets":null`...)
	} else {
		b = append(b, `,"sets":`...)
		b = appendJSONStrings(b, k.Sets)
	}
	b = append(b, `,"signature":`...)
	b = appendJSONSignature(b, k.Signature)
	return append(b, '}')
}

// AppendJSON appends the system call as a JSON object; an entry's
// unknown table and number are null.
func (s *Syscall) AppendJSON(b []byte) []byte {
	b = append(b, `{"kind":"syscall","name":`...)
	b = appendJSONString(b, s.Name)
	b = append(b, `,"entries":[`...)
	for i, e := range s.Entries {
		if i > 0 {
			b = append(b, ',')
		}
		if e.Number < 0 {
			b = append(b, `{"table":null,"number":null`...)
		} else {
			b = append(b, `{"table":`...)
			b = appendJSONString(b, e.Table)
			b = append(b, `,"number":`...)
			b = strconv.AppendInt(b, int64(e.Number), 10)
		}
		b = append(b, `,"wrapper":`...)
		b = appendJSONString(b, e.Wrapper)
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

// AppendJSON appends the configuration option as a JSON object.
func (o ConfigOption) AppendJSON(b []byte) []byte {
	b = append(b, `{"kind":"config","name":`...)
	b = appendJSONString(b, o.Name)
	b = append(b, `,"value":`...)
	b = appendJSONString(b, o.Value)
	return append(b, '}')
}

// AppendHooksJSON appends every hook of the build as JSON Lines, kind by
// kind in [Kinds] order (tracepoint, lsm, kfunc, syscall, config), each
// in name order: the hook part of kabi dump.
func (b *Build) AppendHooksJSON(buf []byte) []byte {
	line := func(p []byte) []byte { return append(p, '\n') }
	for t := range b.Tracepoints() {
		buf = line(t.AppendJSON(buf))
	}
	for l := range b.LSMHooks() {
		buf = line(l.AppendJSON(buf))
	}
	for k := range b.Kfuncs() {
		buf = line(k.AppendJSON(buf))
	}
	for s := range b.Syscalls() {
		buf = line(s.AppendJSON(buf))
	}
	for o := range b.Config() {
		buf = line(o.AppendJSON(buf))
	}
	return buf
}
