module github.com/kabi-dev/kabi

go 1.24.0

require (
	github.com/cilium/ebpf v0.21.0
	github.com/ianlancetaylor/demangle v0.0.0-20260724033716-83e58baca724
	github.com/klauspost/compress v1.18.2
)

require github.com/ulikunitz/xz v0.5.17

require (
	github.com/google/go-cmp v0.7.0
	golang.org/x/sys v0.37.0 // indirect
)
