package check

import (
	"fmt"
	"path"
	"runtime"
	"strings"
	"sync"

	"github.com/kabi-dev/kabi"
)

// Options configures reading objects and checking them. A nil *Options,
// and the zero value, give the defaults.
type Options struct {
	// Targets names the attach target of programs whose section leaves
	// it to load time (SEC("fentry"), SEC("kprobe")): program name →
	// target ("vfs_read"; "sched/sched_switch" for a tracepoint). A
	// program the map does not name is reported with an unknown target.
	Targets map[string]string
}

// A Consequence is what a dependency's state in a build means for the
// program, from harmless to fatal.
type Consequence uint8

// The consequences, in increasing severity.
const (
	Fine          Consequence = iota + 1 // the program works as written
	Unknown                              // kabi cannot tell: the build or the object lacks the facts (the reason says which)
	MissedEvents                         // the program loads and attaches but does not see every event
	WrongData                            // the program runs but reads other data than it means to
	AttachFailure                        // the program loads but attaching it fails
	LoadFailure                          // the object fails to load (libbpf or the verifier refuses it)
)

var consequenceNames = [...]string{"", "fine", "unknown", "missed events", "wrong data", "attach failure", "load failure"}

// String is the consequence's name: "fine", "unknown", "missed events",
// "wrong data", "attach failure", "load failure".
func (c Consequence) String() string {
	if int(c) < len(consequenceNames) && c != 0 {
		return consequenceNames[c]
	}
	return fmt.Sprintf("Consequence(%d)", uint8(c))
}

// MarshalText writes the name.
func (c Consequence) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// Consequences lists the consequences in increasing severity.
func Consequences() []Consequence {
	return []Consequence{Fine, Unknown, MissedEvents, WrongData, AttachFailure, LoadFailure}
}

// ParseConsequence reads a consequence's name, with '-' or '_' for the
// space ("load-failure"), or its first word ("load", "attach", "wrong",
// "missed").
func ParseConsequence(s string) (Consequence, error) {
	n := strings.NewReplacer("-", " ", "_", " ").Replace(strings.ToLower(s))
	for _, c := range Consequences() {
		if name := c.String(); n == name || n == strings.Fields(name)[0] {
			return c, nil
		}
	}
	return 0, fmt.Errorf("unknown consequence %q (want one of fine, unknown, missed-events, wrong-data, attach-failure, load-failure)", s)
}

// A Finding is one dependency in one build.
type Finding struct {
	Consequence Consequence
	// Reason says why, on one line: "fully inlined: no symbol to attach to".
	Reason string
	// Status is the dependency's state in the build, in the words of the
	// surface: "absent", "Selective Inline", "Param reordered", ...; one
	// entry per fact, empty when all is well.
	Status []string
}

// A Row is one dependency of one object across the builds.
type Row struct {
	Object int // index in Report.Objects
	Dep    *Dependency
	// Findings has one entry per build, in Report.Builds order.
	Findings []Finding
}

// Worst is the most severe consequence of the row.
func (r *Row) Worst() Consequence {
	w := Fine
	for _, f := range r.Findings {
		w = max(w, f.Consequence)
	}
	return w
}

// A BuildInfo names one build of a report.
type BuildInfo struct {
	Label string // the release ("6.1.0-47-amd64"), or the file when releases repeat
	Meta  kabi.Metadata
}

// A Report is the check of objects against builds: every dependency of
// every object, with a finding per build.
type Report struct {
	Objects []*Object
	Builds  []BuildInfo
	Rows    []Row // objects in order, each object's dependencies in order
}

// Worst is the most severe consequence of the report (Fine when there
// are no dependencies).
func (r *Report) Worst() Consequence {
	w := Fine
	for i := range r.Rows {
		w = max(w, r.Rows[i].Worst())
	}
	return w
}

// Count is the number of findings with consequence c.
func (r *Report) Count(c Consequence) int {
	n := 0
	for i := range r.Rows {
		for _, f := range r.Rows[i].Findings {
			if f.Consequence == c {
				n++
			}
		}
	}
	return n
}

