package kabi

import "testing"

func TestParseRef(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Ref
	}{
		{"vmap", Ref{KindFunction, "vmap"}},
		{"function:vmap", Ref{KindFunction, "vmap"}},
		{"finish_task_switch.isra.0", Ref{KindFunction, "finish_task_switch.isra.0"}},
		{"kfx_rust::helper::mix", Ref{KindFunction, "kfx_rust::helper::mix"}},
		{"struct:task_struct", Ref{KindStruct, "task_struct"}},
		{"struct task_struct", Ref{KindStruct, "task_struct"}},
		{"union bpf_attr", Ref{KindUnion, "bpf_attr"}},
		{"enum:bpf_cmd", Ref{KindEnum, "bpf_cmd"}},
		{"tracepoint:block_rq_issue", Ref{KindTracepoint, "block_rq_issue"}},
		{"lsm:file_open", Ref{KindLSM, "file_open"}},
		{"kfunc:bpf_task_acquire", Ref{KindKfunc, "bpf_task_acquire"}},
		{"syscall:openat", Ref{KindSyscall, "openat"}},
		{"config:CONFIG_BPF", Ref{KindConfig, "CONFIG_BPF"}},
		{"nosuchkind:x", Ref{KindFunction, "nosuchkind:x"}},
	} {
		got, err := ParseRef(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseRef(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			continue
		}
		back, err := ParseRef(got.String())
		if err != nil || back != got {
			t.Errorf("ParseRef(%q.String() = %q) = %v, %v", tc.in, got.String(), back, err)
		}
	}
	for _, bad := range []string{"", "struct:", "tracepoint:"} {
		if r, err := ParseRef(bad); err == nil {
			t.Errorf("ParseRef(%q) = %v, want an error", bad, r)
		}
	}
	for _, k := range Kinds() {
		var back Kind
		if text, err := k.MarshalText(); err != nil || back.UnmarshalText(text) != nil || back != k {
			t.Errorf("kind %v does not survive MarshalText/UnmarshalText", k)
		}
	}
}
