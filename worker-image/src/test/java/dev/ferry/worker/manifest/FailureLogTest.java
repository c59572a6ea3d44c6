package dev.ferry.worker.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Which stored lines of a task's failure log count: a holder that died after storing lines and before
 * its status counted them leaves lines the next holder may disprove.
 */
class FailureLogTest {
    private final FailureLog.TaskLog log = new FailureLog.TaskLog();

    @Test
    void theLinesOfTheOnlyHolderCountInOrderOfTheirOrdinals() {
        log.line(1, line(2, "b"));
        log.line(1, line(1, "a"));

        assertThat(paths()).containsExactly("1 a", "2 b");
    }

    @Test
    void aLaterHolderThatStartedFromAnEarlierCountDisprovesTheLinesBeyondIt() {
        log.line(1, line(1, "a"));
        log.line(1, line(2, "b"));
        log.line(1, line(3, "c")); // stored; the holder died before its status counted b and c
        log.started(2, 1); // the next holder starts from 1 failed file and copies b and c this time

        assertThat(paths()).containsExactly("1 a");
    }

    @Test
    void ofTwoLinesOfOneOrdinalTheLaterHoldersCounts() {
        log.line(1, line(1, "a"));
        log.line(1, line(2, "b"));
        log.started(2, 1);
        log.line(2, line(2, "d")); // the second failed file is another one this time
        log.line(1, line(2, "b")); // read after it: the listing's order does not matter

        assertThat(paths()).containsExactly("1 a", "2 d");
    }

    @Test
    void aHolderThatStartedWithoutStoringAnythingDisprovesOnlyWhatCameBeforeIt() {
        log.started(2, 2);
        log.line(1, line(3, "c"));
        log.line(3, line(3, "e"));
        log.line(1, line(2, "b"));

        assertThat(paths()).containsExactly("2 b", "3 e");
    }

    private java.util.List<String> paths() {
        return log.counted().stream().map(f -> f.n() + " " + f.failure().path).toList();
    }

    private static FailureLog.Line line(long n, String path) {
        FailureLog.Line line = new FailureLog.Line();
        line.n = n;
        line.path = path;
        line.code = "SOURCE_VANISHED";
        return line;
    }
}
