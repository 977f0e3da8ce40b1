// Command kabi shows the function surface of Linux kernel builds.
//
//	kabi show [-format text|json] FUNCTION [BUILD] one function of one build (no BUILD: the running kernel)
//	kabi dump [-signatures=false] [-types=false] BUILD
//	                                               every function, type (struct, union, enum) and hook, as JSON Lines
//	kabi stats [-signatures] [-types] [-hooks] BUILD
//	                                               counts of functions by kind (and of what the flags read too)
//	kabi report [-format text|json|md|html] [-manifest FILE] [-default N] FUNCTION BUILD...
//	                                               one function across builds, in groups
//	kabi report -all -format md|html -o DIR BUILD...  a page per function and index pages
//	kabi diff [-format text|json] OLD NEW           what changed between two builds
//	kabi export [-format parquet] -o DIR BUILD...   the builds as Parquet tables, partitioned by build
//	kabi index [-o DIR] [-j N] [-running] [-modules DIR|auto] BUILD...  write an index file per build (-running: of the running kernel; -modules: of the whole kernel)
//	kabi btfcheck [-n N] [-btf FILE] [-base VMLINUX] BUILD
//	                                               the build's BTF prototypes against kabi's DWARF signatures
//	kabi check [-format text|json|md|html|sarif] [-fail-on LEVEL] [-target PROG=NAME] OBJECT... BUILD...
//	                                               an eBPF object's dependencies against builds (exit 1: a finding reaches LEVEL; 2: bad input)
//	kabi                                           report a sample function over the bundled fixtures
//
// kabi CMD -h prints CMD's usage and every flag with its meaning and default.
//
// -modules reads the kernel's module tree with vmlinux (DIR, or auto: the
// -dbg package's lib/modules/RELEASE beside boot/vmlinux-RELEASE, or
// modules-RELEASE beside it; for a package, the tree in it, streamed out
// of it as vmlinux is).
//
// BUILD is a vmlinux with DWARF debug info, such as Debian's
// /usr/lib/debug/boot/vmlinux-6.1.0-47-amd64 (package linux-image-6.1.0-47-amd64-dbg),
// a debug package holding one (linux-image-6.1.0-47-amd64-dbg_6.1.0-47_amd64.deb,
// read as it is, without unpacking it; the module tree in it is left out
// unless -modules auto asks for it),
// or an index file that kabi index wrote for one (6.1.0-47-amd64.kabi), which
// loads in a fraction of the time and answers the same.
// Exit status: 0 when all went well; 1 on an error (an unreadable build);
// 2 on a usage error; 3 when show or report is asked for a name that none
// of its builds has; 130 when interrupted (SIGINT, SIGTERM: the read,
// index or site in progress stops, and no index file is left half
// written); kabi check has its own (above).
//
// It is a thin wrapper over package github.com/kabi-dev/kabi.
package main

import (
	"bufio"
	"context"
	"debug/elf"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/kabi-dev/kabi"
)

const usage = `usage:
  kabi show [-format text|json] [-modules DIR|auto] FUNCTION [BUILD]   (no BUILD: the running kernel)
  kabi dump [-signatures=false] [-types=false] [-hooks=false] [-config FILE] [-modules DIR|auto] BUILD
  kabi stats [-signatures] [-types] [-hooks] [-config FILE] [-modules DIR|auto] BUILD
  kabi report [-format text|json|md|html] [-manifest FILE] [-default N] FUNCTION BUILD...
  kabi report -all -format md|html -o DIR [-manifest FILE] [BUILD...]
  kabi diff [-format text|json] OLD NEW
  kabi export [-format parquet] -o DIR BUILD...
  kabi index [-o DIR] [-j N] [-running [-root DIR]] [-modules DIR|auto] BUILD...
  kabi btfcheck [-n N] [-btf FILE] [-base VMLINUX] BUILD
  kabi check [-format text|json|md|html|sarif] [-fail-on LEVEL] [-target PROG=NAME] [-source-root DIR] OBJECT... BUILD...
  kabi            (report a sample function over the bundled fixture builds)

BUILD is a vmlinux with DWARF debug info, a kernel debug package holding one
(linux-image-*-dbg_*.deb, linux-image-*-dbgsym_*.ddeb; read without unpacking it,
its module tree left out), or an index file written by kabi index
(but for btfcheck, which reads the vmlinux's BTF).

Exit status: 1 on an error, 2 on a usage error, 3 when show or report names
something none of the builds has, 130 when interrupted. kabi CMD -h
describes CMD's flags.
`

