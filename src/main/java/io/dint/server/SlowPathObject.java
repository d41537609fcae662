package io.dint.server;

import io.dint.bpf.BpfProgram;

/**
 * A service object with an in-kernel cache filled by a slow path ({@link SlowPathXdpServer}): it
 * also has the TC egress program that shrinks the slow path's replies and installs what they carry.
 */
public interface SlowPathObject extends ServiceObject {
    /** Its TC egress program. */
    BpfProgram tc();
}
