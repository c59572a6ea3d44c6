package dev.ferry.local.apiserver;

import io.fabric8.kubernetes.client.utils.Utils;
import java.lang.reflect.Field;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the UIDs the CRUD mock gives new objects unique across processes. The mock numbers them from 1
 * in every JVM ({@link Utils#generateId()}: a static counter in the low 64 bits), so two local runs —
 * two `ferry migrate` — would give their jobs the same UID; a job's UID is what keeps its event ids and
 * the {@code ferry-job} marker on its objects apart from every other job's. Starting the counter at a
 * random value keeps the mock's own code and makes a repeat as unlikely as for random UUIDs of 63 bits.
 */
final class ObjectUids {
    private static final Logger LOG = LoggerFactory.getLogger(ObjectUids.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private ObjectUids() {
    }

    static void startAtRandom() {
        try {
            Field counter = Utils.class.getDeclaredField("leastSigBits");
            counter.setAccessible(true);
            AtomicLong next = (AtomicLong) counter.get(null);
            long start = RANDOM.nextLong() & (Long.MAX_VALUE >>> 1); // far from overflowing
            next.accumulateAndGet(start, Math::max);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("object UIDs of the local API are sequential from 1 ({}): two local runs may share a job UID",
                    e.toString());
        }
    }
}
