package dataset

import (
	"github.com/kabi-dev/kabi"
)

// Tracepoint is a row of the tracepoints table: one per trace event.
type Tracepoint struct {
	Name         string  `parquet:"name"`
	Class        *string `parquet:"class,optional,dict"`
	System       *string `parquet:"system,optional,dict"`
	Bare         *bool   `parquet:"bare,optional"`    // NULL when the event is unknown (a running kernel)
	Syscall      *bool   `parquet:"syscall,optional"` // NULL as Bare
	Format       *string `parquet:"format,optional"`
	Flags        *int64  `parquet:"flags,optional"` // NULL as Bare
	EventStruct  *string `parquet:"event_struct,optional,dict"`
	Probe        *string `parquet:"probe,optional,dict"`
	ProbeSig     *string `parquet:"probe_signature,optional,dict"`
	RawSignature *string `parquet:"raw_signature,optional,dict"`
	RawPrototype *string `parquet:"raw_prototype,optional"`
	Module       *string `parquet:"module,optional,dict"` // NULL for vmlinux's
}

// LSMHook is a row of the lsm_hooks table: one per LSM hook.
type LSMHook struct {
	Name              string  `parquet:"name"`
	SecurityFunction  string  `parquet:"security_function"`
	SecuritySignature *string `parquet:"security_signature,optional"`
	BPFFunction       string  `parquet:"bpf_function"`
	BPFSignature      *string `parquet:"bpf_signature,optional"`
}

// Kfunc is a row of the kfuncs table: one per kfunc.
type Kfunc struct {
	Name string   `parquet:"name"`
	Sets []string `parquet:"sets,list"`
	// SetsUnknown says Sets is empty because the source cannot see the
	// ID sets (a running kernel).
	SetsUnknown bool    `parquet:"sets_unknown"`
	Signature   *string `parquet:"signature,optional"`
}

// Syscall is a row of the syscalls table: one per entry of a syscall
// table.
type Syscall struct {
	Name    string  `parquet:"name,dict"`
	Table   *string `parquet:"table,optional,dict"` // NULL when unknown (a running kernel)
	Number  *int32  `parquet:"number,optional"`     // NULL as Table
	Wrapper string  `parquet:"wrapper,dict"`
}

// ConfigOption is a row of the config table: one per option.
type ConfigOption struct {
	Name  string `parquet:"name"`
	Value string `parquet:"value,dict"`
}

func signature(s *kabi.Signature) *string {
	if s == nil {
		return nil
	}
	return optString(s.String())
}

func tracepointRows(b *kabi.Build, add func(Tracepoint)) {
	for t := range b.Tracepoints() {
		r := Tracepoint{
			Name: t.Name, Class: optString(t.Class), System: optString(t.System),
			Format: optString(t.Format), EventStruct: optString(t.EventStruct()),
			Probe: optString(t.ProbeName()), ProbeSig: signature(t.Probe), RawSignature: signature(t.RawSignature),
			RawPrototype: optString(t.RawPrototype()), Module: optString(t.Module),
		}
		if !t.EventUnknown {
			bare, sys, flags := t.Bare, t.Syscall, int64(t.Flags)
			r.Bare, r.Syscall, r.Flags = &bare, &sys, &flags
		}
		add(r)
	}
}

func lsmRows(b *kabi.Build, add func(LSMHook)) {
	for l := range b.LSMHooks() {
		add(LSMHook{
			Name: l.Name, SecurityFunction: l.SecurityName(), SecuritySignature: signature(l.Security),
			BPFFunction: l.BPFName(), BPFSignature: signature(l.BPF),
		})
	}
}

func kfuncRows(b *kabi.Build, add func(Kfunc)) {
	for k := range b.Kfuncs() {
		add(Kfunc{Name: k.Name, Sets: k.Sets, SetsUnknown: k.SetsUnknown, Signature: signature(k.Signature)})
	}
}

func syscallRows(b *kabi.Build, add func(Syscall)) {
	for s := range b.Syscalls() {
		for _, e := range s.Entries {
			r := Syscall{Name: s.Name, Wrapper: e.Wrapper}
			if e.Number >= 0 {
				n := int32(e.Number)
				r.Table, r.Number = &e.Table, &n
			}
			add(r)
		}
	}
}

func configRows(b *kabi.Build, add func(ConfigOption)) {
	for o := range b.Config() {
		add(ConfigOption{Name: o.Name, Value: o.Value})
	}
}
