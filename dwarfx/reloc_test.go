package dwarfx

import (
	"bytes"
	"debug/dwarf"
	"debug/elf"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kabi-dev/kabi/internal/elfcraft"
	"github.com/kabi-dev/kabi/internal/freelist"
	"github.com/kabi-dev/kabi/internal/fuzzcount"
)

// moduleFixtures returns the committed relocatable fixtures (kernel
// modules built by ../testdata/gen.sh), uncompressed.
func moduleFixtures(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("../testdata/modules/*/kernel/drivers/kfx/*.ko")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no fixture modules in ../testdata/modules")
	}
	return files
}

// TestDifferentialModules compares every .debug_info entry of every
// fixture module, relocated, with debug/dwarf's reading of it.
func TestDifferentialModules(t *testing.T) {
	for _, p := range moduleFixtures(t) {
		release := filepath.Base(filepath.Dir(filepath.Dir(filepath.Dir(filepath.Dir(p)))))
		t.Run(release+"/"+filepath.Base(p), func(t *testing.T) {
			var skip func(dwarf.Attr) bool
			if strings.HasSuffix(release, "riscv64") {
				// debug/elf applies only R_RISCV_64 and R_RISCV_32, not
				// the ADD/SUB pairs the assembler writes for label
				// differences: its DW_AT_high_pc lengths stay 0.
				// TestRISCVHighPC checks ours against the symbols.
				skip = func(a dwarf.Attr) bool { return a == dwarf.AttrHighpc }
			}
			if n := diffAgainstStdlibExcept(t, p, skip, nil); n == 0 {
				t.Fatal("no entries compared")
			}
		})
	}
}

// TestDifferentialRealModules does the same for every uncompressed module
// under $KABI_MODULES (a module tree, such as the one
// the module tree of a Debian -dbg package unpacks), in parallel.
func TestDifferentialRealModules(t *testing.T) {
	dir := os.Getenv("KABI_MODULES")
	if dir == "" {
		t.Skip("KABI_MODULES is not set (a module tree: fetch-vmlinux --modules)")
	}
	var paths []string
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() && strings.HasSuffix(p, ".ko") {
			paths = append(paths, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("no .ko files under %s", dir)
	}
	var entries atomic.Int64
	t.Run("each", func(t *testing.T) {
		for _, p := range paths {
			rel, _ := filepath.Rel(dir, p)
			t.Run(rel, func(t *testing.T) {
				t.Parallel()
				entries.Add(int64(diffAgainstStdlibExcept(t, p, nil, negativeAddend)))
			})
		}
	})
	t.Logf("%d modules, %d entries identical", len(paths), entries.Load())
}

// TestRISCVHighPC checks the RISC-V fixture modules' DW_AT_high_pc
// lengths, which come from R_RISCV_ADD64/SUB64 pairs: every defined
// function's length must equal the st_size of its symbol.
func TestRISCVHighPC(t *testing.T) {
	paths, _ := filepath.Glob("../testdata/modules/*-riscv64/kernel/drivers/kfx/*.ko")
	if len(paths) == 0 {
		t.Fatal("no RISC-V fixture modules")
	}
	for _, p := range paths {
		ef, err := elf.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		syms, err := ef.Symbols()
		ef.Close()
		if err != nil {
			t.Fatal(err)
		}
		size := map[string]uint64{}
		for _, s := range syms {
			if elf.ST_TYPE(s.Info) == elf.STT_FUNC {
				size[s.Name] = s.Size
			}
		}
		d, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		r := d.Reader(nil)
		checked := 0
		for {
			e, err := r.Next()
			if err != nil {
				t.Fatal(err)
			}
			if e == nil {
				break
			}
			hi := e.Field(dwarf.AttrHighpc)
			name := e.Field(dwarf.AttrName)
			if e.Tag != dwarf.TagSubprogram || hi == nil || name == nil || hi.Form == FormAddr {
				continue
			}
			want, ok := size[name.Str()]
			if !ok {
				t.Errorf("%s: %s has no symbol", p, name.Str())
				continue
			}
			if hi.Val != want {
				t.Errorf("%s: %s: DW_AT_high_pc length %d, symbol size %d", p, name.Str(), hi.Val, want)
			}
			checked++
		}
		if checked == 0 {
			t.Errorf("%s: no function lengths checked", p)
		}
	}
}

// FuzzRelocatable feeds relocatable objects (the fixture modules, with
// their relocation sections) to New: the relocations are applied before
// anything is decoded, so mutations reach them directly.
func FuzzRelocatable(f *testing.F) {
	for _, p := range moduleFixtures(f) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzcount.Count("FuzzRelocatable")
		panicFirewall = false
		defer func() { panicFirewall = true }()
		d, err := New(bytes.NewReader(b), "fuzz")
		if err != nil {
			return
		}
		exercise(d)
	})
}