// ctx is the command's context: cancelled on an interrupt (SIGINT,
// SIGTERM), so a long read, index write or site stops at its next check
// (kabi.OpenContext, WriteIndexFileContext, Site.CreateContext) and leaves
// no half-written index behind.
var ctx = context.Background()

func main() {
	c, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	ctx = c
	err := run(os.Args[1:], os.Stdout)
	stop()
	if err == nil {
		return
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "kabi: interrupted")
		os.Exit(130)
	}
	if err.Error() != "" {
		fmt.Fprintf(os.Stderr, "kabi: %v\n", err)
	}
	code := exitStatus(err)
	if code == 2 {
		if _, ok := exitCode(err); !ok {
			fmt.Fprint(os.Stderr, usage)
		}
	}
	os.Exit(code)
}

// exitStatus is the process's exit status for an error of run: check's
// own (1: a finding reaches -fail-on, 2: bad input), 2 for a usage error,
// 3 when the name asked for is in none of the builds (kabi.ErrNotFound),
// 1 for anything else.
func exitStatus(err error) int {
	if err == nil {
		return 0
	}
	if code, ok := exitCode(err); ok {
		return code
	}
	if errors.Is(err, kabi.ErrNotFound) {
		return 3
	}
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func run(args []string, stdout io.Writer) error {
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	if err := runCmd(args, w); err != errHelp {
		return err
	}
	return nil
}

// errHelp is parseFlags' error once it has written a command's help.
var errHelp = errors.New("help shown")

// parseFlags parses a command's flags. For -h or -help it writes the
// command's synopsis (its lines of usage) and every flag with its meaning
// and default to w, and returns errHelp; for a bad flag, a usage error.
func parseFlags(w io.Writer, fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err == nil {
		return nil
	}
	if !errors.Is(err, flag.ErrHelp) {
		return usageError{err.Error()}
	}
	fmt.Fprintln(w, "usage:")
	for _, l := range commandUsage(fs.Name()) {
		fmt.Fprintln(w, l)
	}
	fmt.Fprintln(w, "\nflags:")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	return errHelp
}

// commandUsage returns the lines of usage that show command name, with
// the lines that continue them.
func commandUsage(name string) []string {
	var out []string
	in := false
	for _, l := range strings.Split(usage, "\n") {
		switch {
		case strings.HasPrefix(l, "  kabi "+name+" "):
			in = true
		case !strings.HasPrefix(l, "    "):
			in = false
		}
		if in {
			out = append(out, l)
		}
	}
	return out
}

func runCmd(args []string, w *bufio.Writer) error {
	if len(args) == 0 {
		return demo(w)
	}
	switch args[0] {
	case "show":
		fs := flag.NewFlagSet("show", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		format := fs.String("format", "text", "output format: text or json")
		fs.StringVar(&modulesFlag, "modules", "", modulesUsage)
		root := fs.String("root", "/", "with no BUILD: the directory holding the running kernel's sys/ and proc/")
		if err := parseFlags(w, fs, args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 1 && fs.NArg() != 2 {
			return usageError{"show takes FUNCTION [BUILD]"}
		}
		if *format != "text" && *format != "json" {
			return usageError{fmt.Sprintf("unknown format %q", *format)}
		}
		var (
			b   *kabi.Build
			err error
		)
		hr, isHook := hookRef(fs.Arg(0))
		tr, isType := typeRef(fs.Arg(0))
		if fs.NArg() == 1 {
			opts := &kabi.Options{}
			if !isHook && !isType {
				opts = &kabi.Options{NoTypes: true, NoHooks: true} // one function: its BTF and symbols
			}
			b, err = kabi.OpenRunning(*root, opts) // the running kernel, as bpftool does
		} else {
			opts := &kabi.Options{}
			if isHook || isType {
				limitMemory(fs.Arg(1), true)
			} else {
				// One function: the rest of the build is left out, so the
				// live heap stays small and the collector's default
				// pacing (the heap near twice it) needs no limit.
				opts = &kabi.Options{Functions: []string{fs.Arg(0)}, NoTypes: true, NoHooks: true}
			}
			b, err = openWith(fs.Arg(1), opts)
		}
		if err != nil {
			return err
		}
		if isHook {
			return showHook(w, b, hr, *format)
		}
		if isType {
			return showType(w, b, tr, *format)
		}
		f, err := b.Lookup(fs.Arg(0))
		if err != nil {
			return err
		}
		if *format == "json" {
			return writeJSON(w, f)
		}
		showText(w, b, f)
		return b.Err()
	case "dump", "stats":
		fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		// dump reads everything unless told not to; stats reads the
		// functions only unless told to read more, and then counts it too
		// (the time of a whole read, without writing it out).
		all := args[0] == "dump"
		var sigs, types, hooks bool
		fs.BoolVar(&sigs, "signatures", all, "derive signatures (false: leave them out, faster)")
		fs.BoolVar(&types, "types", all, "read the struct, union and enum definitions (false: leave them out, faster)")
		fs.BoolVar(&hooks, "hooks", all, "read the hooks: tracepoints, LSM hooks, kfuncs, syscalls, config (false: functions only)")
		config := fs.String("config", "", "the build's config file, when it embeds none and has no config-RELEASE beside it")
		fs.StringVar(&modulesFlag, "modules", "", modulesUsage)
		if err := parseFlags(w, fs, args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return usageError{args[0] + " takes BUILD"}
		}
		limitMemory(fs.Arg(0), types)
		b, err := openWith(fs.Arg(0), &kabi.Options{NoSignatures: !sigs, NoHooks: !hooks, NoTypes: !types, Config: *config})
		if err != nil {
			return err
		}
		if args[0] == "stats" {
			showStats(w, b, sigs, types, hooks)
			return b.Err()
		}
		for f := range b.Functions() {
			if err := writeJSON(w, f); err != nil {
				return err
			}
		}
		for t := range b.Types(0) { // struct, union, enum: Kinds order, then names
			jsonBuf = append(t.AppendJSON(jsonBuf[:0]), '\n')
			if _, err := w.Write(jsonBuf); err != nil {
				return err
			}
		}
		if _, err := w.Write(b.AppendHooksJSON(nil)); err != nil {
			return err
		}
		return b.Err()
	case "report":
		return report(w, args[1:])
	case "diff":
		return diffCmd(w, args[1:])
	case "export":
		return exportCmd(w, args[1:])
	case "index":
		return indexCmd(w, args[1:])
	case "btfcheck":
		return btfcheck(w, args[1:])
	case "check":
		return checkCmd(w, args[1:])
	case "-h", "-help", "--help", "help":
		fmt.Fprint(w, usage)
		return nil
	}
	return usageError{fmt.Sprintf("unknown command %q", args[0])}
}

var jsonBuf []byte

func writeJSON(w io.Writer, f *kabi.Function) error {
	jsonBuf = append(f.AppendJSON(jsonBuf[:0]), '\n')
	_, err := w.Write(jsonBuf)
	return err
}

// open reads a build, with a progress bar on stderr when stderr is a
// terminal and the build takes more than a second.
func open(path string) (*kabi.Build, error) { return openWith(path, &kabi.Options{}) }

// openWith is open with options; it sets their Progress.
func openWith(path string, opts *kabi.Options) (*kabi.Build, error) {
	var done, total atomic.Int64
	stop := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		if st, err := os.Stderr.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
			return
		}
		select {
		case <-stop:
			return
		case <-time.After(time.Second):
		}
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			drawBar(path, done.Load(), total.Load())
			select {
			case <-stop:
				fmt.Fprint(os.Stderr, "\r\033[K")
				return
			case <-tick.C:
			}
		}
	}()
	opts.Progress = func(d, n int) { done.Store(int64(d)); total.Store(int64(n)) }
	if modulesFlag == "auto" && isPackage(path) {
		opts.PackageModules = true
	} else if modulesFlag != "" {
		dir, err := moduleDir(path, modulesFlag)
		if err != nil {
			close(stop)
			<-finished
			return nil, err
		}
		opts.ModuleDir = dir
		opts.ModuleProgress = func(_ string, d, n int) { done.Store(int64(d)); total.Store(int64(n)) }
	}
	b, err := kabi.OpenContext(ctx, path, opts)
	close(stop)
	<-finished
	return b, err
}

