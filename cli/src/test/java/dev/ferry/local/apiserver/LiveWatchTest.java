package dev.ferry.local.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.mockwebserver.crud.AttributeSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A live watch queues the events of its scope in write order, and cuts off a watcher that stops reading. */
class LiveWatchTest {
    private static final KubernetesAttributesExtractor KEYS = new KubernetesAttributesExtractor();
    private static final AttributeSet WEB_PODS = KEYS.fromPath("/api/v1/namespaces/default/pods?labelSelector=app%3Dweb");

    private final LiveWatches watches = new LiveWatches();

    @Test
    void anObjectEnteringStayingInAndLeavingTheScopeIsAddedModifiedAndDeleted() throws Exception {
        LiveWatch watch = watches.open(WEB_PODS);
        AttributeSet web = key("p", "web");
        AttributeSet db = key("p", "db");

        watches.changed(null, null, db, "{\"v\":0}");       // created out of scope
        watches.changed(db, "{\"v\":0}", web, "{\"v\":1}"); // relabelled into it
        watches.changed(web, "{\"v\":1}", web, "{\"v\":2}");
        watches.changed(web, "{\"v\":2}", db, "{\"v\":3}"); // relabelled out of it
        watches.changed(null, null, web, "{\"v\":4}");
        watches.changed(web, "{\"v\":4}", null, null);      // deleted

        assertThat(watch.take(0, TimeUnit.SECONDS)).containsExactly(
                new LiveWatch.Event("ADDED", "{\"v\":1}"), new LiveWatch.Event("MODIFIED", "{\"v\":2}"),
                new LiveWatch.Event("DELETED", "{\"v\":2}"), new LiveWatch.Event("ADDED", "{\"v\":4}"),
                new LiveWatch.Event("DELETED", "{\"v\":4}"));
        assertThat(watch.take(0, TimeUnit.SECONDS)).as("nothing left over").isEmpty();
    }

    @Test
    void aWaitingReaderGetsTheNextEventsAsTheyAreWritten() throws Exception {
        LiveWatch watch = watches.open(WEB_PODS);
        CompletableFuture<List<LiveWatch.Event>> taken = CompletableFuture.supplyAsync(() -> {
            try {
                return watch.take(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        watches.changed(null, null, key("p", "web"), "{}");

        assertThat(taken.get(30, TimeUnit.SECONDS)).containsExactly(new LiveWatch.Event("ADDED", "{}"));
    }

    @Test
    void aWatcherThatFallsBehindIsCutOffWithItsQueueDropped() throws Exception {
        LiveWatch watch = new LiveWatch(WEB_PODS, 3, closed -> { });
        for (int i = 0; i < 3; i++) {
            watch.offer(new LiveWatch.Event("ADDED", "{}"));
        }
        assertThat(watch.overflowed()).isFalse();

        watch.offer(new LiveWatch.Event("ADDED", "{}"));

        assertThat(watch.overflowed()).isTrue();
        assertThat(watch.take(0, TimeUnit.SECONDS)).as("over: the watcher must watch again").isNull();
    }

    @Test
    void aClosedWatchLeavesTheHubAndWakesItsReader() throws Exception {
        LiveWatch watch = watches.open(WEB_PODS);
        List<Object> ended = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try {
                ended.add(String.valueOf(watch.take(30, TimeUnit.SECONDS)));
            } catch (InterruptedException e) {
                ended.add(e);
            }
        });
        reader.start();

        watch.close();
        reader.join(30_000);

        assertThat(ended).containsExactly("null");
        assertThat(watches.size()).isZero();
        watches.changed(null, null, key("p", "web"), "{}"); // no one to tell
    }

    /** The key the store gives a pod written to {@code /api/v1/namespaces/default/pods}. */
    private static AttributeSet key(String name, String app) {
        return AttributeSet.merge(KEYS.fromPath("/api/v1/namespaces/default/pods"), KEYS.fromResource("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name
                + "\",\"namespace\":\"default\",\"labels\":{\"app\":\"" + app + "\"}}}"));
    }
}