// TestUnknownRelocation rewrites the type of one .rela.debug_info entry
// of the x86-64 fixture module to R_X86_64_PC32, which debug sections do
// not use: New must refuse the file, naming the type and the section.
func TestUnknownRelocation(t *testing.T) {
	p := "../testdata/modules/6.1.99-1-amd64/kernel/drivers/kfx/kfx_mod.ko"
	b, ef := elfcraft.ReadFile(t, p)
	s := ef.Section(".rela.debug_info")
	if s == nil {
		t.Fatal("no .rela.debug_info")
	}
	info := s.Offset + 8 + 24 // the second entry's r_info
	binary.LittleEndian.PutUint32(b[info:], uint32(elf.R_X86_64_PC32))
	_, err := New(bytes.NewReader(b), "bad.ko")
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "R_X86_64_PC32") ||
		!strings.Contains(err.Error(), ".rela.debug_info") {
		t.Fatalf("got %v, want ErrUnsupported naming R_X86_64_PC32 in .rela.debug_info", err)
	}
}

// negativeAddend accepts the one way debug/elf is known to differ: it
// leaves a relocation with a negative addend unapplied (debug/elf's
// putUint returns early), where the ELF rule, S + A, applies it. Such a
// place is all zero in debug/dwarf's bytes (a RELA object's places are
// zero) and a 4- or 8-byte run in ours, in an expression (DW_OP_addr in
// a location or DW_AT_call_value with &array[-n], say).
func negativeAddend(std, ours any) bool {
	sb, ok1 := std.([]byte)
	ob, ok2 := ours.([]byte)
	if !ok1 || !ok2 || len(sb) != len(ob) {
		return false
	}
	lo, hi := -1, -1
	for i := range sb {
		if sb[i] != ob[i] {
			if lo < 0 {
				lo = i
			}
			hi = i
		}
	}
	if lo < 0 || hi-lo >= 8 {
		return false
	}
	for _, w := range []int{4, 8} {
		for start := max(0, hi-w+1); start <= lo && start+w <= len(sb); start++ {
			zero := true
			for _, c := range sb[start : start+w] {
				zero = zero && c == 0
			}
			if zero && ob[start+w-1] == 0xff {
				return true // little-endian: the high byte of a negative value
			}
		}
	}
	return false
}

// TestReusedBuffers reads every fixture module twice: first each into
// fresh buffers, kept open, then each closed before the next is read, so
// that it reads into the buffers of those before it (see Data.buffer).
// The two must give the same units.
func TestReusedBuffers(t *testing.T) {
	defer freelist.Hold()() // buffers are kept from one Data to the next, as in a kernel's read
	paths, _ := filepath.Glob("../testdata/modules/*/kernel/drivers/kfx/*.ko")
	if len(paths) < 4 {
		t.Fatalf("%d fixture modules", len(paths))
	}
	opts := &ExtractOptions{Concurrency: 1, Prototypes: true}
	want := make([][]string, len(paths))
	var open []*Data
	for i, p := range paths {
		d, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, d)
		want[i] = digest(t, d, opts)
	}
	for _, d := range open {
		d.Close()
	}
	if n := poisonFreeBuffers(); n == 0 {
		t.Fatal("closing the modules left no buffer to reuse")
	}
	for round := range 2 {
		for i, p := range paths {
			d, err := Open(p)
			if err != nil {
				t.Fatal(err)
			}
			if got := digest(t, d, opts); !slices.Equal(got, want[i]) {
				t.Errorf("round %d: %s read into reused buffers differs:\n%q\nwant\n%q", round, p, got, want[i])
			}
			if err := d.Close(); err != nil {
				t.Fatal(err)
			}
			poisonFreeBuffers()
		}
	}
}

