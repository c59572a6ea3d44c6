package dev.ferry.worker.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PathFilterTest {

    @Test
    void includesMatchAtAnyDepthAndExcludesWin() {
        PathFilter filter = PathFilter.of(List.of("**/*.csv"), List.of("tmp/**"));

        assertThat(filter.includes("a.csv")).isTrue();
        assertThat(filter.includes("x/y/a.csv")).isTrue();
        assertThat(filter.includes("x/a.txt")).isFalse();
        assertThat(filter.includes("tmp/a.csv")).isFalse();
    }

    @Test
    void aGlobWithoutASlashMatchesTheNameAtAnyDepthAsInGitignoreRsyncAndRclone() {
        PathFilter filter = PathFilter.of(List.of("*.csv", "*.tmp"), List.of("*.tmp"));

        assertThat(filter.includes("a.csv")).isTrue();
        assertThat(filter.includes("x/y/a.csv")).isTrue();
        assertThat(filter.includes("x/a.txt")).isFalse();
        assertThat(filter.includes("a.tmp")).isFalse();
        assertThat(filter.includes("x/y/a.tmp")).as("an exclude *.tmp leaves no nested .tmp in").isFalse();
    }

    @Test
    void aGlobWithASlashMatchesThePathRelativeToTheSourceAndALeadingSlashAnchorsAtTheTop() {
        PathFilter logs = PathFilter.of(List.of("logs/*.gz"), null);
        assertThat(logs.includes("logs/a.gz")).isTrue();
        assertThat(logs.includes("x/logs/a.gz")).isFalse();
        assertThat(logs.includes("logs/d/a.gz")).isFalse();

        PathFilter top = PathFilter.of(List.of("/*.txt"), List.of("/tmp/**", "cache/**"));
        assertThat(top.includes("a.txt")).isTrue();
        assertThat(top.includes("x/a.txt")).isFalse();
        assertThat(top.excludesEverythingBelow("tmp")).isTrue();
        assertThat(top.excludesEverythingBelow("x/tmp")).isFalse();
        assertThat(top.excludesEverythingBelow("cache")).isTrue();
        assertThat(top.excludesEverythingBelow("a/cache")).as("cache/** has a slash: the top's cache only").isFalse();
        assertThat(PathFilter.of(null, List.of("cache/**")).includes("a/cache/x.txt")).isTrue();
    }

    @Test
    void noPatternsTakeEverything() {
        assertThat(PathFilter.of(null, null).includes("any/thing")).isTrue();
    }

    @Test
    void onlyAnExcludeOfEverythingBelowADirectoryKeepsTheWalkOut() {
        PathFilter filter = PathFilter.of(List.of("**/*.txt"), List.of("tmp/*", "**/cache/**", "*/**/private/**"));

        assertThat(filter.excludesEverythingBelow("tmp")).as("tmp/* leaves tmp/x/y.txt in").isFalse();
        assertThat(filter.includes("tmp/x/y.txt")).isTrue();
        assertThat(filter.excludesEverythingBelow("cache")).isTrue();
        assertThat(filter.excludesEverythingBelow("a/b/cache")).isTrue();
        assertThat(filter.excludesEverythingBelow("a/private")).isFalse();
        assertThat(filter.excludesEverythingBelow("a/b/private")).isTrue();
        assertThat(filter.includes("a/b/private/x.txt")).isFalse();
        assertThat(filter.excludesEverythingBelow("")).as("the source path itself is always walked").isFalse();
        assertThat(PathFilter.all().excludesEverythingBelow("cache")).isFalse();
    }
}
