package io.dint.testing;

import io.dint.log.LogClient;
import io.dint.wire.LogMessage;
import java.lang.foreign.MemorySegment;

/** Log messages as bytes, for fixtures and parity tests: values as LogClient writes them. */
public final class LogMessages {
    private LogMessages() {}

    public static byte[] request(long key, long version, long seq) {
        byte[] b = new byte[LogMessage.SIZE];
        MemorySegment m = MemorySegment.ofArray(b);
        LogMessage.encodeRequest(m, 77, seq, key, version);
        for (int i = 0; i < LogMessage.VALUE_WORDS; i++) {
            LogMessage.setValueWord(m, i, LogClient.valueWord(key, version, i));
        }
        return b;
    }
}
