package dwarfx

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// testRelocator returns an x86-64 relocator over a symbol table of nsym
// entries (0 the null one) whose values are 0x1000*i, in section 1 except
// every 7th (undefined) and every 11th (SHN_ABS), which are not applied.
func testRelocator(t *testing.T, nsym int, typ elf.Machine) *relocator {
	t.Helper()
	tab := make([]byte, 24*nsym)
	for i := 1; i < nsym; i++ {
		e := tab[24*i:]
		shndx := uint16(1)
		switch {
		case i%7 == 0:
			shndx = uint16(elf.SHN_UNDEF)
		case i%11 == 0:
			shndx = uint16(elf.SHN_ABS)
		}
		binary.LittleEndian.PutUint16(e[6:], shndx)
		binary.LittleEndian.PutUint64(e[8:], uint64(0x1000*i))
	}
	ef := &elf.File{FileHeader: elf.FileHeader{Class: elf.ELFCLASS64, ByteOrder: binary.LittleEndian, Machine: typ, Type: elf.ET_REL}}
	rl := &relocator{d: &Data{name: "t.ko"}, ef: ef, bo: binary.LittleEndian, symtab: tab, symOK: true}
	m, ok := machineOf(ef)
	if !ok {
		t.Fatal("no machine")
	}
	for ty, k := range m.kinds {
		rl.kinds[ty], rl.known[ty] = k, true
		if k.op == relAbs && (k.width == 4 || k.width == 8) {
			rl.abs[ty] = k.width
		}
	}
	rl.name = m.name
	return rl
}

// TestRELA64LEFastPath checks that applyRELA64LE, which places 4- and
// 8-byte absolute relocations itself and remembers symbols, gives the
// same bytes and the same error as applying each entry through one, on
// random entries: every accepted type, symbols applied, undefined,
// reserved, null, past the table and past what is remembered, places in
// and out of the section, addends of either sign.
func TestRELA64LEFastPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, mach := range []elf.Machine{elf.EM_X86_64, elf.EM_AARCH64, elf.EM_RISCV} {
		m, _ := machineOf(&elf.File{FileHeader: elf.FileHeader{Class: elf.ELFCLASS64, Machine: mach}})
		var types []uint32
		for ty, k := range m.kinds {
			if k.op != relSetULEB && k.op != relSubULEB && k.op != relSet6 && k.op != relSub6 {
				types = append(types, ty)
			}
		}
		slices.Sort(types) // the trials are the same every run
		errs, applied := 0, 0
		for trial := range 300 {
			const size = 4096
			nsym := 2 + rng.IntN(600)
			n := 1 + rng.IntN(400)
			chunk := make([]byte, 24*n)
			bad := trial%3 == 0 // one entry that is an error somewhere
			for i := range n {
				e := chunk[24*i:]
				off := uint64(rng.IntN(size - 7))
				ty := types[rng.IntN(len(types))]
				sym := uint64(1 + rng.IntN(min(nsym-1, 300)))
				switch rng.IntN(20) {
				case 0:
					sym = 0
				case 1:
					sym = uint64(rng.IntN(nsym))
				}
				if bad && i == n/2 {
					switch trial % 4 {
					case 0:
						off = size - 2 // past the end for every width above 2
					case 1:
						sym = uint64(nsym + rng.IntN(10))
					case 2:
						ty = 0x1ff // not accepted
					default:
						off = 1 << 40
					}
				}
				binary.LittleEndian.PutUint64(e, off)
				binary.LittleEndian.PutUint64(e[8:], sym<<32|uint64(ty))
				binary.LittleEndian.PutUint64(e[16:], uint64(rng.Int64N(1<<20)-1<<19))
			}
			init := make([]byte, size)
			for i := range init {
				init[i] = byte(rng.Uint32())
			}
			fast, slow := bytes.Clone(init), bytes.Clone(init)
			rl := testRelocator(t, nsym, mach)
			errFast := rl.applyRELA64LE(".rela.debug_info", 0x100, chunk, fast)
			rl = testRelocator(t, nsym, mach)
			var errSlow error
			for i := 0; i+24 <= len(chunk) && errSlow == nil; i += 24 {
				e := chunk[i:]
				info := binary.LittleEndian.Uint64(e[8:])
				errSlow = rl.one(".rela.debug_info", 0x100+uint64(i), slow, binary.LittleEndian.Uint64(e), info>>32, uint32(info), int64(binary.LittleEndian.Uint64(e[16:])), true)
			}
			if fmt.Sprint(errFast) != fmt.Sprint(errSlow) {
				t.Fatalf("%v trial %d: error %v, one by one %v", mach, trial, errFast, errSlow)
			}
			if errSlow != nil {
				errs++
			}
			if !bytes.Equal(fast, slow) {
				t.Fatalf("%v trial %d: bytes differ from one by one", mach, trial)
			}
			if !bytes.Equal(fast, init) {
				applied++
			}
		}
		if applied < 250 {
			t.Fatalf("%v: %d trials of 300 applied anything", mach, applied)
		}
		if errs < 30 {
			t.Fatalf("%v: %d trials of 300 met an error", mach, errs)
		}
	}
}
