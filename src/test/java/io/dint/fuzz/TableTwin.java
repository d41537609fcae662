package io.dint.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.dint.bpf.BpfObject;
import io.dint.bpf.ObjectSpec;
import io.dint.lock.LockObject;
import io.dint.lock.LockTable;
import io.dint.lock.LockTableCheck;
import io.dint.occ.OccObject;
import io.dint.occ.OccTable;
import io.dint.occ.OccTableCheck;
import io.dint.server.DatagramService;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * A lock table service (lock2pl, occ) and its Java twin: every reply the same, and after every
 * batch the same table, no entry spinning or breaking the rules.
 *
 * @param <C> what a scan of the table finds
 */
final class TableTwin<C> extends Twin {
    private final DatagramService table;
    private final Function<BpfObject, C> kernelScan;
    private final Supplier<C> javaScan;
    private final ToLongFunction<C> spinning;
    private final ToLongFunction<C> inconsistent;

    TableTwin(DatagramService table, Function<BpfObject, C> kernelScan, Supplier<C> javaScan, ToLongFunction<C> spinning,
              ToLongFunction<C> inconsistent) {
        this.table = table;
        this.kernelScan = kernelScan;
        this.javaScan = javaScan;
        this.spinning = spinning;
        this.inconsistent = inconsistent;
    }

    static TableTwin<LockTableCheck> locks() {
        LockTable t = new LockTable(64);
        return new TableTwin<>(t, o -> ObjectSpec.assign(o, LockObject.class).scan(), t::scan, LockTableCheck::spinning, LockTableCheck::inconsistent);
    }

    static TableTwin<OccTableCheck> occ() {
        OccTable t = new OccTable(64);
        return new TableTwin<>(t, o -> ObjectSpec.assign(o, OccObject.class).scan(), t::scan, OccTableCheck::spinning, OccTableCheck::inconsistent);
    }

    @Override
    void compare(byte[] request, byte[] kernel, String what) {
        assertThat(serve(table, request)).as("the Java table's reply: %s", what).isEqualTo(kernel);
    }

    @Override
    void checkInvariants(BpfObject obj, int ok, String when) {
        C k = kernelScan.apply(obj);
        assertThat(spinning.applyAsLong(k)).as("spinning entries %s", when).isZero();
        assertThat(inconsistent.applyAsLong(k)).as("inconsistent entries %s", when).isZero();
        assertThat(k).as("the kernel's table is the Java table's %s", when).isEqualTo(javaScan.get());
    }

    @Override
    public void close() {
        if (table instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        super.close();
    }
}
