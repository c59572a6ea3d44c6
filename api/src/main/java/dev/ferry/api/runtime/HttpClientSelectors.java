package dev.ferry.api.runtime;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Ends the selector threads that JDK HttpClients (the Kubernetes client's transport) leave behind. JDK 17's
 * HttpClient has no {@code close()}: its selector thread waits in {@code epoll_wait}, in native code, until the
 * client is garbage collected, and a JVM that exits waits up to 300 ms for every thread in native code (HotSpot's
 * {@code VM_Exit}, measured on 17.0.15: 320 ms with one such thread, 7 ms without). So every worker, operator and
 * CLI process of the local mode ended 0.3 s late, one after the other at a job's end. An interrupt wakes the
 * selector and ends its loop, and with it that client: call this last, once every client is closed.
 */
public final class HttpClientSelectors {
    static final Pattern SELECTOR_THREAD = Pattern.compile("HttpClient-\\d+-SelectorManager");

    private HttpClientSelectors() {
    }

    /** Interrupts every JDK HttpClient selector thread and waits up to {@code wait} for each to end; how many ended. */
    public static int stopAll(Duration wait) {
        List<Thread> selectors = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> SELECTOR_THREAD.matcher(t.getName()).matches())
                .toList();
        selectors.forEach(Thread::interrupt);
        int ended = 0;
        for (Thread selector : selectors) {
            try {
                selector.join(wait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            ended += selector.isAlive() ? 0 : 1;
        }
        return ended;
    }
}
