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
    private static final String EVERYTHING_BELOW = "/**";

    private final List<PathMatcher> includes;
    private final List<PathMatcher> excludes;
    /** For each exclude of the form {@code X/**}, the matcher of {@code X}: a directory it matches is excluded whole. */
    private final List<PathMatcher> excludedDirectories;

    private PathFilter(List<PathMatcher> includes, List<PathMatcher> excludes, List<PathMatcher> excludedDirectories) {
        this.includes = includes;
        this.excludes = excludes;
        this.excludedDirectories = excludedDirectories;
    }

    public static PathFilter of(List<String> include, List<String> exclude) {
        List<PathMatcher> excludedDirectories = exclude == null ? List.of() : exclude.stream()
                .filter(g -> g != null && g.strip().endsWith(EVERYTHING_BELOW) && g.strip().length() > EVERYTHING_BELOW.length())
                .map(g -> directoryMatcher(g.strip().substring(0, g.strip().length() - EVERYTHING_BELOW.length())))
                .toList();
        return new PathFilter(matchers(include), matchers(exclude), excludedDirectories);
    }

    /**
     * The directories {@code X} of an exclude {@code X/**}: that glob has a slash, so {@code X} is read against the
     * relative path as the whole glob is ({@link SourceGlobs}), never as a name at any depth.
     */
    private static PathMatcher directoryMatcher(String directoryGlob) {
        return SourceGlobs.relativePathMatcher(directoryGlob.startsWith("/") ? directoryGlob.substring(1) : directoryGlob);
    }

    public static PathFilter all() {
        return new PathFilter(List.of(), List.of(), List.of());
    }

    /**
     * Whether every path below the directory {@code relativeDirectory} is excluded, so the walk need not go into it:
     * an exclude {@code X/**} whose {@code X} matches the directory matches every path under it ({@code **} takes any
     * rest, slashes included), and an exclude wins over any include. A NAS's {@code .snapshot/**} or a
     * {@code **}{@code /node_modules/**} is then not walked at all (it was walked file by file and each file left
     * out, which on a NetApp volume's snapshots is many times the tree itself).
     */
    public boolean excludesEverythingBelow(String relativeDirectory) {
        if (excludedDirectories.isEmpty() || relativeDirectory.isEmpty()) {
            return false;
        }
        Path directory = Path.of(relativeDirectory);
        return excludedDirectories.stream().anyMatch(m -> m.matches(directory));
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
