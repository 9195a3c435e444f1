//! A counting global allocator: live and peak heap bytes of this (single-threaded) process.
//!
//! Counters are thread-local plain cells, so counting costs next to nothing and does not disturb
//! the timings of the other sections. Sizes are the sizes requested (the system allocator's own
//! rounding and bookkeeping come on top).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The allocator (installed in `main.rs`).
pub struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn add(n: isize) {
    let _ = LIVE.try_with(|l| {
        let v = l.get() + n;
        l.set(v);
        let _ = PEAK.try_with(|p| p.set(p.get().max(v)));
    });
}

// SAFETY: every call is forwarded to the system allocator unchanged; only counters are updated.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            add(layout.size() as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            add(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        add(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            add(new_size as isize - layout.size() as isize);
        }
        p
    }
}

/// Live heap bytes of this thread now.
pub fn live() -> isize {
    LIVE.try_with(Cell::get).unwrap_or(0)
}

/// Resets the peak to the live bytes now and returns it.
pub fn reset_peak() -> isize {
    let l = live();
    let _ = PEAK.try_with(|p| p.set(l));
    l
}

/// The peak of live bytes since the last [`reset_peak`].
pub fn peak() -> isize {
    PEAK.try_with(Cell::get).unwrap_or(0)
}
