package diff

import (
	"fmt"
	"strings"

	"github.com/kabi-dev/kabi"
)

// ChangeKind is the kind of a Change.
type ChangeKind uint8

// The kinds of change, in the order a comparison lists them.
const (
	ParamAdded        ChangeKind = iota + 1 // a parameter the old signature lacks
	ParamRemoved                            // a parameter the new signature lacks
	ParamReordered                          // some shared parameter moved to another position
	ParamTypeChanged                        // a shared parameter's type differs
	ReturnTypeChanged                       // the return type differs
	FuncAdded                               // the function is in the new build only
	FuncRemoved                             // the function is in the old build only
)

var changeNames = [...]string{
	ParamAdded:        "Param added",
	ParamRemoved:      "Param removed",
	ParamReordered:    "Param reordered",
	ParamTypeChanged:  "Param type changed",
	ReturnTypeChanged: "Return type changed",
	FuncAdded:         "Added",
	FuncRemoved:       "Removed",
}

// String returns the name DepSurf's pages use: "Param added", ...
func (k ChangeKind) String() string {
	if int(k) < len(changeNames) && changeNames[k] != "" {
		return changeNames[k]
	}
	return fmt.Sprintf("ChangeKind(%d)", uint8(k))
}

// MarshalText encodes the kind as its name.
func (k ChangeKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText decodes a kind from its name.
func (k *ChangeKind) UnmarshalText(b []byte) error {
	for i, n := range changeNames {
		if n != "" && n == string(b) {
			*k = ChangeKind(i)
			return nil
		}
	}
	return fmt.Errorf("unknown change kind %q", b)
}

// ChangeKinds returns every kind in list order.
func ChangeKinds() []ChangeKind {
	return []ChangeKind{ParamAdded, ParamRemoved, ParamReordered, ParamTypeChanged, ReturnTypeChanged, FuncAdded, FuncRemoved}
}

// A Change is one difference between two builds' versions of a function.
type Change struct {
	Kind ChangeKind
	// Param is the parameter's name for the Param kinds but
	// ParamReordered; "#N" (1-based position) for an unnamed parameter.
	Param string
	// Old and New are the parameter's (or the return) type on each side:
	// Old is nil for ParamAdded, New for ParamRemoved; both nil for the
	// other kinds.
	Old, New *kabi.Type
	// OldOrder and NewOrder are the parameter names of each side, for
	// ParamReordered.
	OldOrder, NewOrder []string
}

// Before returns the old side as code, as the reference pages show it:
// the parameter's declaration ("loff_t offset"), the return type, or the
// old order ("file, offset, addr, count"). It is empty for ParamAdded.
func (c Change) Before() string {
	switch c.Kind {
	case ParamRemoved, ParamTypeChanged:
		return kabi.Declare(c.Old, paramName(c.Param))
	case ReturnTypeChanged:
		return c.Old.String()
	case ParamReordered:
		return strings.Join(c.OldOrder, ", ")
	}
	return ""
}

// After returns the new side as code, like Before. It is empty for
// ParamRemoved.
func (c Change) After() string {
	switch c.Kind {
	case ParamAdded, ParamTypeChanged:
		return kabi.Declare(c.New, paramName(c.Param))
	case ReturnTypeChanged:
		return c.New.String()
	case ParamReordered:
		return strings.Join(c.NewOrder, ", ")
	}
	return ""
}

// String describes the change on one line: "Param type changed: long
// unsigned int count -> size_t count".
func (c Change) String() string {
	b, a := c.Before(), c.After()
	switch {
	case b == "" && a == "":
		return c.Kind.String()
	case b == "":
		return c.Kind.String() + ": " + a
	case a == "":
		return c.Kind.String() + ": " + b
	}
	return c.Kind.String() + ": " + b + " -> " + a
}

// paramName turns a Change.Param back into a declarator name.
func paramName(p string) string {
	if strings.HasPrefix(p, "#") {
		return ""
	}
	return p
}

// paramKey names parameter i: its name, or "#i+1" when unnamed, so that
// unnamed parameters are matched by position.
func paramKey(p kabi.Param, i int) string {
	if p.Name != "" {
		return p.Name
	}
	return fmt.Sprintf("#%d", i+1)
}

// Signatures lists the changes from old to new, in the order of
// docs/rules.md §8: each added parameter (new order), each removed one
// (old order), one ParamReordered when any shared parameter's position
// changed, each shared parameter whose type changed (new order), then the
// return type. Types are compared structurally: a typedef is not its
// expansion. Either side nil gives no changes.
func Signatures(old, new *kabi.Signature) []Change {
	if old == nil || new == nil {
		return nil
	}
	var out []Change
	oldIdx := make(map[string]int, len(old.Params))
	for i, p := range old.Params {
		oldIdx[paramKey(p, i)] = i
	}
	newIdx := make(map[string]int, len(new.Params))
	for i, p := range new.Params {
		newIdx[paramKey(p, i)] = i
	}
	for i, p := range new.Params {
		if k := paramKey(p, i); !has(oldIdx, k) {
			out = append(out, Change{Kind: ParamAdded, Param: k, New: p.Type})
		}
	}
	for i, p := range old.Params {
		if k := paramKey(p, i); !has(newIdx, k) {
			out = append(out, Change{Kind: ParamRemoved, Param: k, Old: p.Type})
		}
	}
	for i, p := range new.Params {
		if j, ok := oldIdx[paramKey(p, i)]; ok && j != i {
			out = append(out, Change{Kind: ParamReordered, OldOrder: keys(old.Params), NewOrder: keys(new.Params)})
			break
		}
	}
	for i, p := range new.Params {
		k := paramKey(p, i)
		if j, ok := oldIdx[k]; ok && !old.Params[j].Type.Equal(p.Type) {
			out = append(out, Change{Kind: ParamTypeChanged, Param: k, Old: old.Params[j].Type, New: p.Type})
		}
	}
	if !old.Return.Equal(new.Return) {
		out = append(out, Change{Kind: ReturnTypeChanged, Old: old.Return, New: new.Return})
	}
	return out
}

func has(m map[string]int, k string) bool { _, ok := m[k]; return ok }

func keys(ps []kabi.Param) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = paramKey(p, i)
	}
	return out
}