// Check checks the objects' dependencies against the builds, each
// against each (see the package documentation for the rules).
func Check(objs []*Object, builds []*kabi.Build) *Report {
	r := &Report{Objects: objs}
	seen := map[string]int{}
	for _, b := range builds {
		seen[b.Meta.Release]++
	}
	for _, b := range builds {
		l := b.Meta.Release
		if l == "" || seen[l] > 1 {
			l = b.Meta.File
		}
		r.Builds = append(r.Builds, BuildInfo{Label: l, Meta: b.Meta})
	}
	for oi, o := range objs {
		for _, d := range o.Deps {
			r.Rows = append(r.Rows, Row{Object: oi, Dep: d, Findings: make([]Finding, len(builds))})
		}
	}
	// One build per goroutine, GOMAXPROCS at a time: a build loaded from
	// an index decodes what a lookup needs on first use, and builds are
	// safe for concurrent use. Each finding has its place: the report does
	// not depend on the order they are computed in.
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for bi, b := range builds {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			for i := range r.Rows {
				r.Rows[i].Findings[bi] = checkDep(r.Rows[i].Dep, b)
			}
		}()
	}
	wg.Wait()
	return r
}

// checkDep is the finding of one dependency in one build.
func checkDep(d *Dependency, b *kabi.Build) Finding {
	switch d.Via {
	case ViaAttach:
		return checkAttach(d, b)
	case ViaKfunc:
		return checkKfunc(d, b)
	case ViaField, ViaType, ViaEnumValue:
		return checkType(d, b)
	case ViaKconfig:
		return checkKconfig(d, b)
	case ViaKsym:
		return Finding{Consequence: Unknown, Reason: "kernel variables are not in kabi's model of this build"}
	}
	return Finding{Consequence: Unknown, Reason: "not checked"}
}

// checkAttach checks an attach target.
func checkAttach(d *Dependency, b *kabi.Build) Finding {
	if d.Ref.Name == "" {
		return Finding{Consequence: Unknown, Reason: "target set at load time: name it (Options.Targets, kabi check -target PROG=NAME)"}
	}
	switch d.Attach {
	case AttachKprobe, AttachKretprobe, AttachFentry, AttachFexit, AttachFmodRet, AttachIter:
		return checkFunction(d, d.Ref.Name, b)
	case AttachKprobeMulti, AttachKretprobeMulti:
		if d.Pattern {
			return checkPattern(d, b)
		}
		return checkFunction(d, d.Ref.Name, b)
	case AttachKsyscall, AttachKretsyscall:
		return checkSyscall(d, b)
	case AttachLSM:
		return checkLSM(d, b)
	case AttachTracepoint, AttachRawTP, AttachTpBTF:
		return checkTracepoint(d, b)
	}
	return Finding{Consequence: Unknown, Reason: d.Ref.Kind.String() + "s are not in kabi's model of this build"}
}

// syscallWrapper is the function libbpf's ksyscall attaches to on arch
// (its arch_specific_syscall_pfx), "" for an architecture kabi does not know.
func syscallWrapper(arch, name string) string {
	pfx := map[string]string{
		"amd64": "x64", "i386": "ia32", "arm64": "arm64", "armhf": "arm", "armel": "arm",
		"s390x": "s390x", "riscv64": "riscv", "ppc64el": "powerpc", "ppc64": "powerpc",
		"loong64": "loongarch", "mips64el": "mips", "mipsel": "mips",
	}[arch]
	if pfx == "" {
		return ""
	}
	return "__" + pfx + "_sys_" + name
}

