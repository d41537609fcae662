package io.dint.testing;

import io.dint.bpf.Xdp;
import io.dint.wire.Stat;
import io.dint.wire.Wire;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * One row of a fixture table, as Katran's {@code PacketAttributes}: a description, the frame that
 * goes in, the verdict and the frame that must come out, and what the run must do to the object:
 * the counters it moves and the map state it leaves. {@link XdpFixture#run} runs a table's rows
 * in order. A row is built once, fluently, and run once.
 *
 * <pre>{@code
 * xdp.run(
 *     XdpCase.request("a second sharer", acquireShared(3, 2)).answers(Status.GRANT).counts(Stat.GRANT)
 *             .leaves("entry of 3", () -> entry(3), new long[] {0, 2, 0, 0}),
 *     XdpCase.frame("ARP", arp).verdict(Xdp.PASS).untouched().counts(Stat.PASS_NOT_OURS));
 * }</pre>
 *
 * <p>Counters are checked exactly: a row of an XDP program names every counter its run moves
 * besides {@link Stat#RX} (always one more) and {@link Stat#TX} (one more when answered), which it
 * names only to say otherwise; every counter it does not name must not move.
 */
public final class XdpCase {
    /** A state read after the run (and before it, to be kept), with what it must be after. */
    record Watch(String what, Supplier<?> read, boolean kept, Object expected) {}

    final String description;
    final byte[] input;
    final byte[] payload;
    boolean tc;
    Integer verdict;
    /** The frame that must come out, given the one that did (for a reply whose payload is checked apart); null: unchecked. */
    UnaryOperator<byte[]> expectedOutput;
    final Map<Integer, Long> counts = new LinkedHashMap<>();
    final List<Watch> watches = new ArrayList<>();
    final List<Runnable> checks = new ArrayList<>();
    final List<ReplyView> views = new ArrayList<>();

    /** A property of the reply payload and its expected value. */
    record ReplyView(String what, Function<byte[], ?> view, Object expected) {}

    private XdpCase(String description, byte[] input, byte[] payload) {
        this.description = Objects.requireNonNull(description);
        this.input = input;
        this.payload = payload;
    }

    /** A frame sent from the client to our port ({@link Frames#udpTo}) carrying {@code payload}. */
    public static XdpCase request(String description, byte[] payload) {
        return new XdpCase(description, Frames.udpTo(Wire.PORT).payload(payload).build(), payload);
    }

    /** A frame as given, byte for byte. */
    public static XdpCase frame(String description, byte[] frame) {
        return new XdpCase(description, frame, null);
    }

    /** Runs this row through the object's TC program instead of its XDP program (no RX or TX is counted there). */
    public XdpCase tc() {
        this.tc = true;
        return this;
    }

    /** The verdict the program must return ({@link Xdp} or {@link io.dint.bpf.Tc}). */
    public XdpCase verdict(int v) {
        this.verdict = v;
        return this;
    }

    /** The exact frame that must come out (Katran's {@code expectedOutputPacket}). */
    public XdpCase output(byte[] frame) {
        byte[] exact = frame.clone();
        this.expectedOutput = out -> exact;
        return this;
    }

    /** The frame must come out as it went in. */
    public XdpCase untouched() {
        return output(input);
    }

    /**
     * Answered in the kernel with {@code reply}: XDP_TX, and the output is the input turned around
     * ({@link Frames#expectedReply}) carrying exactly {@code reply}.
     */
    public XdpCase reply(byte[] reply) {
        verdict(Xdp.TX);
        return output(Frames.expectedReply(input, reply));
    }

    /** Answered in the kernel with the request itself, its status set to {@code status} (a lock, log or refusal reply). */
    public XdpCase answers(int status) {
        requirePayload("answers");
        return reply(Messages.withStatus(payload, status));
    }

    /**
     * Answered in the kernel (XDP_TX, the frame turned around with whatever payload it carries) and
     * {@code view} of that payload is {@code expected}: for replies whose fields are best read as a
     * whole, e.g. {@code replyThat("reply", OccMessages::describe, "GRANT v0 locked mine")}.
     */
    public XdpCase replyThat(String what, Function<byte[], ?> view, Object expected) {
        verdict(Xdp.TX);
        this.expectedOutput = out -> Frames.expectedReply(input, replyPayload(out));
        views.add(new ReplyView(what, view, expected));
        return this;
    }

    /** Counter {@code stat} moves by one. */
    public XdpCase counts(int stat) {
        return counts(stat, 1);
    }

    /** Counter {@code stat} moves by {@code delta} (0 to say that RX or TX does not move). */
    public XdpCase counts(int stat, long delta) {
        counts.put(stat, delta);
        return this;
    }

    /** After the run, {@code read} gives {@code expected} (array contents compared). */
    public XdpCase leaves(String what, Supplier<?> read, Object expected) {
        watches.add(new Watch(what, read, false, expected));
        return this;
    }

    /** The run leaves what {@code read} gives as it was (a table entry, a bucket, a ring). */
    public XdpCase keeps(String what, Supplier<?> read) {
        watches.add(new Watch(what, read, true, null));
        return this;
    }

    /** Any other check, made after the run and after the row's own. */
    public XdpCase then(Runnable check) {
        checks.add(check);
        return this;
    }

    /** The payload of the request this row sends; only for rows made by {@link #request}. */
    public byte[] payload() {
        requirePayload("payload");
        return payload.clone();
    }

    /** The frame this row sends. */
    public byte[] input() {
        return input.clone();
    }

    /** The description, as failures name the row. */
    @Override
    public String toString() {
        return description;
    }

    /** The UDP payload of an output frame built on this row's input (same header lengths). */
    byte[] replyPayload(byte[] out) {
        int at = Frames.payloadOffset(input);
        return java.util.Arrays.copyOfRange(out, Math.min(at, out.length), out.length);
    }

    private void requirePayload(String what) {
        if (payload == null) {
            throw new IllegalStateException("row '" + description + "': " + what + " needs a row made by XdpCase.request, not a raw frame");
        }
    }

    /** The counter delta this row expects of {@code stat}, the program returning {@code verdict}. */
    long expectedDelta(int stat, int verdict) {
        Long named = counts.get(stat);
        if (named != null) {
            return named;
        }
        if (tc) {
            return 0;
        }
        if (stat == Stat.RX) {
            return 1;
        }
        return stat == Stat.TX && verdict == Xdp.TX ? 1 : 0;
    }
}
