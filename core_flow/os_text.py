"""Why the operating system refused a file or a socket, in Chinese and in English.

``OSError.strerror`` is the C library's English ("No such file or directory"); put in the Chinese half of a message
it left a Chinese reader an English reason (review R5). The common causes are named here; any other keeps the
system's own text beside its errno.
"""

from __future__ import annotations

import errno
import socket

_REASONS = {
    errno.ENOENT: ("文件或目录不存在", "no such file or directory"),
    errno.EACCES: ("没有权限", "permission denied"),
    errno.EPERM: ("没有权限", "operation not permitted"),
    errno.ENOSPC: ("磁盘已满", "disk full"),
    errno.EROFS: ("文件系统只读", "read-only file system"),
    errno.ENOTDIR: ("路径中有一段不是目录", "a part of the path is not a directory"),
    errno.EISDIR: ("这是一个目录，不是文件", "it is a directory, not a file"),
    errno.EEXIST: ("已存在", "it exists already"),
    errno.ENAMETOOLONG: ("名称过长", "the name is too long"),
    errno.ELOOP: ("符号链接层数过多", "too many levels of symbolic links"),
    errno.EIO: ("磁盘读写错误（I/O）", "disk I/O error"),
    errno.EMFILE: ("打开的文件过多", "too many open files"),
    errno.EBUSY: ("设备或资源忙", "device or resource busy"),
    errno.EADDRINUSE: ("地址已被占用", "address already in use"),
    errno.EADDRNOTAVAIL: ("本机没有这个地址", "the address is not this machine's"),
    errno.ECONNREFUSED: ("连接被拒绝（对方未在监听）", "connection refused (nothing listening there)"),
}
# getaddrinfo's own codes (socket.gaierror): a host name that does not resolve
_GAI = {
    socket.EAI_NONAME: ("无法解析主机名", "the host name does not resolve"),
    getattr(socket, "EAI_NODATA", socket.EAI_NONAME): ("无法解析主机名", "the host name does not resolve"),
    socket.EAI_AGAIN: ("主机名暂时无法解析", "the host name cannot be resolved now"),
}


def os_reason(err: OSError) -> tuple[str, str]:
    """The reason ``err`` gives, Chinese and English: the common errnos named, any other as the system says it
    (with its errno for the Chinese reader)."""
    if isinstance(err, socket.gaierror) and err.errno in _GAI:
        return _GAI[err.errno]
    if err.errno in _REASONS:
        return _REASONS[err.errno]
    text = err.strerror or str(err)
    return (f"系统错误（errno {err.errno}：{text}）" if err.errno is not None else f"系统错误（{text}）"), text
