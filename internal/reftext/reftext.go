// Package reftext holds the small text conventions of the reference
// pages that both diff and render write.
package reftext

// Bool writes a boolean as the reference pages do: "True" or "False".
func Bool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}
