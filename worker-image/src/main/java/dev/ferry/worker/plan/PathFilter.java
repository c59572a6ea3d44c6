package dev.ferry.worker.plan;

import dev.ferry.api.SourceGlobs;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;

/**
 * The job's include/exclude globs ({@link SourceGlobs}), matched against a file's path relative to the
 * source path. A file is in scope when it matches some include (or there are none) and no exclude.
 */
public final class PathFilter {
    private final List<PathMatcher> includes;
    private final List<PathMatcher> excludes;

    private PathFilter(List<PathMatcher> includes, List<PathMatcher> excludes) {
        this.includes = includes;
        this.excludes = excludes;
    }

    public static PathFilter of(List<String> include, List<String> exclude) {
        return new PathFilter(matchers(include), matchers(exclude));
    }

    public static PathFilter all() {
        return new PathFilter(List.of(), List.of());
    }

    public boolean includes(String relativePath) {
        Path path = Path.of(relativePath);
        if (!includes.isEmpty() && includes.stream().noneMatch(m -> m.matches(path))) {
            return false;
        }
        return excludes.stream().noneMatch(m -> m.matches(path));
    }

    private static List<PathMatcher> matchers(List<String> globs) {
        if (globs == null) {
            return List.of();
        }
        return globs.stream().filter(g -> g != null && !g.isBlank()).map(SourceGlobs::matcher).toList();
    }
}
