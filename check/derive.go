package check

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
	"github.com/kabi-dev/kabi"
)

// attach records the dependency a program's section names.
func (s *depSet) attach(p *Program, expect *kabi.Signature, slots int) {
	var ref kabi.Ref
	pattern := false
	switch p.Attach {
	case AttachNone, AttachStructOps:
		return
	case AttachKprobe, AttachKretprobe, AttachFentry, AttachFexit, AttachFmodRet:
		ref = kabi.Ref{Kind: kabi.KindFunction, Name: p.Target}
	case AttachKprobeMulti, AttachKretprobeMulti:
		ref = kabi.Ref{Kind: kabi.KindFunction, Name: p.Target}
		pattern = strings.ContainsAny(p.Target, "*?")
	case AttachKsyscall, AttachKretsyscall:
		ref = kabi.Ref{Kind: kabi.KindSyscall, Name: p.Target}
	case AttachLSM:
		ref = kabi.Ref{Kind: kabi.KindLSM, Name: p.Target}
	case AttachTpBTF, AttachRawTP:
		ref = kabi.Ref{Kind: kabi.KindTracepoint, Name: p.Target}
	case AttachTracepoint:
		ref = tracepointRef(p.Target)
	case AttachIter:
		// The kernel resolves iter/TASK through the BTF function bpf_iter_TASK.
		ref = kabi.Ref{Kind: kabi.KindFunction, Name: p.Target}
		if p.Target != "" {
			ref.Name = "bpf_iter_" + p.Target
		}
	}
	key := depKey{ref: ref, via: ViaAttach, attach: p.Attach}
	if p.Attach == AttachTracepoint {
		key.system, _, _ = strings.Cut(p.Target, "/")
	}
	d := s.add(key, p.Name, p.Line)
	s.use(d, false)
	d.Pattern = d.Pattern || pattern
	d.System = key.system
	if expect != nil && d.Expect == nil {
		d.Expect = expect
	}
	if p.Attach.BTF() {
		d.Slots = max(d.Slots, slots)
	}
}

// tracepointRef is the dependency of a tracepoint/CAT/EVENT section: the
// event, or the system call for syscalls/sys_enter_NAME and sys_exit_NAME.
func tracepointRef(target string) kabi.Ref {
	cat, ev, ok := strings.Cut(target, "/")
	if !ok {
		ev = target
	}
	if cat == "syscalls" {
		for _, p := range []string{"sys_enter_", "sys_exit_"} {
			if name, ok := strings.CutPrefix(ev, p); ok {
				return kabi.Ref{Kind: kabi.KindSyscall, Name: name}
			}
		}
	}
	return kabi.Ref{Kind: kabi.KindTracepoint, Name: ev}
}

// structOpsMember records the member of a struct_ops type a program
// implements (cilium/ebpf names it "TYPE:MEMBER"): the kernel requires
// the member when it loads the map.
func (s *depSet) structOpsMember(p *Program, attachTo string) {
	typ, member, ok := strings.Cut(attachTo, ":")
	if !ok || typ == "" || member == "" {
		return
	}
	d := s.add(depKey{ref: kabi.Ref{Kind: kabi.KindStruct, Name: essentialName(typ)}, via: ViaField, member: member}, p.Name, p.Line)
	d.Relocs = append(d.Relocs, "struct_ops")
	s.use(d, false)
}

// structOpsType records the type a struct_ops map implements.
func (s *depSet) structOpsType(name string) {
	d := s.add(depKey{ref: kabi.Ref{Kind: kabi.KindStruct, Name: essentialName(name)}, via: ViaType}, "", Source{})
	d.Relocs = append(d.Relocs, "struct_ops")
	s.use(d, false)
}

// ctxSlots is the number of 8-byte context slots a tracing program reads
// (the highest slot read, plus one), found by following the context
// pointer (R1 at entry) through register moves and stack spills in the
// program's own instructions, in order. A read through a copy the walk
// loses is not counted: the result is a lower bound. 0 when the program
// reads none.
func ctxSlots(insns asm.Instructions) int {
	var (
		regs  = uint16(1 << asm.R1) // registers holding ctx
		stack = map[int16]bool{}    // R10 offsets holding ctx
		slots = 0
		first = true
	)
	for i := range insns {
		ins := &insns[i]
		if !first && ins.Symbol() != "" {
			break // a subprogram appended to the program
		}
		first = false
		op := ins.OpCode
		switch cls := op.Class(); {
		case cls == asm.LdXClass && op.Mode() == asm.MemMode:
			if regs&(1<<ins.Src) != 0 && ins.Offset >= 0 {
				slots = max(slots, int(ins.Offset)/8+1)
			}
			holds := ins.Src == asm.R10 && op.Size() == asm.DWord && stack[ins.Offset]
			regs = setReg(regs, ins.Dst, holds)
		case cls == asm.StXClass && op.Mode() == asm.MemMode && ins.Dst == asm.R10:
			stack[ins.Offset] = op.Size() == asm.DWord && regs&(1<<ins.Src) != 0
		case cls == asm.StClass && ins.Dst == asm.R10:
			delete(stack, ins.Offset)
		case cls.IsALU():
			mov := op.ALUOp() == asm.Mov && op.Source() == asm.RegSource && cls == asm.ALU64Class
			regs = setReg(regs, ins.Dst, mov && regs&(1<<ins.Src) != 0)
		case cls == asm.LdClass:
			regs = setReg(regs, ins.Dst, false)
		case cls.IsJump() && op.JumpOp() == asm.Call:
			regs &^= 1<<asm.R0 | 1<<asm.R1 | 1<<asm.R2 | 1<<asm.R3 | 1<<asm.R4 | 1<<asm.R5
		}
	}
	return slots
}

