package dev.ferry.local;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A process of the local mode (a worker or operator pod, the Kafka broker) ends when the {@code ferry} process
 * that started it ends, however that ended: {@code kill -9}, a crash, an out-of-memory exit. On a cluster a pod
 * outlives nothing it needs; here its API server, S3 and kubelet lived in that process, and a worker left behind
 * would retry a vanished API for ever, holding CPU, memory, the source volume and (the broker) its ports.
 *
 * <p>The starting process names itself in {@link #PID_VARIABLE}, so that a parent that ended before the child
 * looked is noticed too (the child would otherwise see the process it was re-parented to).
 */
public final class ParentProcess {
    /** The pid of the process whose end ends this one. */
    static final String PID_VARIABLE = "FERRY_PARENT_PID";
    /** How long a pod's shutdown hooks get (a worker's drain talks to an API that is gone) before it halts. */
    static final Duration POD_HOOKS_GRACE = Duration.ofSeconds(5);

    private ParentProcess() {
    }

    /** The environment entry that ties a child to this process. */
    static Map<String, String> environment() {
        return Map.of(PID_VARIABLE, Long.toString(ProcessHandle.current().pid()));
    }

    /** Ends this process once its parent has ended, running its shutdown hooks for at most {@code hooksGrace}. */
    public static void exitWhenGone(String what, Duration hooksGrace) {
        Optional<ProcessHandle> parent = parent(System.getenv(PID_VARIABLE));
        if (parent.isEmpty() || !parent.get().isAlive()) {
            exit(what, "the process that started it has ended", hooksGrace);
            return;
        }
        long pid = parent.get().pid();
        parent.get().onExit().thenRun(() -> exit(what, "the process that started it (" + pid + ") has ended",
                hooksGrace));
    }

    private static Optional<ProcessHandle> parent(String pidVariable) {
        if (pidVariable == null || pidVariable.isBlank()) {
            return ProcessHandle.current().parent();
        }
        try {
            return ProcessHandle.of(Long.parseLong(pidVariable.strip()));
        } catch (NumberFormatException e) {
            return ProcessHandle.current().parent();
        }
    }

    private static void exit(String what, String why, Duration hooksGrace) {
        System.err.println(what + ": " + why + "; stopping");
        Thread halt = new Thread(() -> {
            try {
                Thread.sleep(hooksGrace.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Runtime.getRuntime().halt(1);
        }, "ferry-parent-gone-halt");
        halt.setDaemon(true);
        halt.start();
        // not on the caller's thread: System.exit waits for the hooks, and onExit's thread may be one they need
        new Thread(() -> System.exit(0), "ferry-parent-gone").start();
    }
}