// limitMemory keeps the Go heap of a command that reads one build (show,
// dump, stats, btfcheck) near what the reading holds live, unless
// GOMEMLIMIT says otherwise. Without a limit the garbage collector lets
// the heap grow to twice what is live. Under the limit it runs only when
// the heap nears it (unless GOGC says otherwise): the live heap of one
// build stays below it, so a kernel is read with a bounded number of
// collections and the peak resident size stays near the live heap.
// Commands that hold several builds at once set no limit: their live
// heap can exceed any one file's, and a soft limit below the live heap
// would make the collector run without end.
func limitMemory(path string, types bool) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	if modulesFlag != "" {
		limitModulesMemory()
		return
	}
	st, err := os.Stat(path)
	if err != nil {
		return
	}
	debug.SetMemoryLimit(memoryLimit(st.Size(), debugLayout(path), types))
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(-1)
	}
}

// layout is what reading an ELF file's debug sections costs: heap is
// the bytes read onto the heap (decompressed), mapped the size of an
// uncompressed .debug_info that is mapped from the file instead.
type layout struct{ heap, mapped int64 }

// memoryLimit is the heap limit for reading a build from a file of
// fileSize bytes whose debug sections lie as l says. When .debug_info is
// mapped, the heap holds the surface being built (three quarters of
// .debug_info's size at most, measured on Debian's kernels; an eighth
// more when the types are read too, whose definitions and dedup tables
// stay live through the walk), and half as much again as the sections
// read onto it; 128 MiB at least. Otherwise it holds the sections too:
// 7/8 of the file, but at least 256 MiB, and half as much again as the
// decompressed sections.
func memoryLimit(fileSize int64, l layout, types bool) int64 {
	if l.mapped > 0 {
		surface := l.mapped * 3 / 4
		if types {
			surface += l.mapped / 8
		}
		return max(surface+l.heap*3/2, 128<<20)
	}
	return max(fileSize*7/8, l.heap*3/2, 256<<20)
}

