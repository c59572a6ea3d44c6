package dev.ferry.worker.plan;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;

/**
 * The job's include/exclude globs, matched against a file's path relative to the source path
 * (java.nio "glob:" syntax). A file is in scope when it matches some include (or there are none)
 * and no exclude. As in rsync and rclone, a leading {@code **}{@code /} also matches zero
 * directories, so {@code **}{@code /*.csv} takes {@code a.csv} as well as {@code x/a.csv}.
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
        return globs.stream().filter(g -> g != null && !g.isBlank()).map(String::strip)
                .map(PathFilter::matcher).toList();
    }

    private static PathMatcher matcher(String glob) {
        PathMatcher full = FileSystems.getDefault().getPathMatcher("glob:" + glob);
        if (!glob.startsWith("**/")) {
            return full;
        }
        PathMatcher rootLevel = FileSystems.getDefault().getPathMatcher("glob:" + glob.substring(3));
        return p -> full.matches(p) || rootLevel.matches(p);
    }
}
