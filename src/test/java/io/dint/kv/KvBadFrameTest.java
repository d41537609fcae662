package io.dint.kv;

import static io.dint.kv.KvKernel.le;
import static io.dint.testing.KvMessages.zeroValue;
import static io.dint.testing.Messages.withStatus;
import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.Tc;
import io.dint.bpf.Xdp;
import io.dint.testing.BadFrames;
import io.dint.testing.Frames;
import io.dint.testing.ServiceProgram;
import io.dint.testing.XdpCase;
import io.dint.wire.KvMessage;
import io.dint.wire.Op;
import io.dint.wire.Stat;
import io.dint.wire.Status;
import io.dint.wire.Wire;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Frames the KV cache's programs must refuse, through BPF_PROG_TEST_RUN: XDP never answers a frame
 * that is not a well-formed request (the bad-frame table of every service and the KV's own rows)
 * nor touches the cache for it; TC passes on untouched what is not a slow-path reply for a locked
 * bucket, counting a bad one from our port.
 */
class KvBadFrameTest {
    private KvKernel k = new KvKernel();

    @AfterEach
    void close() {
        k.close();
    }

    @Test
    void framesThatAreNotWellFormedRequestsAreNeverAnswered() {
        long key = k.cache(99);
        byte[] req = k.request(Op.KV_GET, key, zeroValue());
        List<BadFrames.Case> cases = BadFrames.of(ServiceProgram.KV, req, Status.KV_OK);
        cases.add(new BadFrames.Case("payload cut to 40 bytes", Frames.udpTo(Wire.PORT).payload(Arrays.copyOf(req, 40)).build(),
                Xdp.DROP, Stat.DROP_TRUNCATED));
        cases.add(new BadFrames.Case("a lock message", Frames.udpTo(Wire.PORT).payload(Arrays.copyOf(req, Wire.LOCK_MSG_SIZE)).build(),
                Xdp.DROP, Stat.DROP_TRUNCATED));
        cases.add(new BadFrames.Case("a request already grown", Frames.udpTo(Wire.PORT).payload(Arrays.copyOf(req, KvMessage.SLOW_SIZE)).build(),
                Xdp.DROP, Stat.DROP_BAD_LENGTH));
        int bucket = k.store.bucketOf(key);
        byte[] before = k.bucketBytes(bucket);
        BadFrames.assertNeverAnswered(k.xdp, cases);
        assertThat(k.bucketBytes(bucket)).as("no bad frame touched the cache").isEqualTo(before);
        assertThat(k.stat(Stat.KV_SLOW)).isZero();
    }

    @Test
    void tcLeavesAloneWhatIsNotASlowPathReply() {
        long key = k.cache(5);
        int bucket = k.store.bucketOf(key);
        byte[] msg = withStatus(k.request(Op.KV_GET, key, zeroValue()), Status.KV_OK);
        byte[] slowReply = Arrays.copyOf(msg, KvMessage.SLOW_SIZE);
        le(slowReply).putInt(KvMessage.SIZE + Wire.KV_SLOW_BUCKET, bucket);
        byte[] wrongBucket = slowReply.clone();
        le(wrongBucket).putInt(KvMessage.SIZE + Wire.KV_SLOW_BUCKET, bucket + 1);
        byte[] asRequest = withStatus(slowReply, Status.REQUEST);
        byte[] cut = Arrays.copyOf(Frames.expectedReply(Frames.udpTo(Wire.PORT).payload(slowReply).build(), slowReply), 100);
        k.xdp.run(
            leftAlone("another port's datagram", Frames.expectedReply(Frames.udpTo(Wire.PORT + 1).payload(slowReply).build(), slowReply), 0),
            leftAlone("ARP", Frames.udpTo(Wire.PORT).etherType(0x0806).payload(slowReply).build(), 0),
            leftAlone("a plain reply from our port", Frames.expectedReply(Frames.udpTo(Wire.PORT).payload(msg).build(), msg), 1),
            leftAlone("a trailer for the wrong bucket", Frames.expectedReply(Frames.udpTo(Wire.PORT).payload(wrongBucket).build(), wrongBucket), 1),
            leftAlone("a request from our port", Frames.expectedReply(Frames.udpTo(Wire.PORT).payload(asRequest).build(), asRequest), 1),
            leftAlone("cut short", cut, 1));
    }

    /** A row for the TC program: passed on untouched, counted as a bad reply when it comes from our port ({@code bad} 1). */
    private XdpCase leftAlone(String description, byte[] frame, int bad) {
        return XdpCase.frame(description, frame).tc().verdict(Tc.OK).untouched().counts(Stat.KV_TC_BAD, bad)
                .keeps("the key's bucket", () -> k.bucketBytes(k.store.bucketOf(5)));
    }
}
