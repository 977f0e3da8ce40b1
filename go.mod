module github.com/kabi-dev/kabi

go 1.24.0

require (
	github.com/cilium/ebpf v0.21.0
	github.com/klauspost/compress v1.18.2
)

require golang.org/x/sys v0.37.0 // indirect