func setReg(regs uint16, r asm.Register, on bool) uint16 {
	if r > 15 {
		return regs
	}
	if on {
		return regs | 1<<r
	}
	return regs &^ (1 << r)
}

// A coreReloc is one CO-RE relocation, as cilium/ebpf reports it.
type coreReloc struct {
	kind     string // libbpf's name: "byte_off", "field_exists", ...
	localID  btf.TypeID
	accessor []int
}

// parseCORE reads a relocation from its String form,
// "CORERelocation(KIND, TYPE[ACCESSOR], local_id=ID)": cilium/ebpf keeps
// the fields unexported. The test of the fixture objects checks every
// kind, so a change of the form is caught there.
func parseCORE(s string) (coreReloc, error) {
	var r coreReloc
	body, ok := strings.CutPrefix(s, "CORERelocation(")
	body, ok2 := strings.CutSuffix(body, ")")
	if !ok || !ok2 {
		return r, fmt.Errorf("unexpected CO-RE relocation %q", s)
	}
	kind, rest, ok := strings.Cut(body, ", ")
	i := strings.LastIndex(rest, ", local_id=")
	if !ok || i < 0 {
		return r, fmt.Errorf("unexpected CO-RE relocation %q", s)
	}
	id, err := strconv.ParseUint(rest[i+len(", local_id="):], 10, 32)
	if err != nil {
		return r, fmt.Errorf("CO-RE relocation %q: %v", s, err)
	}
	rest = rest[:i]
	if !strings.HasSuffix(rest, "]") {
		return r, fmt.Errorf("unexpected CO-RE relocation %q", s)
	}
	j := strings.LastIndexByte(rest, '[')
	if j < 0 {
		return r, fmt.Errorf("unexpected CO-RE relocation %q", s)
	}
	for _, part := range strings.Split(rest[j+1:len(rest)-1], ":") {
		n, err := strconv.ParseUint(part, 10, 31)
		if err != nil {
			return r, fmt.Errorf("CO-RE relocation %q: accessor: %v", s, err)
		}
		r.accessor = append(r.accessor, int(n))
	}
	r.kind, r.localID = kind, btf.TypeID(id)
	return r, nil
}

// core records the dependencies of a program's CO-RE relocations.
func (s *depSet) core(p *Program, insns asm.Instructions, spec *btf.Spec) error {
	type use struct {
		d      *Dependency
		check  bool   // an existence relocation
		flavor string // the local type's name
	}
	var uses []use
	var src Source
	for i := range insns {
		ins := &insns[i]
		if s := sourceOf(ins); s.Line > 0 {
			src = s
		}
		cr := btf.CORERelocationMetadata(ins)
		if cr == nil {
			continue
		}
		r, err := parseCORE(cr.String())
		if err != nil {
			return err
		}
		local, err := spec.TypeByID(r.localID)
		if err != nil {
			return fmt.Errorf("CO-RE relocation of type %d: %v", r.localID, err)
		}
		local = skipQualifiers(local)
		ref, via, member, mt, ok, err := relocTarget(r, local)
		if err != nil {
			return err
		}
		if !ok {
			continue // a relocation on a type no kernel object names (an int, a local type ID)
		}
		d := s.add(depKey{ref: ref, via: via, member: member}, p.Name, src)
		if mt != nil && d.MemberType == nil {
			if kt, err := kabi.TypeOfBTF(mt); err == nil {
				d.MemberType = stripFlavors(kt)
			}
		}
		if e, ok := local.(*btf.Enum); ok && via == ViaEnumValue {
			d.EnumValue = int64(e.Values[r.accessor[0]].Value)
		}
		d.Relocs = append(d.Relocs, r.kind)
		d.Flavors = append(d.Flavors, local.TypeName())
		uses = append(uses, use{d, existence(r.kind), local.TypeName()})
	}
	// An access is guarded when the same program checks the same member's
	// existence (through any flavor); a read of a member is excused where
	// another flavor's checked member exists (see Alternatives).
	checked := map[*Dependency]bool{}
	for _, u := range uses {
		if u.check {
			checked[u.d] = true
		}
	}
	for _, u := range uses {
		s.use(u.d, checked[u.d])
		if checked[u.d] || u.d.Via != ViaField {
			continue
		}
		for _, v := range uses {
			if u.flavor != essentialName(u.flavor) && v.check && v.d != u.d && v.d.Ref == u.d.Ref && v.flavor != u.flavor && v.d.Via == ViaField {
				u.d.Alternatives = append(u.d.Alternatives, v.d.Member)
			}
		}
	}
	return nil
}