// checkPattern checks a kprobe.multi pattern: it must match some
// function with a symbol (the kernel matches available_filter_functions).
func checkPattern(d *Dependency, b *kabi.Build) Finding {
	n, inl := 0, 0
	// Names are sorted: only those with the pattern's literal prefix can match.
	prefix := d.Ref.Name
	if i := strings.IndexAny(prefix, "*?[\\"); i >= 0 {
		prefix = prefix[:i]
	}
	for name := range b.FunctionNamesWithPrefix(prefix) {
		if ok, _ := path.Match(d.Ref.Name, name); !ok {
			continue
		}
		n++
		if f, ok := b.Function(name); ok && f.Inline != kabi.InlineNo {
			inl++
		}
	}
	switch {
	case n == 0:
		return Finding{Consequence: AttachFailure, Reason: "the pattern matches no function", Status: []string{"absent"}}
	case inl > 0:
		return Finding{Consequence: MissedEvents, Reason: fmt.Sprintf("the pattern matches %d functions, %d of them inlined (fully or at some call sites)", n, inl), Status: []string{fmt.Sprintf("%d matched", n)}}
	}
	return Finding{Consequence: Fine, Reason: fmt.Sprintf("the pattern matches %d functions", n), Status: []string{fmt.Sprintf("%d matched", n)}}
}

// fentryLike says the attach reads its arguments from a u64 array by the
// kernel's BTF prototype.
func fentryLike(a Attach) bool { return a.BTF() && a != AttachIter }

// checkFunction checks a function the program attaches to, by name.
func checkFunction(d *Dependency, name string, b *kabi.Build) Finding {
	btfAttach := d.Attach.BTF()
	fail, failWhat := AttachFailure, "the attach fails"
	if btfAttach {
		fail, failWhat = LoadFailure, "the load fails"
	}
	f, ok := b.Function(name)
	if !ok {
		if syms := b.Symbol(name); len(syms) > 0 {
			if btfAttach {
				return Finding{Consequence: LoadFailure, Reason: "a symbol without debug info (assembly): not in BTF, " + failWhat, Status: []string{"no DWARF"}}
			}
			return Finding{Consequence: Fine, Reason: "a symbol without debug info (assembly): the probe attaches; its arguments are not known", Status: []string{"no DWARF"}}
		}
		return Finding{Consequence: fail, Reason: "absent: " + failWhat, Status: []string{"absent"}}
	}
	var st []string
	for _, is := range f.Issues {
		st = append(st, is.String())
	}
	if f.Inline == kabi.InlineFull {
		return Finding{Consequence: fail, Reason: "fully inlined: no symbol to attach to, " + failWhat, Status: st}
	}
	plain := 0
	var clones []string
	for _, s := range f.Symbols {
		if s.Suffix == "" {
			plain++
		} else if s.Transforms&^(kabi.TransformCold) != 0 {
			clones = append(clones, s.Name)
		}
	}
	if plain == 0 {
		names := make([]string, 0, len(f.Symbols))
		for _, s := range f.Symbols {
			names = append(names, s.Name)
		}
		if btfAttach {
			return Finding{Consequence: LoadFailure, Reason: "only compiler-transformed symbols (" + strings.Join(names, ", ") + "): BTF leaves out functions whose calling convention changed, " + failWhat, Status: st}
		}
		return Finding{Consequence: AttachFailure, Reason: "only compiler-transformed symbols (" + strings.Join(names, ", ") + "): no symbol of this name, the attach fails", Status: st}
	}
	// The kernel's own lists: blacklisted, init or no-probe text, notrace,
	// not in BTF (unknown verdicts leave the DWARF facts above to stand).
	if a := f.Attach; btfAttach && a.Fentry == kabi.AttachNo {
		switch a.FentryWhy {
		case kabi.ReasonNotInBTF:
			return Finding{Consequence: LoadFailure, Reason: "not in the build's BTF: the load fails", Status: append(st, "not in BTF")}
		case kabi.ReasonNotrace, kabi.ReasonInitText:
			return Finding{Consequence: AttachFailure, Reason: a.FentryWhy.String() + ": no ftrace location to install the trampoline on, the attach fails", Status: append(st, a.FentryWhy.String())}
		}
	} else if !btfAttach && a.Kprobe == kabi.AttachNo {
		switch a.KprobeWhy {
		case kabi.ReasonInitText, kabi.ReasonBlacklisted, kabi.ReasonNoProbeText:
			return Finding{Consequence: AttachFailure, Reason: "the kernel refuses kprobes on it (" + a.KprobeWhy.String() + "): the attach fails", Status: append(st, a.KprobeWhy.String())}
		}
	}
	// The signature the program expects against the build's.
	worst := Finding{Consequence: Fine, Reason: "present", Status: st}
	if c, why := checkPrototype(d, f, b.Meta.Arch); c > Fine {
		worst = Finding{Consequence: c, Reason: why, Status: append(st, "prototype changed")}
	}
	if worst.Consequence >= WrongData {
		return worst
	}
	switch {
	case f.Inline == kabi.InlineSelective:
		return Finding{Consequence: MissedEvents, Reason: "selectively inlined: calls through the inlined sites are never seen", Status: st}
	case len(f.Symbols) > 1 && len(clones) > 0:
		return Finding{Consequence: MissedEvents, Reason: "transformed copies (" + strings.Join(clones, ", ") + ") run instead at some call sites: those calls are not seen", Status: st}
	case plain > 1 || f.Collision == kabi.StaticStaticCollision || f.Collision == kabi.StaticGlobalCollision:
		return Finding{Consequence: MissedEvents, Reason: fmt.Sprintf("%d functions share the name (%s): the program attaches to one of them (kernels that refuse ambiguous kprobe names fail the attach)", max(plain, len(f.Instances)), f.Collision), Status: st}
	case f.Collision == kabi.StaticDuplication && len(f.Instances) > 1:
		return Finding{Consequence: MissedEvents, Reason: fmt.Sprintf("a static function duplicated in %d units: the program attaches to one copy", len(f.Instances)), Status: st}
	}
	return worst
}

