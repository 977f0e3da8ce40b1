// SPDX-License-Identifier: Apache-2.0
//! kabi test fixture: a Rust compile unit (DW_LANG_Rust), linked only into
//! rust.elf. DepSurf skipped Rust CUs; kabi includes them (surface-rules
//! section 1), with demangled names.
#![no_std]

extern "C" {
    // Defined in C (kernel/printk_fix.c): a call from Rust into C.
    fn kfx_log_event(ev: i32);
}

/// Unmangled (`#[no_mangle]`), external, called from C
/// (init/main.c:start_kernel when built with -DKFX_WITH_RUST).
#[no_mangle]
pub extern "C" fn kfx_rust_entry(x: i32) -> i32 {
    let v = helper::mix(x);
    unsafe { kfx_log_event(v) };
    v.wrapping_add(helper::Counter { n: x as u32 }.bump() as i32)
}

pub mod helper {
    /// Mangled (legacy Rust mangling: _ZN8kfx_rust6helper3mix17h...E),
    /// never inlined: one out-of-line definition and a direct call from
    /// kfx_rust_entry.
    #[inline(never)]
    pub fn mix(x: i32) -> i32 {
        x.wrapping_mul(31) ^ 7
    }

    pub struct Counter {
        pub n: u32,
    }

    impl Counter {
        /// A mangled method, likely inlined into kfx_rust_entry.
        #[inline]
        pub fn bump(&self) -> u32 {
            self.n.wrapping_add(1)
        }
    }
}
