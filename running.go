package kabi

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cilium/ebpf/btf"
)

// ErrNoKernelBTF is wrapped by the error of [OpenRunning] on a kernel
// that does not publish its BTF (built without CONFIG_DEBUG_INFO_BTF).
var ErrNoKernelBTF = errors.New("the running kernel has no BTF")

// OpenRunning reads the build of the running kernel, as bpftool does:
// function signatures from its BTF (/sys/kernel/btf/vmlinux, read with
// github.com/cilium/ebpf/btf), symbols from /proc/kallsyms, the release
// and compiler from /proc/version and /proc/sys/kernel/osrelease, the
// build ID from /sys/kernel/notes and the architecture from
// /proc/sys/kernel/arch (else uname).
//
// root is the directory that holds sys/ and proc/: "" or "/" for this
// machine, or a copy of those files (tests use a fake tree, so that they
// do not depend on the machine's kernel).
//
// Such a build knows which functions have BTF and their signatures, and
// which symbols exist, with their compiler suffixes and duplicates. It
// does not know inline information, callers or where functions are
// defined: every Function has InlineUnknown, CollisionUnknown and no
// Instances, and renderers say so. Kallsyms has no symbol sizes (Size is
// 0). The loaded modules' BTF (/sys/kernel/btf/MODULE, split BTF over
// vmlinux's) gives their functions, with their signatures, and their own
// types (TypeDef.Modules and Alias.Modules name them) and hooks;
// kallsyms gives their symbols (Symbol.Module), which
// say which module holds each function ([Function.Modules]). A function
// of one name in vmlinux and modules is one Function, with the first
// signature (vmlinux's, then the modules' in name order).
// Metadata.File is root.
//
// The types (unless Options.NoTypes) are the BTF's structs, unions and
// enums, with their members' offsets and bitfield widths, and its
// typedefs; BTF does not say where a type is written, so their Locations
// are empty (an unknown place), and two different definitions of one
// struct name are two variants (of one typedef name, the first is kept).
// The hooks (unless Options.NoHooks) are those the BTF and kallsyms show
// (see [Build.HooksUnknown] for what they cannot): a tracepoint per
// btf_trace_<name> typedef, whose event (class, system, format) is
// unknown ([Tracepoint.EventUnknown]) and whose prototype is the
// typedef's (read with the types: none with Options.NoTypes); the LSM
// hooks as BTF's struct security_hook_heads (or lsm_static_calls_table)
// lists them; the kfuncs BTF tags bpf_kfunc, with unknown ID sets
// ([Kfunc.SetsUnknown]); the syscalls whose wrappers kallsyms lists,
// with unknown tables and numbers. The configuration is the file
// Options.Config names, else /proc/config.gz, else /boot/config-RELEASE;
// unknown without one.
//
// A kernel without BTF gives an error wrapping [ErrNoKernelBTF] that says
// how to read its debug package instead; a kallsyms line that cannot be
// parsed gives one wrapping [ErrKallsyms].
func OpenRunning(root string, opts *Options) (b *Build, err error) {
	if root == "" {
		root = "/"
	}
	defer recoverBug(root, &err)
	if opts == nil {
		opts = &Options{}
	}
	at := func(p string) string { return filepath.Join(root, p) }

	btfPath := at("sys/kernel/btf/vmlinux")
	f, err := os.Open(btfPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w (a kernel built without CONFIG_DEBUG_INFO_BTF); read its debug package instead, such as Debian's linux-image-RELEASE-dbg (apt-get download linux-image-$(uname -r)-dbg; kabi dump linux-image-*-dbg_*.deb)",
			btfPath, ErrNoKernelBTF)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// The BTF is read and loaded once, for the functions and the types.
	raw, err := btfBytes(f, btfPath)
	if err != nil {
		return nil, err
	}
	spec, err := loadBTFSpec(raw, btfPath, nil)
	if err != nil {
		return nil, err
	}
	btfFns, err := specFuncs(spec, btfPath)
	if err != nil {
		return nil, err
	}
	funcs, err := btfSignatures(btfFns, btfPath)
	if err != nil {
		return nil, err
	}
	mods, err := runningModules(at("sys/kernel/btf"), spec)
	if err != nil {
		return nil, err
	}

	ksPath := at("proc/kallsyms")
	kf, err := os.Open(ksPath)
	if err != nil {
		return nil, err
	}
	defer kf.Close()
	ks, err := parseKallsyms(kf, ksPath)
	if err != nil {
		return nil, err
	}

	m := Metadata{File: root}
	if v, err := os.ReadFile(at("proc/version")); err == nil {
		m.Banner = bannerString(v)
		m.Release, m.Compiler = parseBanner(m.Banner)
	}
	if v, err := os.ReadFile(at("proc/sys/kernel/osrelease")); err == nil {
		m.Release = strings.TrimSpace(string(v))
	}
	if m.Release == "" {
		return nil, fmt.Errorf("%s: cannot tell the kernel release (no proc/sys/kernel/osrelease or proc/version)", root)
	}
	m.Version, m.Revision, m.Flavor = ParseRelease(m.Release)
	m.Arch = runningArch(root, at("proc/sys/kernel/arch"))
	if notes, err := os.ReadFile(at("sys/kernel/notes")); err == nil {
		m.BuildID = findBuildID(notes, binary.NativeEndian)
	}
	applyOverrides(&m, opts)

	// One Function per BTF FUNC name, in name order: the first FUNC's
	// signature (static functions of one name in several files may have
	// several).
	slices.SortStableFunc(funcs, func(a, b BTFFunc) int { return strings.Compare(a.Signature.Name, b.Signature.Name) })
	kept := make([]*BTFFunc, 0, len(funcs)) // the FUNC of each Function
	inBTF := make(map[string]bool, len(funcs))
	add := func(f *BTFFunc) { kept = append(kept, f) }
	for i := range funcs {
		if name := funcs[i].Signature.Name; !inBTF[name] {
			inBTF[name] = true
			add(&funcs[i])
		}
	}
	// The loaded modules' functions, in module order: a name vmlinux or
	// an earlier module has is the same Function (its symbols say where
	// each copy is), with the first signature.
	facts := &btfFacts{vmlinux: inBTF, modules: map[moduleFunc]bool{}}
	seen := maps.Clone(inBTF)
	modSrc := map[string]AttachSources{}
	for _, mod := range mods {
		modSrc[mod.name] = AttachSources{BTF: true}
		for i := range mod.funcs {
			name := mod.funcs[i].Signature.Name
			facts.modules[moduleFunc{mod.name, name}] = true
			if !seen[name] {
				seen[name] = true
				add(&mod.funcs[i])
			}
		}
	}
	if len(mods) > 0 {
		// Sorted again by name.
		slices.SortStableFunc(kept, func(a, b *BTFFunc) int { return strings.Compare(a.Signature.Name, b.Signature.Name) })
	}
	fns := make([]*Function, len(kept))
	room := make([]Function, len(kept))
	sigs := make([]*Signature, len(kept))
	for i, f := range kept {
		name := f.Signature.Name
		room[i] = Function{Name: name, Demangled: demangled(name)}
		fns[i] = &room[i]
		if !opts.NoSignatures {
			sigs[i] = &f.Signature
		}
	}
	b = &Build{Meta: m, symbols: kallsymsFunctions(ks), src: Source{File: root, BuildID: m.BuildID},
		attach: AttachSources{BTF: true}, modSrc: modSrc, bySymbol: &symbolIndex{}, running: true}
	b.link(fns, facts)
	for i, f := range b.funcs {
		f.Signature = sigs[i]
		f.classifyUnknown()
	}
	if !opts.NoHooks {
		if b.hk, err = runningHooks(spec, mods, ks, m.Arch, btfPath); err != nil {
			return nil, err
		}
		if err := b.hk.readRunningConfig(at, m.Release, opts.Config); err != nil {
			return nil, err
		}
	}
	if !opts.NoTypes {
		conv := &btfConv{types: map[btf.Type]*Type{}}
		defs, err := btfTypeDefs(conv, spec, btfPath)
		if err != nil {
			return nil, err
		}
		tds, err := btfTypedefs(conv, spec, btfPath)
		if err != nil {
			return nil, err
		}
		// A module's own types: its split BTF holds those vmlinux's
		// lacks (deduplicated against it), so each is a type vmlinux does
		// not define, or a different definition of a name it does (a
		// variant). Deduplication can still leave a module a copy of a
		// vmlinux definition: one with vmlinux's contents is vmlinux's.
		// One contents in several modules is one type, with each module
		// in Modules, in name order. A module's typedef is kept where
		// vmlinux has none of the name, the first module's; a later
		// module with the same typedef (its declaration and any anonymous
		// definition it names) joins its Modules.
		var byKey map[string]*TypeDef
		if len(mods) > 0 {
			byKey = make(map[string]*TypeDef, len(defs))
			for _, d := range defs {
				byKey[string(appendDefKey(nil, d, 0))] = d // vmlinux's: no Modules
			}
		}
		haveTD := map[string]*Alias{}
		for _, td := range tds {
			haveTD[td.Name] = td
		}
		for _, mod := range mods {
			mdefs, err := btfTypeDefs(conv, mod.spec, mod.path)
			if err != nil {
				return nil, err
			}
			for _, d := range mdefs {
				key := string(appendDefKey(nil, d, 0))
				if o := byKey[key]; o != nil {
					if len(o.Modules) > 0 && !slices.Contains(o.Modules, mod.name) {
						o.Modules = append(o.Modules, mod.name)
					}
					continue
				}
				d.Modules = []string{mod.name}
				byKey[key] = d
				defs = append(defs, d)
			}
			mtds, err := btfTypedefs(conv, mod.spec, mod.path)
			if err != nil {
				return nil, err
			}
			for _, td := range mtds {
				o := haveTD[td.Name]
				switch {
				case o == nil:
					td.Modules = []string{mod.name}
					haveTD[td.Name] = td
					tds = append(tds, td)
				case len(o.Modules) > 0 && !slices.Contains(o.Modules, mod.name) && bytes.Equal(appendPendingKey(nil, nil, o), appendPendingKey(nil, nil, td)):
					o.Modules = append(o.Modules, mod.name)
				}
			}
		}
		slices.SortStableFunc(tds, func(a, b *Alias) int { return strings.Compare(a.Name, b.Name) })
		b.types = newTypes(defs)
		b.types.setTypedefs(tds)
	}
	if b.hk != nil {
		b.hk.link(b) // after the types: a tracepoint's prototype is its typedef's
	}
	return b, nil
}

