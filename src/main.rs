//! The `cedu` command: parse the command line and hand over to the library.

fn main() -> std::process::ExitCode {
    // glibc hands the free top of a thread's heap back to the kernel once it passes 128 KB.
    // Every compressed response allocates and frees ~300 KB of deflate state, so each request
    // faulted those pages back in and zeroed them: a fifth of the server's CPU on a unit page
    // (perf: page faults, memset, madvise). Up to 1 MB is kept and reused: as fast as keeping
    // 64 MB, which let each thread's heap hold its peak (server peak RSS 82 -> 133 MB).
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only tunes the allocator; called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 20);
    }
    cedu::cli::main()
}
