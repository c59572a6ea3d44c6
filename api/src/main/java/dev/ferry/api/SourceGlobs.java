package dev.ferry.api;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;

/**
 * How {@code spec.source.include} and {@code exclude} globs are read (java.nio "glob:" syntax), as .gitignore,
 * rsync and rclone read theirs: one definition for the planner that matches with them and the operator (and
 * {@code ferry migrate}) that refuse a glob that does not compile.
 * <ul>
 * <li>A glob without a slash matches a file's name at any depth: {@code *.tmp} is every {@code .tmp} file of the
 * tree (read as a path relative to the source, it took only those at the top: an exclude {@code *.tmp} left every
 * nested one in).</li>
 * <li>A glob with a slash matches the path relative to the source path: {@code logs/*.gz} is the {@code .gz}
 * files directly in {@code logs}; a leading {@code **}{@code /} also matches zero directories, so
 * {@code **}{@code /*.csv} takes {@code a.csv} as well as {@code x/a.csv}.</li>
 * <li>A leading slash anchors a glob at the source path: {@code /*.txt} is the {@code .txt} files at the top
 * only.</li>
 * </ul>
 */
public final class SourceGlobs {
    private SourceGlobs() {
    }

    /** The matcher of {@code glob} (stripped); throws {@link java.util.regex.PatternSyntaxException} when it does not compile. */
    public static PathMatcher matcher(String glob) {
        String g = glob.strip();
        if (g.startsWith("/")) {
            return relativePathMatcher(g.substring(1));
        }
        if (!g.contains("/")) {
            PathMatcher name = FileSystems.getDefault().getPathMatcher("glob:" + g);
            return p -> {
                Path fileName = p.getFileName();
                return fileName != null && name.matches(fileName);
            };
        }
        return relativePathMatcher(g);
    }

    /**
     * The matcher of {@code glob} against the whole path relative to the source path, whatever its slashes (a leading
     * {@code **}{@code /} also matching zero directories): what a glob with a slash, or anchored with a leading one,
     * means in {@link #matcher}.
     */
    public static PathMatcher relativePathMatcher(String glob) {
        String g = glob.strip();
        PathMatcher full = FileSystems.getDefault().getPathMatcher("glob:" + g);
        if (!g.startsWith("**/")) {
            return full;
        }
        PathMatcher rootLevel = FileSystems.getDefault().getPathMatcher("glob:" + g.substring(3));
        return p -> full.matches(p) || rootLevel.matches(p);
    }
}
