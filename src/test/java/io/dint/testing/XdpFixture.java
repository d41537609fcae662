package io.dint.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.BpfMap;
import io.dint.bpf.BpfObject;
import io.dint.bpf.BpfProgram;
import io.dint.bpf.TestRun;
import io.dint.bpf.Xdp;
import io.dint.server.StatCounters;
import io.dint.wire.Stat;
import io.dint.wire.Wire;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A service object's XDP program (and TC program, if it has one) under BPF_PROG_TEST_RUN: no NIC,
 * no namespace, a table of {@link XdpCase}s run in order, each checked for its verdict, its output
 * frame, the counters it moves and the map state it leaves: the generic runner of Katran's
 * fixture tables ({@code BpfTester::runBpfTesterFromFixtures}).
 *
 * <p>As a JUnit extension on an instance field it loads a fresh object before each test and closes
 * it after; a test that needs other settings makes one of its own and calls {@link #load}:
 *
 * <pre>{@code
 * @RegisterExtension
 * final XdpFixture xdp = XdpFixture.of(ServiceProgram.LOG, ServiceProgram.LOG.settings().size(4));
 * }</pre>
 *
 * Objects are loaded through {@link ServiceProgram}, the one place the tests load them.
 */
public final class XdpFixture implements BeforeEachCallback, AfterEachCallback, AutoCloseable {
    private final Supplier<BpfObject> loader;
    private final String xdpName;
    private final String tcName;
    private BpfObject object;
    private BpfProgram xdp;
    private BpfProgram tc;
    private boolean counted;
    private long seq;

    private XdpFixture(Supplier<BpfObject> loader, String xdpName, String tcName) {
        this.loader = loader;
        this.xdpName = xdpName;
        this.tcName = tcName;
    }

    /**
     * An extension that loads {@code service}'s object with {@code settings} ({@link ServiceProgram#load})
     * before each test, and closes it after.
     */
    public static XdpFixture of(ServiceProgram service, ServiceProgram.Settings settings) {
        return new XdpFixture(() -> service.load(settings), service.program(), service.tcProgram());
    }

    /** As {@link #of(ServiceProgram, ServiceProgram.Settings)} with the service's defaults, serving what {@code allow} allows. */
    public static XdpFixture of(ServiceProgram service, io.dint.server.Allowlist allow) {
        return of(service, service.settings().allow(allow));
    }

    /**
     * An extension over an object that is not a service's ({@link ServiceProgram} loads those): one
     * {@code loader} loads before each test, whose XDP program is {@code xdp}.
     */
    public static XdpFixture of(Supplier<BpfObject> loader, String xdp) {
        return new XdpFixture(loader, xdp, null);
    }

    /** Loads the object now (for a fixture made by {@code of} and used outside JUnit's lifecycle); returns this. */
    public XdpFixture load() {
        if (object == null) {
            attach(loader.get());
        }
        return this;
    }

    private void attach(BpfObject loaded) {
        try {
            object = loaded;
            xdp = loaded.program(xdpName);
            tc = tcName == null ? null : loaded.program(tcName);
            counted = loaded.mapNames().contains(StatCounters.MAP);
        } catch (RuntimeException e) {
            loaded.close();
            object = null;
            throw e;
        }
    }

    /** Loads the object before a test (as a registered extension). */
    @Override
    public void beforeEach(ExtensionContext context) {
        load();
    }

    /** Closes the object after a test (as a registered extension). */
    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    /** Closes the object; harmless when repeated. */
    @Override
    public void close() {
        if (object != null) {
            object.close();
            object = null;
        }
    }

    /** The loaded object. */
    public BpfObject object() {
        return loaded();
    }

    /** The object's XDP program. */
    public BpfProgram xdp() {
        loaded();
        return xdp;
    }

    /** The TC egress program; fails when the object has none. */
    public BpfProgram tc() {
        loaded();
        if (tc == null) {
            throw new IllegalStateException("this fixture has no TC program: name it in XdpFixture.of");
        }
        return tc;
    }

    /** A map of the object by its C name. */
    public BpfMap map(String name) {
        return loaded().map(name);
    }

    /** The service counters now (the object's {@code stats} map), read by {@link Stat} index. */
    public StatCounters counters() {
        return StatCounters.read(loaded());
    }

    /** Service counter {@code stat} now, summed over CPUs. */
    public long stat(int stat) {
        return counters().get(stat);
    }

    /** A new request sequence number (1, 2, ...): each request of a test its own, as one client numbers them. */
    public long nextSeq() {
        return ++seq;
    }

    // ---- single runs ----

    /** One BPF_PROG_TEST_RUN of the XDP program on {@code frame}, nothing checked. */
    public TestRun run(byte[] frame) {
        return xdp().testRun(frame);
    }

    /** One run of the XDP program on a frame to our port carrying {@code payload}, nothing checked. */
    public TestRun send(byte[] payload) {
        return run(Frames.udpTo(Wire.PORT).payload(payload).build());
    }

    /**
     * Sends {@code payload} to our port and expects it answered in the kernel: XDP_TX, and the frame
     * turned around ({@link Frames#expectedReply}) carrying a payload as long as the request's.
     * Returns that reply payload.
     */
    public byte[] answer(byte[] payload) {
        byte[] frame = Frames.udpTo(Wire.PORT).payload(payload).build();
        TestRun r = run(frame);
        assertThat(Xdp.name(r.verdict())).as("verdict of a request answered in the kernel").isEqualTo(Xdp.name(Xdp.TX));
        int at = Frames.payloadOffset(frame);
        byte[] reply = Arrays.copyOfRange(r.output(), at, r.output().length);
        assertThat(r.output()).as("reply frame").isEqualTo(Frames.expectedReply(frame, reply));
        assertThat(reply).as("reply payload length").hasSameSizeAs(payload);
        return reply;
    }

    /**
     * One request's way through a service with a slow path ({@link SlowPathTrip#send}): answered in
     * the kernel, or passed up grown, served by {@code slow} and shrunk by the TC program.
     */
    public SlowPathTrip trip(int msgSize, int untouched, byte[] payload, UnaryOperator<byte[]> slow) {
        return SlowPathTrip.send(xdp(), tc(), msgSize, untouched, payload, slow);
    }

    // ---- tables ----

    /** Runs one row and returns its run, for checks a row cannot state (a grown frame's trailer, say). */
    public TestRun run(XdpCase row) {
        return check(row);
    }

    /** Runs the rows in order; the first that fails fails the test, named by its description. */
    public void run(XdpCase... table) {
        run(List.of(table));
    }

    /** Runs the rows in order; the first that fails fails the test, named by its description. */
    public void run(List<XdpCase> table) {
        for (XdpCase c : table) {
            check(c);
        }
    }

    private TestRun check(XdpCase c) {
        if (c.verdict == null) {
            throw new IllegalStateException("row '" + c.description + "' states no verdict: a row says what the program must return");
        }
        String row = "row '" + c.description + "'";
        StatCounters before = counted ? counters() : null;
        Object[] watched = new Object[c.watches.size()];
        for (int i = 0; i < watched.length; i++) {
            XdpCase.Watch w = c.watches.get(i);
            watched[i] = w.kept() ? w.read().get() : w.expected();
        }
        TestRun r = (c.tc ? tc() : xdp()).testRun(c.input);
        assertThat(verdictName(c.tc, r.verdict())).as("%s: verdict", row).isEqualTo(verdictName(c.tc, c.verdict));
        if (c.expectedOutput != null) {
            assertThat(r.output()).as("%s: output frame", row).isEqualTo(c.expectedOutput.apply(r.output()));
        }
        for (XdpCase.ReplyView v : c.views) {
            assertThat((Object) v.view().apply(c.replyPayload(r.output()))).as("%s: %s", row, v.what()).isEqualTo(v.expected());
        }
        if (counted) {
            StatCounters after = counters();
            for (int s = 0; s < Stat.MAX; s++) {
                assertThat(after.since(before, s)).as("%s: counter %s moved", row, Stat.name(s))
                        .isEqualTo(c.expectedDelta(s, c.verdict));
            }
        } else if (!c.counts.isEmpty()) {
            throw new IllegalStateException(row + " names counters, but the object has no '" + StatCounters.MAP + "' map");
        }
        for (int i = 0; i < watched.length; i++) {
            XdpCase.Watch w = c.watches.get(i);
            assertThat(w.read().get()).as("%s: %s after", row, w.what()).isEqualTo(watched[i]);
        }
        c.checks.forEach(Runnable::run);
        return r;
    }

    private static String verdictName(boolean tc, int v) {
        return tc ? "TC_ACT " + v : Xdp.name(v);
    }

    // ---- maps ----

    /** A copy of element {@code index} of array map {@code map}; fails the test when there is none. */
    public MemorySegment element(String map, int index) {
        BpfMap m = map(map);
        MemorySegment copy = MemorySegment.ofArray(new long[(m.valueSize() + 7) / 8]).asSlice(0, m.valueSize());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(m.valueSize(), 8);
            assertThat(m.lookup(index, v)).as("element %d of map '%s'", index, map).isTrue();
            MemorySegment.copy(v, 0, copy, 0, m.valueSize());
        }
        return copy;
    }

    /** Writes {@code value} as element {@code index} of array map {@code map}. */
    public void setElement(String map, int index, MemorySegment value) {
        BpfMap m = map(map);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(m.valueSize(), 8);
            MemorySegment.copy(value, 0, v, 0, m.valueSize());
            m.update(index, v);
        }
    }

    /** Reads element {@code index} of {@code map}, lets {@code change} rewrite it, and writes it back. */
    public void updateElement(String map, int index, Consumer<MemorySegment> change) {
        MemorySegment v = element(map, index);
        change.accept(v);
        setElement(map, index, v);
    }

    /** The bytes of element {@code index} of {@code map}: what {@link XdpCase#keeps} compares. */
    public byte[] bytes(String map, int index) {
        return element(map, index).toArray(ValueLayout.JAVA_BYTE);
    }

    private BpfObject loaded() {
        if (object == null) {
            throw new IllegalStateException("the fixture's object is not loaded: register the fixture with @RegisterExtension"
                    + " on an instance field, or call load()");
        }
        return object;
    }
}