// existence says a relocation kind asks whether something exists (or
// matches) rather than where it is: libbpf resolves it to 0 where the
// kernel lacks the thing, and the program branches on that.
func existence(kind string) bool {
	switch kind {
	case "field_exists", "type_exists", "enumval_exists", "type_matches":
		return true
	}
	return false
}

// relocTarget names the kernel object a relocation depends on.
func relocTarget(r coreReloc, local btf.Type) (ref kabi.Ref, via Via, member string, mt btf.Type, ok bool, err error) {
	switch r.kind {
	case "local_type_id":
		return ref, 0, "", nil, false, nil // answered by the object itself
	case "enumval_exists", "enumval_value":
		e, isEnum := local.(*btf.Enum)
		if !isEnum || len(r.accessor) != 1 || r.accessor[0] >= len(e.Values) {
			return ref, 0, "", nil, false, fmt.Errorf("enum value relocation on %s with accessor %v", local, r.accessor)
		}
		// libbpf matches enumerators by their essential names too.
		return kabi.Ref{Kind: kabi.KindEnum, Name: essentialName(e.Name)}, ViaEnumValue, essentialName(e.Values[r.accessor[0]].Name), nil, true, nil
	case "target_type_id", "type_exists", "type_size", "type_matches":
		k, name, ok := namedKind(local)
		if !ok {
			return ref, 0, "", nil, false, nil
		}
		return kabi.Ref{Kind: k, Name: name}, ViaType, "", nil, true, nil
	}
	// Field relocations.
	k, name, ok := namedKind(local)
	if !ok {
		return ref, 0, "", nil, false, fmt.Errorf("field relocation on %s, not a named struct or union", local)
	}
	path, mt, err := fieldPath(local, r.accessor)
	if err != nil {
		return ref, 0, "", nil, false, err
	}
	return kabi.Ref{Kind: k, Name: name}, ViaField, path, mt, true, nil
}

// namedKind is the dependency kind and kernel name of a named struct,
// union or enum.
func namedKind(t btf.Type) (kabi.Kind, string, bool) {
	switch t := t.(type) {
	case *btf.Struct:
		return kabi.KindStruct, essentialName(t.Name), t.Name != ""
	case *btf.Union:
		return kabi.KindUnion, essentialName(t.Name), t.Name != ""
	case *btf.Enum:
		return kabi.KindEnum, essentialName(t.Name), t.Name != ""
	case *btf.Fwd:
		if t.Kind == btf.FwdUnion {
			return kabi.KindUnion, essentialName(t.Name), t.Name != ""
		}
		return kabi.KindStruct, essentialName(t.Name), t.Name != ""
	}
	return 0, "", false
}

// fieldPath walks a field accessor (the first index steps over the base
// pointer, each later one selects a member or an array element) and
// names the members it passes, anonymous ones left out: "se.vruntime",
// "args[2]".
func fieldPath(t btf.Type, acc []int) (string, btf.Type, error) {
	if len(acc) == 0 {
		return "", nil, errors.New("empty CO-RE accessor")
	}
	var b strings.Builder
	for _, idx := range acc[1:] {
		t = skipQualifiers(t)
		switch c := t.(type) {
		case *btf.Struct:
			if idx >= len(c.Members) {
				return "", nil, fmt.Errorf("CO-RE accessor %v: member %d of struct %s with %d", acc, idx, c.Name, len(c.Members))
			}
			m := c.Members[idx]
			if m.Name != "" {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(m.Name)
			}
			t = m.Type
		case *btf.Union:
			if idx >= len(c.Members) {
				return "", nil, fmt.Errorf("CO-RE accessor %v: member %d of union %s with %d", acc, idx, c.Name, len(c.Members))
			}
			m := c.Members[idx]
			if m.Name != "" {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(m.Name)
			}
			t = m.Type
		case *btf.Array:
			fmt.Fprintf(&b, "[%d]", idx)
			t = c.Type
		default:
			return "", nil, fmt.Errorf("CO-RE accessor %v steps into %s", acc, t)
		}
	}
	return b.String(), t, nil
}