// debugLayout reads the layout of the .debug_ sections of the ELF file at
// path; it is zero when the file is not one (an index file). Package
// dwarfx maps the uncompressed debug sections of a linked file on the
// systems it can, and copies .debug_str and .debug_line_str, whose
// strings the build keeps.
func debugLayout(path string) layout {
	f, err := elf.Open(path)
	if err != nil {
		return layout{}
	}
	defer f.Close()
	mappable := f.Type != elf.ET_REL && canMap
	var l layout
	for _, s := range f.Sections {
		if !strings.HasPrefix(s.Name, ".debug_") && !strings.HasPrefix(s.Name, ".zdebug_") {
			continue
		}
		// debug/elf gives compressed sections' decompressed size
		compressed := s.Flags&elf.SHF_COMPRESSED != 0 || strings.HasPrefix(s.Name, ".zdebug_")
		switch {
		case mappable && !compressed && s.Name == ".debug_info":
			l.mapped = int64(s.Size)
		case mappable && !compressed && s.Name != ".debug_str" && s.Name != ".debug_line_str":
		default:
			l.heap += int64(s.Size)
		}
	}
	return l
}

// canMap says whether package dwarfx maps files on this system.
var canMap = map[string]bool{"linux": true, "darwin": true, "freebsd": true, "netbsd": true, "openbsd": true}[runtime.GOOS]

func drawBar(path string, done, total int64) {
	const width = 30
	if total <= 0 {
		return
	}
	n := int(width * done / total)
	fmt.Fprintf(os.Stderr, "\r%s [%s%s] %d/%d units", filepath.Base(path), strings.Repeat("=", n), strings.Repeat(" ", width-n), done, total)
}

