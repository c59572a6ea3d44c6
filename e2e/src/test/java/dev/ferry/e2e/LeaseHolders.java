package dev.ferry.e2e;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Every holder a Lease has had since the watch began, in order, each change once: a test that polls
 * the Lease misses a holder that held it between two looks (and a thread blocked elsewhere looks late).
 * An empty holder (a released Lease) is recorded as null.
 */
final class LeaseHolders implements AutoCloseable {
    private final List<String> holders = new ArrayList<>();
    private final SharedIndexInformer<Lease> informer;

    private LeaseHolders(KubernetesClient client, String namespace, String name) {
        this.informer = client.leases().inNamespace(namespace).withName(name).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Lease lease) {
                record(lease);
            }

            @Override
            public void onUpdate(Lease old, Lease lease) {
                record(lease);
            }

            @Override
            public void onDelete(Lease lease, boolean finalStateUnknown) {
                record(null);
            }
        });
    }

    static LeaseHolders watch(KubernetesClient client, String namespace, String name) {
        return new LeaseHolders(client, namespace, name);
    }

    private synchronized void record(Lease lease) {
        String holder = lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
        holder = holder == null || holder.isEmpty() ? null : holder;
        if (holders.isEmpty() || !Objects.equals(holders.get(holders.size() - 1), holder)) {
            holders.add(holder);
        }
    }

    /** The holders seen so far, oldest first (null: none). */
    synchronized List<String> seen() {
        return Collections.unmodifiableList(new ArrayList<>(holders));
    }

    /** The first holder other than {@code previous} (and not none) after {@code previous} last held the Lease. */
    synchronized Optional<String> holderAfter(String previous) {
        int last = holders.lastIndexOf(previous);
        return holders.subList(last + 1, holders.size()).stream()
                .filter(h -> h != null && !h.equals(previous)).findFirst();
    }

    String awaitHolderOtherThan(String previous, Duration timeout) {
        try {
            return await().atMost(timeout).pollInterval(Duration.ofMillis(50))
                    .until(() -> holderAfter(previous), Optional::isPresent).orElseThrow();
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no operator took the Lease after " + previous + " within " + timeout
                    + "; holders seen: " + seen(), e);
        }
    }

    @Override
    public void close() {
        informer.close();
    }
}
