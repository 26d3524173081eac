"""A seccomp filter that takes away the kernel objects which outlive a process.

Files are not the only thing one submission could leave for the next in a warm worker:
System V shared memory, semaphores and message queues, POSIX message queues and the
kernel's key rings all belong to the sandbox's namespaces, not to a process, so they
would survive the child that made them and be readable by the next one.  No notebook of
this course needs them (Python's ``multiprocessing`` and torch use ``/dev/shm`` files,
which the worker empties), so the calls that create or reach them fail with EPERM.

The filter is a handful of classic BPF instructions, installed in the process that execs
bubblewrap, so bubblewrap, the worker and every child inherit it and none can lift it.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import struct

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000

# Classic BPF opcodes (linux/filter.h).
LD_W_ABS = 0x20
JEQ_K = 0x15
JGE_K = 0x35
RET_K = 0x06

#: Per architecture: its AUDIT_ARCH value and the numbers of the calls taken away
#: (shmget, semget, msgget, mq_open, add_key, request_key, keyctl).
BLOCKED = {
    "x86_64": (0xC000003E, (29, 64, 68, 240, 248, 249, 250)),
    "aarch64": (0xC00000B7, (194, 190, 186, 180, 217, 218, 219)),
}
X32_SYSCALL_BIT = 0x40000000


def program(machine: str | None = None) -> bytes | None:
    """The filter for this machine's architecture, or None where it has no table."""
    entry = BLOCKED.get(machine or platform.machine())
    if entry is None:
        return None
    arch, numbers = entry
    deny = SECCOMP_RET_ERRNO | errno.EPERM
    n = len(numbers)
    # Jump offsets count from the next instruction; the deny is the last one (5 + n).
    ins = [
        (LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        (JEQ_K, 0, n + 3, arch),  # another ABI (i386 calls on x86_64): refuse it all
        (LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
        (JGE_K, n + 1, 0, X32_SYSCALL_BIT),  # x32 calls on x86_64
        *[(JEQ_K, n - i, 0, nr) for i, nr in enumerate(numbers)],
        (RET_K, 0, 0, SECCOMP_RET_ALLOW),
        (RET_K, 0, 0, deny),
    ]
    return b"".join(struct.pack("HBBI", *i) for i in ins)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install(code: bytes) -> None:
    """Install ``code`` on the calling process (and everything it execs or forks).

    Without CAP_SYS_ADMIN the kernel wants no_new_privs first; with it (grading as
    root), no_new_privs is left alone.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    if os.geteuid() != 0 and libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    buf = ctypes.create_string_buffer(code, len(code))
    prog = _SockFprog(len(code) // 8, ctypes.cast(buf, ctypes.c_void_p))
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP) failed")
