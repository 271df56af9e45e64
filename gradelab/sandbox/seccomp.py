"""A seccomp filter for the sandbox: the system calls that reach the kernel's riskiest parts
fail with EPERM (new namespaces, mounts, ptrace, BPF, kernel modules, keyrings, io_uring).

A student's code needs none of them: without this filter, a sandbox could still make a new
user namespace and, as root there, exercise much more of the kernel. The filter is a small
classic-BPF program installed with ``prctl(PR_SET_SECCOMP)`` after ``no_new_privs``; it holds
for the sandbox and every process it starts. ``clone`` is allowed only without namespace
flags; ``clone3``, whose flags a filter cannot read, answers ENOSYS, so that the C library
falls back to ``clone``.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import struct

PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
BPF_LD_W_ABS = 0x20
BPF_JEQ_K = 0x15
BPF_JSET_K = 0x45
BPF_RET_K = 0x06
#: clone flags that make new namespaces.
NAMESPACE_FLAGS = (
    0x20000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000
)

_X86_64 = {
    "unshare": 272, "setns": 308, "mount": 165, "umount2": 166, "pivot_root": 155,
    "chroot": 161, "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311,
    "bpf": 321, "userfaultfd": 323, "perf_event_open": 298, "keyctl": 250, "add_key": 248,
    "request_key": 249, "init_module": 175, "finit_module": 313, "delete_module": 176,
    "kexec_load": 246, "kexec_file_load": 320, "open_by_handle_at": 304, "acct": 163,
    "swapon": 167, "swapoff": 168, "reboot": 169, "sethostname": 170, "setdomainname": 171,
    "iopl": 172, "ioperm": 173, "syslog": 103, "open_tree": 428, "move_mount": 429,
    "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433, "mount_setattr": 442,
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
    "clone": 56, "clone3": 435,
}  # fmt: skip
_AARCH64 = {
    "unshare": 97, "setns": 268, "mount": 40, "umount2": 39, "pivot_root": 41, "chroot": 51,
    "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271, "bpf": 280,
    "userfaultfd": 282, "perf_event_open": 241, "keyctl": 219, "add_key": 217,
    "request_key": 218, "init_module": 105, "finit_module": 273, "delete_module": 106,
    "kexec_load": 104, "kexec_file_load": 294, "open_by_handle_at": 265, "acct": 89,
    "swapon": 224, "swapoff": 225, "reboot": 142, "sethostname": 161, "setdomainname": 162,
    "syslog": 116, "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431,
    "fsmount": 432, "fspick": 433, "mount_setattr": 442, "io_uring_setup": 425,
    "io_uring_enter": 426, "io_uring_register": 427, "clone": 220, "clone3": 435,
}  # fmt: skip
#: Machine -> (the kernel's audit architecture, its system call numbers).
ARCHITECTURES = {"x86_64": (0xC000003E, _X86_64), "aarch64": (0xC00000B7, _AARCH64)}

_libc = ctypes.CDLL(None, use_errno=True)


class _Filter(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _insn(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


def program(arch: int, numbers: dict[str, int]) -> bytes:
    """The BPF program: wrong architecture -> EPERM for everything; a blocked call -> EPERM;
    clone with namespace flags -> EPERM; clone3 -> ENOSYS; anything else allowed."""
    denied = sorted(number for name, number in numbers.items() if name not in ("clone", "clone3"))
    deny, nosys = SECCOMP_RET_ERRNO | errno.EPERM, SECCOMP_RET_ERRNO | errno.ENOSYS
    code = [
        _insn(BPF_LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        _insn(BPF_JEQ_K, 1, 0, arch),
        _insn(BPF_RET_K, 0, 0, deny),
        _insn(BPF_LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
    ]
    for number in denied:
        code += [_insn(BPF_JEQ_K, 0, 1, number), _insn(BPF_RET_K, 0, 0, deny)]
    code += [
        _insn(BPF_JEQ_K, 0, 1, numbers["clone3"]),
        _insn(BPF_RET_K, 0, 0, nosys),
        _insn(BPF_JEQ_K, 0, 3, numbers["clone"]),
        _insn(BPF_LD_W_ABS, 0, 0, 16),  # the low half of clone's flags, args[0]
        _insn(BPF_JSET_K, 0, 1, NAMESPACE_FLAGS),
        _insn(BPF_RET_K, 0, 0, deny),
        _insn(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
    ]
    return b"".join(code)


def install() -> bool:
    """Install the filter on this process (after no_new_privs); False on a machine whose
    system call numbers this module does not know."""
    known = ARCHITECTURES.get(platform.machine())
    if known is None:
        return False
    code = program(*known)
    buffer = ctypes.create_string_buffer(code, len(code))
    fprog = _Filter(len(code) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    if _libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP) failed")
    return True
