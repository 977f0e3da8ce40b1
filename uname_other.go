//go:build !linux

package kabi

// unameMachine is uname -m, where the system has it.
func unameMachine() string { return "" }