// checkPrototype compares the prototype the program expects (and the
// context slots it reads) with the build's signature of f.
func checkPrototype(d *Dependency, f *kabi.Function, arch string) (Consequence, string) {
	sig := f.Signature
	if sig == nil {
		if d.Expect != nil {
			return Unknown, "the build has no signature for it to compare with the program's"
		}
		return Fine, ""
	}
	return checkArgs(d, sig.Params, sig.Return, arch)
}

// takesReturn says the program's last context slot is the target's
// return value (fexit, fmod_ret; lsm: the previous hooks' verdict).
func takesReturn(a Attach) bool {
	return a == AttachFexit || a == AttachFmodRet || a == AttachLSM
}

// checkArgs compares the arguments (and the return value, nil for none)
// the program expects with the build's.
func checkArgs(d *Dependency, have []kabi.Param, ret *kabi.Type, arch string) (Consequence, string) {
	n := len(have)
	if fentryLike(d.Attach) && d.Slots >= 0 {
		limit := n
		if takesReturn(d.Attach) {
			limit = n + 1
		}
		if d.Slots > limit {
			return LoadFailure, fmt.Sprintf("the program reads %d context slots, the function has %s: the verifier refuses it", d.Slots, plural(n, "argument"))
		}
	}
	e := d.Expect
	if e == nil || d.Attach == AttachKsyscall || d.Attach == AttachKretsyscall {
		// A syscall wrapper takes a struct pt_regs *; the program's
		// arguments are the system call's, read from it.
		return Fine, ""
	}
	params := e.Params
	var want *kabi.Param
	switch {
	case takesReturn(d.Attach):
		if len(params) > 0 {
			want = &params[len(params)-1]
			params = params[:len(params)-1]
			if len(params) != n {
				return WrongData, fmt.Sprintf("the program takes the return value as argument %d, the function has %s: it reads %s", len(params)+1, plural(n, "argument"), slotName(have, len(params)))
			}
		}
	case d.Attach == AttachKretprobe || d.Attach == AttachKretsyscall:
		if len(params) > 0 {
			want = &params[0]
		}
		params = nil
	}
	if why := protoMismatch(params, have, arch); why != "" {
		return WrongData, why
	}
	if want != nil && ret != nil && d.Attach != AttachLSM && !compatible(want.Type, ret, arch) {
		return WrongData, fmt.Sprintf("the return value is %s in this build, the program reads %s", ret, want.Type)
	}
	if (d.Attach == AttachKprobe || d.Attach == AttachKsyscall) && len(params) > n {
		return WrongData, fmt.Sprintf("the program reads %s, the function takes %d", plural(len(params), "argument"), n)
	}
	return Fine, ""
}

