package dev.ferry.worker.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** New work waits while the worker's Lease lapses, and is confirmed its own after such a pause. */
class StopSignalTest {

    @Test
    void newWorkStartsAtOnceWhileTheStandingIsGoodWithoutAnyConfirmation() throws Exception {
        AtomicInteger confirmations = new AtomicInteger();
        StopSignal halt = StopSignal.NEVER.pausedWhileLapsed(WorkerStanding.ALWAYS_GOOD, confirmations::incrementAndGet);

        halt.awaitStart();

        assertThat(confirmations).hasValue(0);
    }

    @Test
    void newWorkWaitsWhileTheStandingLapsesThenTheTaskIsConfirmedBeforeItStarts() throws Exception {
        AtomicReference<Optional<String>> lapse = new AtomicReference<>(Optional.of("not renewed for 12 s"));
        AtomicInteger confirmations = new AtomicInteger();
        // as a task builds it, then widened by another signal: the pause must survive or()
        StopSignal halt = StopSignal.NEVER.pausedWhileLapsed(lapse::get, confirmations::incrementAndGet)
                .or(StopSignal.NEVER);

        CompletableFuture<Void> starting = CompletableFuture.runAsync(() -> {
            try {
                halt.awaitStart();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(500);
        assertThat(starting).as("waiting").isNotDone();
        lapse.set(Optional.empty());
        starting.get(5, TimeUnit.SECONDS);

        assertThat(confirmations).hasValue(1);
    }

    @Test
    void whetherNewWorkStartsAtOnceIsAskedWithoutWaitingOrConfirming() {
        AtomicReference<Optional<String>> lapse = new AtomicReference<>(Optional.empty());
        AtomicInteger confirmations = new AtomicInteger();
        StopSignal halt = StopSignal.NEVER.pausedWhileLapsed(lapse::get, confirmations::incrementAndGet)
                .or(StopSignal.NEVER);

        assertThat(halt.startsAtOnce()).isTrue();
        lapse.set(Optional.of("not renewed for 12 s"));
        assertThat(halt.startsAtOnce()).as("lapsed, through or()").isFalse();
        assertThat(StopSignal.NEVER.startsAtOnce()).isTrue();
        assertThat(confirmations).as("only awaitStart confirms, after it waited").hasValue(0);
    }

    @Test
    void aLapseSeenWithoutWaitingIsConfirmedBeforeAnythingStartsAtOnceAgain() throws Exception {
        AtomicReference<Optional<String>> lapse = new AtomicReference<>(Optional.empty());
        AtomicInteger confirmations = new AtomicInteger();
        StopSignal halt = StopSignal.NEVER.pausedWhileLapsed(lapse::get, confirmations::incrementAndGet);

        lapse.set(Optional.of("not renewed for 12 s"));
        assertThat(halt.startsAtOnce()).isFalse();
        lapse.set(Optional.empty()); // renewed before anyone waited
        assertThat(halt.startsAtOnce()).as("the lapse was seen: not before the task is confirmed").isFalse();

        halt.awaitStart(); // returns at once, and confirms
        assertThat(confirmations).hasValue(1);
        assertThat(halt.startsAtOnce()).isTrue();
        halt.awaitStart();
        assertThat(confirmations).as("once per lapse seen").hasValue(1);
    }

    @Test
    void aStopEndsThePause() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        StopSignal halt = ((StopSignal) stop::get).pausedWhileLapsed(() -> Optional.of("not renewed"), () -> { });

        CompletableFuture<Void> starting = CompletableFuture.runAsync(() -> {
            try {
                halt.awaitStart();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        stop.set(true);
        starting.get(5, TimeUnit.SECONDS);

        assertThat(halt.stopRequested()).isTrue();
    }
}