// TestDropFreeBuffers checks that freelist.DropAll leaves the buffers
// of closed modules to the collector, and that modules read after it
// read as before.
func TestDropFreeBuffers(t *testing.T) {
	defer freelist.Hold()() // buffers are kept from one Data to the next, as in a kernel's read
	paths, _ := filepath.Glob("../testdata/modules/*/kernel/drivers/kfx/*.ko")
	if len(paths) == 0 {
		t.Fatal("no fixture modules")
	}
	opts := &ExtractOptions{Concurrency: 1, Prototypes: true}
	var want []string
	for i := range 2 {
		d, err := Open(paths[0])
		if err != nil {
			t.Fatal(err)
		}
		got := digest(t, d, opts)
		d.Close()
		if i == 0 {
			want = got
		} else if !slices.Equal(got, want) {
			t.Errorf("%s read after DropAll differs:\n%q\nwant\n%q", paths[0], got, want)
		}
		if n := poisonFreeBuffers(); n == 0 {
			t.Fatal("closing a module left no buffer to reuse")
		}
		freelist.DropAll()
		if n := poisonFreeBuffers(); n != 0 {
			t.Fatalf("DropAll left %d buffers", n)
		}
		freeBufs.Lock()
		bytes := freeBufs.bytes
		freeBufs.Unlock()
		if bytes != 0 {
			t.Fatalf("DropAll left the free buffers' count at %d bytes", bytes)
		}
	}
}

// poisonFreeBuffers fills the whole capacity of every buffer waiting to
// be reused with bytes no section holds, so that a Data reading a
// section into one and leaving any of it unwritten reads them back. It
// returns how many buffers wait.
func poisonFreeBuffers() int {
	freeBufs.Lock()
	defer freeBufs.Unlock()
	n := 0
	for _, l := range freeBufs.class {
		for _, b := range l {
			b = b[:cap(b)]
			for i := range b {
				b[i] = 0xa5
			}
			n++
		}
	}
	return n
}

// TestFreeBufferBound: the released buffers kept are bounded by
// freePerData for each of the most Datas open at once since they were
// last dropped (at least minFreeData, at most maxFreeData), so that more modules read at once
// keep more, and the count starts again once they are dropped.
func TestFreeBufferBound(t *testing.T) {
	waitUnheld(t)
	defer func(n uint64) { freePerData = n }(freePerData)
	freePerData = 1 << 20
	const buf = 1 << minPooledShift
	// read opens n Datas, each taking 24 buffers (1.5 times
	// freePerData), closes them and returns the bytes then kept.
	read := func(n int) uint64 {
		var ds []*Data
		for range n {
			d := &Data{}
			d.holdLists(holdData())
			for range 24 {
				d.buffer(buf)
			}
			ds = append(ds, d)
		}
		for _, d := range ds {
			d.Close()
		}
		freeBufs.Lock()
		defer freeBufs.Unlock()
		return freeBufs.bytes
	}
	outer := freelist.Hold() // the lists stay across the reads below, as in a kernel's read
	for _, c := range []struct {
		open int
		want uint64
	}{
		{1, 24 * buf}, // all: 1.5 MiB, below the bound of minFreeData Datas
		{2, 2 << 20},
		{4, 4 << 20},
		{2, 4 << 20},  // the bound of 4 open at once stays
		{10, 8 << 20}, // at most maxFreeData Datas' worth
	} {
		if got := read(c.open); got != c.want {
			t.Errorf("%d Datas open at once: %d bytes of buffers kept, want %d", c.open, got, c.want)
		}
	}
	outer()
	if freelist.Held() {
		t.Fatal("the free lists are still held")
	}
	freelist.DropIdle() // as a collection does
	freeBufs.Lock()
	peak := freeBufs.peak
	freeBufs.Unlock()
	if peak != 0 {
		t.Errorf("after the lists were dropped the most Datas open at once is %d, want 0", peak)
	}
	outer = freelist.Hold()
	defer outer()
	if got := read(3); got != 3<<20 {
		t.Errorf("3 Datas open after a drop: %d bytes of buffers kept, want %d", got, 3<<20)
	}
}