// stripFlavors returns t with libbpf flavor suffixes dropped from the
// struct, union and enum names it is made of (a copy where one changes).
func stripFlavors(t *kabi.Type) *kabi.Type {
	if t == nil {
		return nil
	}
	switch t.Kind {
	case kabi.Struct, kabi.Union, kabi.Enum:
		if n := essentialName(t.Name); n != t.Name {
			c := *t
			c.Name = n
			return &c
		}
	case kabi.Pointer, kabi.Array:
		if e := stripFlavors(t.Elem); e != t.Elem {
			c := *t
			c.Elem = e
			return &c
		}
	}
	return t
}

// skipQualifiers drops typedefs and qualifiers, as libbpf does before
// matching.
func skipQualifiers(t btf.Type) btf.Type {
	for range 64 {
		switch q := t.(type) {
		case *btf.Typedef:
			t = q.Type
		case *btf.Const:
			t = q.Type
		case *btf.Volatile:
			t = q.Type
		case *btf.Restrict:
			t = q.Type
		case *btf.TypeTag:
			t = q.Type
		default:
			return t
		}
	}
	return t
}

// essentialName strips libbpf's flavor suffix: "task_struct___old" is
// task_struct. As libbpf's bpf_core_essential_name_len, the name ends
// before the last "___" that has a non-underscore on each side.
func essentialName(name string) string {
	for i := len(name) - 4; i >= 1; i-- {
		if name[i:i+3] == "___" && name[i-1] != '_' && name[i+3] != '_' {
			return name[:i]
		}
	}
	return name
}

// calls records the kfuncs a program calls and the kernel variables it
// takes the address of.
func (s *depSet) calls(p *Program, insns asm.Instructions, weak, ksyms map[string]bool) {
	var src Source
	for i := range insns {
		ins := &insns[i]
		if s := sourceOf(ins); s.Line > 0 {
			src = s
		}
		if ins.IsKfuncCall() {
			name := ins.Reference()
			if name == "" {
				continue
			}
			d := s.add(depKey{ref: kabi.Ref{Kind: kabi.KindKfunc, Name: name}, via: ViaKfunc}, p.Name, src)
			s.use(d, weak[name])
		} else if name := ins.Reference(); name != "" && ins.OpCode.IsDWordLoad() && ksyms[name] {
			d := s.add(depKey{ref: kabi.Ref{Name: name}, via: ViaKsym}, p.Name, src)
			s.use(d, weak[name])
		}
	}
}

// ksymVars lists the object's extern kernel variables (.ksyms).
func ksymVars(spec *btf.Spec) map[string]bool {
	m := map[string]bool{}
	var ds *btf.Datasec
	if spec.TypeByName(".ksyms", &ds) != nil {
		return m
	}
	for _, v := range ds.Vars {
		if t, ok := v.Type.(*btf.Var); ok {
			m[t.Name] = true
		}
	}
	return m
}

// externs records the object's extern variables: kernel symbols (.ksyms)
// and config values (.kconfig), and the prototypes of its kfuncs.
func (s *depSet) externs(spec *btf.Spec, weak map[string]bool) error {
	for _, sec := range []string{".ksyms", ".kconfig"} {
		var ds *btf.Datasec
		if err := spec.TypeByName(sec, &ds); err != nil {
			if errors.Is(err, btf.ErrNotFound) {
				continue
			}
			return err
		}
		for _, v := range ds.Vars {
			switch t := v.Type.(type) {
			case *btf.Func:
				if d := s.m[depKey{ref: kabi.Ref{Kind: kabi.KindKfunc, Name: t.Name}, via: ViaKfunc}]; d != nil && d.Expect == nil {
					if sig, err := kabi.SignatureOfBTF(t); err == nil {
						d.Expect = sig
					}
				}
			case *btf.Var:
				if sec == ".kconfig" && strings.HasPrefix(t.Name, "LINUX_") {
					continue // answered by libbpf itself (LINUX_KERNEL_VERSION, LINUX_HAS_SYSCALL_WRAPPER, ...)
				}
				// A kernel variable has no Kind: kabi's surface has no
				// variables; it is reported as not checked.
				via, kind := ViaKsym, kabi.Kind(0)
				if sec == ".kconfig" {
					via, kind = ViaKconfig, kabi.KindConfig
				}
				d := s.add(depKey{ref: kabi.Ref{Kind: kind, Name: t.Name}, via: via}, "", Source{})
				s.use(d, weak[t.Name])
			}
		}
	}
	return nil
}