func tf(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// showText prints one function in the layout of the reference pages.
func showText(w io.Writer, b *kabi.Build, f *kabi.Function) {
	m := b.Meta
	if f.InModule() {
		fmt.Fprintf(w, "Function: %s [%s]\n", f.DisplayName(), f.ModulesText())
	} else {
		fmt.Fprintf(w, "Function: %s\n", f.DisplayName())
	}
	if f.Demangled != "" {
		fmt.Fprintf(w, "Symbol name: %s\n", f.Name)
	}
	fmt.Fprintf(w, "Build: %s (%s %s)\n\n", m.File, m.Release, m.Arch)
	if f.Signature != nil {
		fmt.Fprintf(w, "Signature: %s\n\n", f.Signature)
	}
	fmt.Fprintf(w, "Collision: %s\nInline: %s\nTransformation: %s\n", f.Collision, f.Inline, tf(f.Transformation))
	issues := "none"
	if len(f.Issues) > 0 {
		var s []string
		for _, i := range f.Issues {
			s = append(s, i.String())
		}
		issues = strings.Join(s, ", ")
	}
	fmt.Fprintf(w, "Issues: %s\n", issues)
	fmt.Fprintf(w, "Attach: %s\n\nInstances:\n", f.Attach)
	if !f.InstancesKnown() {
		fmt.Fprintf(w, "  unknown: the build was read without DWARF (a running kernel's BTF and kallsyms),\n  so where the function is defined, whether it is inlined and who calls it\n  (inline and direct callers) are unknown\n\n")
	}
	for _, in := range f.Instances {
		if in.DeclaredOnly {
			fmt.Fprintf(w, "  declared only (external: %s)\n", tf(in.External))
		} else {
			addr := "no address"
			if in.HasAddr {
				addr = fmt.Sprintf("%x", in.Address)
				if in.AddrFromSymbol {
					addr += ", the symbol's: DWARF gives none"
				}
			}
			fmt.Fprintf(w, "  In %s (%s)\n  Location: %s\n  Inline: %s\n", in.File, addr, in.Location, tf(in.Inlined))
		}
		if in.Module != "" {
			fmt.Fprintf(w, "  Module: %s\n", in.Module)
		}
		if in.Signature != nil {
			if in.Signature != f.Signature {
				fmt.Fprintf(w, "  Signature: %s\n", in.Signature)
			}
			for _, c := range in.Signature.Clones {
				at := ""
				if c.HasAddr {
					at = fmt.Sprintf(" at %x", c.Addr)
				}
				fmt.Fprintf(w, "  Out-of-line copy%s: %s\n", at, c.String(in.Signature))
			}
		}
		for _, l := range []struct {
			name string
			list []kabi.Caller
		}{{"Inline callers", in.InlineCallers}, {"Direct callers", in.DirectCallers}} {
			self := 0
			for _, c := range l.list {
				if c.Recursive(f) {
					self++
				}
			}
			if len(l.list) > self {
				fmt.Fprintf(w, "  %s:\n", l.name)
			}
			for _, c := range l.list {
				if !c.Recursive(f) {
					fmt.Fprintf(w, "    - %s\n", c.SiteString())
				}
			}
			if self > 0 {
				fmt.Fprintf(w, "  %s: the function itself at %d site%s (recursion; not listed)\n", l.name, self, map[bool]string{true: "s"}[self > 1])
			}
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "Symbols:")
	if len(f.Symbols) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, s := range f.Symbols {
		var notes []string
		if b.ModuleAttachSources(s.Module).FtraceList && !s.Ftrace {
			notes = append(notes, "notrace")
		}
		if s.NoKprobe != kabi.NoKprobeNone {
			notes = append(notes, s.NoKprobe.String())
		}
		if s.Section == ".init.text" {
			notes = append(notes, "init")
		}
		note := ""
		if len(notes) > 0 {
			note = " [" + strings.Join(notes, ", ") + "]"
		}
		fmt.Fprintf(w, "  %s%s\n", s, note)
	}
}

// orUnknown is s, or "unknown" for a fact the build cannot say.
func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func showStats(w io.Writer, b *kabi.Build, sigs, types, hooks bool) {
	s := b.Stats()
	m := b.Meta
	pct := func(n, of int) string {
		if of == 0 {
			return ""
		}
		return fmt.Sprintf("(%.1f%%)", 100*float64(n)/float64(of))
	}
	release := "unknown (the file has no kernel banner, and its path names no release)"
	if m.Release != "" {
		release = fmt.Sprintf("%s (version %s, revision %s, flavor %s)", m.Release, orUnknown(m.Version), orUnknown(m.Revision), orUnknown(m.Flavor))
	}
	fmt.Fprintf(w, "build:       %s\nrelease:     %s\narch:        %s\ncompiler:    %s\nbuild id:    %s\n\n",
		m.File, release, orUnknown(m.Arch), orUnknown(m.Compiler), orUnknown(m.BuildID))
	if mods := b.Modules(); len(mods) > 0 {
		if b.Running() {
			fmt.Fprintf(w, "modules:     %d loaded, whose BTF was read\n\n", len(mods))
		} else {
			fmt.Fprintf(w, "modules:     %d, read with vmlinux (its module tree)\n\n", len(mods))
		}
	}
	fmt.Fprintf(w, "functions:                 %7d\ninstances:                 %7d\ndeclared only:             %7d %s\n\n",
		s.Functions, s.Instances, s.DeclaredOnly, pct(s.DeclaredOnly, s.Functions))
	fmt.Fprintln(w, "collision:")
	if n := s.Collision[kabi.CollisionUnknown]; n > 0 {
		fmt.Fprintf(w, "  %-24s %7d %s\n", "Unknown", n, pct(n, s.Functions))
	}
	for _, c := range kabi.Collisions() {
		fmt.Fprintf(w, "  %-24s %7d %s\n", c, s.Collision[c], pct(s.Collision[c], s.Functions))
	}
	fmt.Fprintln(w, "inline:")
	if n := s.Inline[kabi.InlineUnknown]; n > 0 {
		fmt.Fprintf(w, "  %-24s %7d %s\n", "Unknown", n, pct(n, s.Functions))
	}
	for _, k := range kabi.InlineKinds() {
		fmt.Fprintf(w, "  %-24s %7d %s\n", k, s.Inline[k], pct(s.Inline[k], s.Functions))
	}
	fmt.Fprintf(w, "transformation:\n  %-24s %7d %s\n", "True", s.Transformed, pct(s.Transformed, s.Functions))
	for _, k := range kabi.TransformKinds() {
		if s.Transforms[k] > 0 {
			fmt.Fprintf(w, "    %-22s %7d\n", k, s.Transforms[k])
		}
	}
	if n := s.TwoOrMore(); n > 0 {
		fmt.Fprintf(w, "    %-22s %7d\n", "two or more", n)
	}
	fmt.Fprintf(w, "symbols:\n  %-24s %7d\n  %-24s %7d %s\n  %-24s %7d\n",
		"function symbols", s.Symbols, "with a suffix", s.SuffixedSymbols, pct(s.SuffixedSymbols, s.Symbols),
		"without DWARF", s.UnattachedSymbols)
	if sigs {
		fmt.Fprintf(w, "signatures:\n  %-24s %7d %s\n", "functions with one", s.Signatures, pct(s.Signatures, s.Functions))
	}
	if types {
		fmt.Fprintln(w, "types:")
		for _, k := range []kabi.Kind{kabi.KindStruct, kabi.KindUnion, kabi.KindEnum} {
			n := 0
			for range b.Types(k) {
				n++
			}
			fmt.Fprintf(w, "  %-24s %7d\n", k, n)
		}
	}
	if hooks {
		fmt.Fprintln(w, "hooks:")
		for _, k := range []kabi.Kind{kabi.KindTracepoint, kabi.KindLSM, kabi.KindKfunc, kabi.KindSyscall, kabi.KindConfig} {
			if why := b.HooksUnknown(k); why != "" {
				fmt.Fprintf(w, "  %-24s unknown: %s\n", k, why)
				continue
			}
			n := 0
			for range b.Hooks(k) {
				n++
			}
			fmt.Fprintf(w, "  %-24s %7d\n", k, n)
		}
	}
}

// The demo: `kabi report` of a sample function over the bundled fixture
// builds: three versions, a second flavor and revision, three other
// architectures, grouped by their own metadata.
const sample = "kfx_cmp_config"

var demoFixtures = []string{
	"cmp-6.1.99-1-amd64.elf", "cmp-6.2.5-1-amd64.elf", "cmp-6.3.1-2-amd64.elf",
	"cmp-6.1.99-1-cloud-amd64.elf", "cmp-6.1.99-3-amd64.elf",
	"i386.elf", "aarch64.elf", "s390x.elf",
}

func demo(w io.Writer) error {
	dir, err := testdata()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "kabi: no arguments, so here is `kabi report %s` over the fixture builds in\n%s\n(run kabi -h for the commands)\n\n", sample, dir)
	args := []string{sample}
	for _, name := range demoFixtures {
		args = append(args, filepath.Join(dir, name))
	}
	return report(w, args)
}

// testdata finds the module's testdata directory: above the working
// directory (go run ./examples/kabi from a clone), else beside this
// source file (a binary built on this machine).
func testdata() (string, error) {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		starts = append(starts, filepath.Dir(file))
	}
	for _, dir := range starts {
		for {
			if mod, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil &&
				strings.Contains(string(mod), "module github.com/kabi-dev/kabi\n") {
				td := filepath.Join(dir, "testdata")
				if _, err := os.Stat(filepath.Join(td, demoFixtures[0])); err == nil {
					return td, nil
				}
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "", errors.New("cannot find the fixture builds (testdata/ of the kabi module); run from a clone, or give a BUILD")
}