// classifyUnknown classifies a function whose instances are unknown: its
// collision and inline kinds are unknown; its transformation is known from
// its symbols.
func (f *Function) classifyUnknown() {
	f.Collision, f.Inline = CollisionUnknown, InlineUnknown
	f.Issues = nil
	if f.Transformation {
		f.Issues = []Issue{IssueTransformation}
	}
}

// runningArch is the Debian name of the running kernel's architecture:
// from archFile (/proc/sys/kernel/arch, Linux 6.1 and later) under root,
// else from uname when root is the machine's own.
func runningArch(root, archFile string) string {
	machine := ""
	if v, err := os.ReadFile(archFile); err == nil {
		machine = strings.TrimSpace(string(v))
	} else if filepath.Clean(root) == "/" {
		machine = unameMachine()
	}
	switch machine {
	case "x86_64":
		return "amd64"
	case "i386", "i486", "i586", "i686":
		return "i386"
	case "aarch64", "arm64":
		return "arm64"
	case "ppc64le":
		return "ppc64el"
	case "riscv64", "s390x", "ppc64", "loongarch64", "mips64":
		if machine == "loongarch64" {
			return "loong64"
		}
		return machine
	}
	if strings.HasPrefix(machine, "armv") {
		return "armhf"
	}
	return machine
}
