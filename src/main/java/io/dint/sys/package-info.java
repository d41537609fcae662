/**
 * The one place this project binds native code: libc, and the means by which {@code io.dint.bpf}
 * binds libbpf. {@link io.dint.sys.Native} implements an interface of C functions over a library
 * (one constant downcall handle per function, no hand-written wrappers); {@link io.dint.sys.Errno}
 * is the one errno discipline (a binding returns its result or -errno) and
 * {@link io.dint.sys.NativeException} the error it turns into; {@link io.dint.sys.Libc} declares
 * every libc function and macro once; {@link io.dint.sys.SocketStructs} holds the kernel's socket
 * structs as layouts checked against the kernel's BTF; {@link io.dint.sys.PollFds} waits on
 * sockets without allocating. Used by {@code io.dint.net}, {@code io.dint.xsk} and
 * {@code io.dint.bpf}; it uses nothing of the project.
 */
package io.dint.sys;
