package diff

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kabi-dev/kabi"
)

var (
	tInt    = &kabi.Type{Kind: kabi.Base, Name: "int"}
	tULong  = &kabi.Type{Kind: kabi.Base, Name: "long unsigned int"}
	tSizeT  = &kabi.Type{Kind: kabi.Typedef, Name: "size_t"}
	tSSizeT = &kabi.Type{Kind: kabi.Typedef, Name: "ssize_t"}
	tLoffT  = &kabi.Type{Kind: kabi.Typedef, Name: "loff_t"}
	tFile   = &kabi.Type{Kind: kabi.Pointer, Elem: &kabi.Type{Kind: kabi.Struct, Name: "file"}}
	tVoidP  = &kabi.Type{Kind: kabi.Pointer, Elem: &kabi.Type{Kind: kabi.Void}}
	tCharP  = &kabi.Type{Kind: kabi.Pointer, Elem: &kabi.Type{Kind: kabi.Base, Name: "char"}}
	tLoffP  = &kabi.Type{Kind: kabi.Pointer, Elem: tLoffT}
)

func sig(ret *kabi.Type, params ...kabi.Param) *kabi.Signature {
	return &kabi.Signature{Name: "f", Return: ret, Params: params, Prototyped: true}
}

func p(name string, t *kabi.Type) kabi.Param { return kabi.Param{Name: name, Type: t} }

// TestSignaturesKernelRead is the change of kernel_read between 4.13 and
// 4.15 that the reference page kernel_read.md shows, every kind at once.
func TestSignaturesKernelRead(t *testing.T) {
	old := sig(tInt, p("file", tFile), p("offset", tLoffT), p("addr", tCharP), p("count", tULong))
	new := sig(tSSizeT, p("file", tFile), p("buf", tVoidP), p("count", tSizeT), p("pos", tLoffP))
	var got []string
	for _, c := range Signatures(old, new) {
		got = append(got, c.Kind.String()+"|"+c.Before()+"|"+c.After())
	}
	want := []string{
		"Param added||void *buf",
		"Param added||loff_t *pos",
		"Param removed|loff_t offset|",
		"Param removed|char *addr|",
		"Param reordered|file, offset, addr, count|file, buf, count, pos",
		"Param type changed|long unsigned int count|size_t count",
		"Return type changed|int|ssize_t",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
}

func TestSignatures(t *testing.T) {
	for _, tc := range []struct {
		why      string
		old, new *kabi.Signature
		want     []string
	}{
		{"identical", sig(tInt, p("a", tInt)), sig(tInt, p("a", tInt)), nil},
		{"a parameter appended shifts nothing", sig(tInt, p("a", tInt)), sig(tInt, p("a", tInt), p("b", tInt)),
			[]string{"Param added: int b"}},
		{"a parameter inserted first shifts the others: reordered",
			sig(tInt, p("a", tInt)), sig(tInt, p("z", tInt), p("a", tInt)),
			[]string{"Param added: int z", "Param reordered: a -> z, a"}},
		{"swapped", sig(tInt, p("a", tInt), p("b", tULong)), sig(tInt, p("b", tULong), p("a", tInt)),
			[]string{"Param reordered: a, b -> b, a"}},
		{"typedef is not its expansion", sig(tInt, p("n", tULong)), sig(tInt, p("n", tSizeT)),
			[]string{"Param type changed: long unsigned int n -> size_t n"}},
		{"unnamed parameters match by position", sig(tInt, p("", tInt), p("", tInt)), sig(tInt, p("", tInt), p("", tULong)),
			[]string{"Param type changed: int -> long unsigned int"}},
		{"return only", sig(tInt), sig(tVoidP), []string{"Return type changed: int -> void *"}},
		{"one side unknown", nil, sig(tInt), nil},
	} {
		var got []string
		for _, c := range Signatures(tc.old, tc.new) {
			got = append(got, c.String())
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.why, diff)
		}
	}
}

func TestChangeKindText(t *testing.T) {
	for _, k := range ChangeKinds() {
		b, _ := k.MarshalText()
		var back ChangeKind
		if err := back.UnmarshalText(b); err != nil || back != k {
			t.Errorf("%v: round trip gave %v, %v", k, back, err)
		}
	}
	var k ChangeKind
	if k.UnmarshalText([]byte("Param renamed")) == nil {
		t.Error("an unknown kind decoded")
	}
}