// plural is "1 argument", "2 arguments".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// slotName names context slot i: a parameter or past them.
func slotName(params []kabi.Param, i int) string {
	if i < len(params) {
		return fmt.Sprintf("parameter %s", paramLabel(params[i], i))
	}
	return "past the arguments"
}

func paramLabel(p kabi.Param, i int) string {
	if p.Name != "" {
		return p.Name
	}
	return fmt.Sprintf("#%d", i+1)
}

// protoMismatch says how the arguments a program expects differ from
// the build's, by position (arguments are positional): a parameter of
// another name that the build has elsewhere (reordered), or of an
// incompatible type. Extra parameters on either side are not reported.
func protoMismatch(want, have []kabi.Param, arch string) string {
	pos := map[string]int{}
	for i, p := range have {
		if p.Name != "" {
			pos[p.Name] = i
		}
	}
	for i := range min(len(want), len(have)) {
		w, h := want[i], have[i]
		if w.Name != "" && h.Name != "" && w.Name != h.Name {
			if j, ok := pos[w.Name]; ok {
				return fmt.Sprintf("argument %d is %s in this build, the program reads %s there (now argument %d)", i+1, kabi.Declare(h.Type, h.Name), kabi.Declare(w.Type, w.Name), j+1)
			}
		}
		if !compatible(w.Type, h.Type, arch) {
			return fmt.Sprintf("argument %d is %s in this build, the program reads %s", i+1, kabi.Declare(h.Type, h.Name), kabi.Declare(w.Type, w.Name))
		}
	}
	return ""
}

// compatible says a value of type have can be read as want: the same
// size and class (pointer, integer, struct), pointers to the same struct
// or union (by essential name) or to anything when one side is void *.
// Typedefs are not expanded (kabi's types keep their names): two
// different typedef names, or a typedef and another type, are taken as
// compatible, since they may well be.
func compatible(want, have *kabi.Type, arch string) bool {
	if want == nil || have == nil {
		return true
	}
	if want.Kind == kabi.Typedef || have.Kind == kabi.Typedef || want.Kind == kabi.Unspecified || have.Kind == kabi.Unspecified {
		return true
	}
	wc, hc := class(want), class(have)
	if wc != hc {
		return false
	}
	switch wc {
	case kabi.Pointer:
		we, he := want.Elem, have.Elem
		if we == nil || he == nil || we.Kind == kabi.Void || he.Kind == kabi.Void {
			return true
		}
		if we.Kind == kabi.Base && he.Kind == kabi.Base {
			return true // char * against unsigned char *: same pointer
		}
		return compatible(we, he, arch)
	case kabi.Base:
		ws, hs := baseSize(want, arch), baseSize(have, arch)
		return ws == 0 || hs == 0 || ws == hs
	case kabi.Struct, kabi.Union:
		return want.Kind == have.Kind && essentialName(want.Name) == essentialName(have.Name)
	}
	return true
}

// class is a type's class for compatibility: enums are integers.
func class(t *kabi.Type) kabi.TypeKind {
	switch t.Kind {
	case kabi.Enum:
		return kabi.Base
	case kabi.Union:
		return kabi.Struct
	case kabi.Array:
		return kabi.Pointer
	}
	return t.Kind
}

// baseSize is the size of a C base type (or an enum, 4) on arch; 0 when
// unknown.
func baseSize(t *kabi.Type, arch string) int {
	if t.Kind == kabi.Enum {
		return 4
	}
	n := t.Name
	long := 8
	switch arch {
	case "i386", "armhf", "armel", "mipsel", "mips", "powerpc":
		long = 4
	}
	switch {
	case strings.Contains(n, "char"), n == "_Bool", n == "bool":
		return 1
	case strings.Contains(n, "short"):
		return 2
	case strings.Contains(n, "long long"):
		return 8
	case strings.Contains(n, "long double"):
		return 16
	case strings.Contains(n, "__int128"):
		return 16
	case strings.Contains(n, "long"):
		return long
	case n == "double":
		return 8
	case n == "float":
		return 4
	case strings.Contains(n, "int"), n == "unsigned", n == "signed":
		return 4
	}
	return 0
}
