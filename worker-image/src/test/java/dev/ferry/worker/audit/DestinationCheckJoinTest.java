package dev.ferry.worker.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** How the audit waits for a batch's folder listings (and a folder's HEADs): {@link DestinationCheck#joinAll}. */
class DestinationCheckJoinTest {
    /** Keeps what it is given to run, and runs it only when told. */
    private final List<Runnable> queued = new ArrayList<>();
    private final Executor later = queued::add;

    @Test
    void returnsWhenEveryListingHasEndedAndNotBefore() throws Exception {
        AtomicBoolean listed = new AtomicBoolean();
        CompletableFuture<Void> one = CompletableFuture.completedFuture(null);
        CompletableFuture<Void> other = CompletableFuture.runAsync(() -> listed.set(true), later);
        Thread store = new Thread(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
            queued.forEach(Runnable::run);
        });
        store.start();

        DestinationCheck.joinAll(List.of(one, other));

        assertThat(listed).as("the listing that ended 200 ms later").isTrue();
    }

    @Test
    void theFirstFailureIsThrownAsItWasWithoutWaitingForTheRestAndWhatHasNotStartedNeverStarts() {
        AtomicBoolean listed = new AtomicBoolean();
        CompletableFuture<Void> stillListing = new CompletableFuture<>(); // never ends
        CompletableFuture<Void> notStarted = CompletableFuture.runAsync(() -> listed.set(true), later);
        CompletableFuture<Void> refused = CompletableFuture.runAsync(() -> {
            throw new IllegalStateException("the store refused the listing");
        }, Runnable::run);

        assertThatThrownBy(() -> DestinationCheck.joinAll(List.of(stillListing, notStarted, refused)))
                .isInstanceOf(IllegalStateException.class).hasMessage("the store refused the listing");

        queued.forEach(Runnable::run);
        assertThat(listed).as("a listing queued behind the failure").isFalse();
        assertThat(notStarted).isCancelled();
    }

    @Test
    void anInterruptedListingIsThrownAsAnInterruption() {
        CompletableFuture<Void> interrupted = new CompletableFuture<>();
        interrupted.completeExceptionally(new InterruptedException("shut down"));

        assertThatThrownBy(() -> DestinationCheck.joinAll(List.of(interrupted))).isInstanceOf(InterruptedException.class);
    }

    @Test
    void aWaitInterruptedEndsAtOnceAndCancelsWhatHasNotStarted() throws Exception {
        CompletableFuture<Void> stillListing = new CompletableFuture<>();
        CompletableFuture<Void> notStarted = CompletableFuture.runAsync(() -> { }, later);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        CountDownLatch ended = new CountDownLatch(1);
        Thread batch = new Thread(() -> {
            try {
                DestinationCheck.joinAll(List.of(stillListing, notStarted));
            } catch (Throwable t) {
                thrown.set(t);
            }
            ended.countDown();
        });
        batch.start();

        batch.interrupt();

        assertThat(ended.await(10, TimeUnit.SECONDS)).as("the wait ended").isTrue();
        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
        assertThat(notStarted).isCancelled();
    }
}
