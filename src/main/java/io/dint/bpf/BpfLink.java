package io.dint.bpf;

import static io.dint.bpf.LibBpf.LIBBPF;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * An attachment held by a bpf_link: it ends when the link is closed or the process exits, unless
 * the link is pinned, in which case it lasts until the pin is removed too.
 */
public final class BpfLink implements AutoCloseable {

    private MemorySegment link;
    private final String what;

    BpfLink(MemorySegment link, String what) {
        this.link = link;
        this.what = what;
    }

    /** The link's fd. */
    public int fd() {
        checkOpen();
        return LIBBPF.bpf_link__fd(link);
    }

    /** Pins the link at {@code path} on a BPF file system, so it outlives this process. */
    public void pin(Path path) {
        checkOpen();
        BpfFs.pin("bpf_link__pin(" + what + ", " + path + ")", path, p -> LIBBPF.bpf_link__pin(link, p), BpfFs::pinHint);
    }

    /** Destroys the link (bpf_link__destroy): detaches unless pinned. Harmless when repeated. */
    @Override
    public void close() {
        if (link != null) {
            LIBBPF.bpf_link__destroy(link);
            link = null;
        }
    }

    @Override
    public String toString() {
        return "BpfLink[" + what + (link == null ? ", closed" : "") + "]";
    }

    private void checkOpen() {
        if (link == null) {
            throw new IllegalStateException("link " + what + " is closed");
        }
    }
}
