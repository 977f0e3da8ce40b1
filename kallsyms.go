package kabi

import (
	"bufio"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ErrKallsyms is wrapped by the errors for a kallsyms file that cannot be
// read: a line that is not "ADDRESS TYPE NAME [MODULE]".
var ErrKallsyms = errors.New("bad kallsyms line")

// A kallsym is one line of /proc/kallsyms.
type kallsym struct {
	addr   uint64
	typ    byte
	name   string
	module string // "" for vmlinux
}

// maxKallsymsLine bounds a line; the kernel's symbol names are at most 512
// bytes (KSYM_NAME_LEN).
const maxKallsymsLine = 4096

// parseKallsyms reads /proc/kallsyms text: one symbol per line,
//
//	ffffffff811ceec0 T vmap
//	ffffffffc0a01000 t ext4_fill_super	[ext4]
//
// An address of 0 everywhere means the reader may not see addresses
// (kptr_restrict); the names are kept. name is used in errors.
func parseKallsyms(r io.Reader, name string) ([]kallsym, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, maxKallsymsLine), maxKallsymsLine) // the larger of the two bounds a line
	var out []kallsym
	line := 0
	bad := func(text, why string) error {
		if len(text) > 80 {
			text = text[:80] + "..."
		}
		return fmt.Errorf("%s:%d: %w %q: %s", name, line, ErrKallsyms, text, why)
	}
	for sc.Scan() {
		line++
		text := sc.Text()
		if text == "" {
			continue
		}
		f := strings.Fields(text)
		if len(f) < 3 || len(f) > 4 {
			return nil, bad(text, "want ADDRESS TYPE NAME [MODULE]")
		}
		addr, err := strconv.ParseUint(f[0], 16, 64)
		if err != nil {
			return nil, bad(text, "the address is not hexadecimal")
		}
		if len(f[1]) != 1 || !isSymType(f[1][0]) {
			return nil, bad(text, "the type is not a symbol type letter")
		}
		s := kallsym{addr: addr, typ: f[1][0], name: f[2]}
		if len(f) == 4 {
			m := f[3]
			if len(m) < 3 || m[0] != '[' || m[len(m)-1] != ']' {
				return nil, bad(text, "the module is not in brackets")
			}
			s.module = m[1 : len(m)-1]
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s:%d: %w: a line longer than %d bytes", name, line+1, ErrKallsyms, maxKallsymsLine)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// isSymType reports whether c is a type letter nm and kallsyms print.
func isSymType(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '?' || c == '-'
}

// kallsymsFunctions turns the text symbols (t, T, W) of vmlinux and of
// the loaded modules into Symbols, in kallsyms order. Sizes and sections
// are unknown (0 and "").
func kallsymsFunctions(syms []kallsym) []Symbol {
	var out []Symbol
	for _, k := range syms {
		var bind elf.SymBind
		switch k.typ {
		case 't':
			bind = elf.STB_LOCAL
		case 'T':
			bind = elf.STB_GLOBAL
		case 'W':
			bind = elf.STB_WEAK
		default:
			continue
		}
		if isPadding(k.name) {
			continue
		}
		s := Symbol{Name: k.name, Demangled: demangled(k.name), Address: k.addr, Bind: bind, Module: k.module}
		s.Stem, s.Suffix, s.Transforms = parseSuffix(k.name)
		out = append(out, s)
	}
	return out
}
