package dev.ferry.api.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.Reference;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpClientSelectorsTest {

    @Test
    void theSelectorThreadOfAJdkHttpClientEndsWhenStopped() {
        HttpClient client = HttpClient.newHttpClient();
        assertThat(selectorThreads()).as("a client's selector waits in native code until it is collected")
                .anySatisfy(t -> assertThat(t.isAlive()).isTrue());

        int ended = HttpClientSelectors.stopAll(Duration.ofSeconds(5));

        assertThat(ended).isPositive();
        assertThat(selectorThreads()).isEmpty();
        Reference.reachabilityFence(client); // still referenced: the thread ended because it was stopped, not collected
    }

    private static List<Thread> selectorThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> HttpClientSelectors.SELECTOR_THREAD.matcher(t.getName()).matches())
                .filter(Thread::isAlive)
                .toList();
    }
}
